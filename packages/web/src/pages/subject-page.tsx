import { api } from '../api/client.js';
import { AdverseEvents } from '../components/adverse-events.js';
import { AttachmentsPanel } from '../components/attachments-panel.js';
import { CasebookSignatures } from '../components/casebook-signatures.js';
import { LoadError } from '../components/error-box.js';
import { Infusions } from '../components/infusions.js';
import { LockBanner, useActiveLocks } from '../components/lock-banner.js';
import { LockForm } from '../components/locks-panel.js';
import { OpenVisitForm } from '../components/open-visit-form.js';
import { PatientCourse } from '../components/patient-course.js';
import { RandomisationPanel } from '../components/randomisation-panel.js';
import { recordedStatus, StatusBadge, SubjectRecordStatus } from '../components/status-grid.js';
import { SubjectQueries } from '../components/subject-queries.js';
import { TableScroll } from '../components/table-scroll.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { subjectStatusText } from '../i18n/statuses.js';
import { definitionOf } from '../lib/definition.js';
import { Link, navigate } from '../router.js';
import { hasRole, isAdmin, useMe } from '../session.js';

/** A subject: details, visits (open one), infusions and adverse events. */
export function SubjectPage({ subjectId }: { subjectId: string }) {
  const me = useMe();
  const data = useLoad(
    () =>
      Promise.all([
        api.get('/api/subjects/:subjectId', { params: { subjectId } }),
        api.get('/api/subjects/:subjectId/visits', { params: { subjectId } }),
      ]).then(async ([subject, visits]) => {
        const [study, overview] = await Promise.all([
          api.get('/api/studies/:studyId', { params: { studyId: subject.studyId } }),
          // The visits with their forms' states: the record status in the grid's words (issue 22).
          api.get('/api/studies/:studyId/visit-overview', {
            params: { studyId: subject.studyId },
            query: { subjectIds: subject.id },
          }),
        ]);
        return [subject, visits, definitionOf(study), overview] as const;
      }),
    [subjectId],
  );
  const locks = useActiveLocks(data.data?.[0]);
  if (data.error) return <LoadError error={data.error} what={t('subjectPage.loadWhat')} />;
  if (!data.data) return <p className="loading">{t('app.loading')}</p>;
  const [subject, visits, definition, overview] = data.data;
  const visitState = new Map(overview.map((v) => [v.id, recordedStatus(v, definition)]));
  // Under a freeze or lock nothing of the subject can change (the server refuses it).
  const frozen = locks.active.length > 0;
  const canEnter = !frozen && hasRole(me, ['coordinator', 'investigator'], subject.studyId, subject.siteId);
  const canAe = canEnter;
  return (
    <section>
      <p className="crumbs">
        <Link href={`/studies/${subject.studyId}`}>{t('subjectPage.study')}</Link>
      </p>
      <h1>{t('subjectPage.title', { code: subject.subjectCode })}</h1>
      <LockBanner locks={locks.active} />
      <p>
        {/* Every visit, form and value, signatures, AEs, infusions and the audit trail (issue #22). */}
        <a href={`/api/subjects/${subject.id}/casebook.pdf`} download={`casebook-${subject.subjectCode}.pdf`}>
          {t('subjectPage.printCasebook')}
        </a>
      </p>
      <dl className="facts">
        <dt>{t('subjectPage.status')}</dt>
        <dd>{subjectStatusText(subject.status)}</dd>
        <dt>{t('subjectPage.sex')}</dt>
        <dd>{subject.sex ?? '—'}</dd>
        <dt>{t('subjectPage.birthDate')}</dt>
        <dd>{subject.birthDate ?? '—'}</dd>
        <dt>{t('subjectPage.day0')}</dt>
        <dd>{subject.day0Date ?? '—'}</dd>
      </dl>
      {definition.eligibility && (
        <p>
          <Link href={`/subjects/${subject.id}/screening`}>
            {subject.status === 'screening' ? t('subjectPage.screeningAndEnrol') : t('subjectPage.screening')}
          </Link>
        </p>
      )}
      <RandomisationPanel subject={subject} arms={definition.arms ?? []} onChanged={data.reload} />
      <section aria-labelledby="visits-h">
        <h2 id="visits-h">{t('subjectPage.visits')}</h2>
        <SubjectRecordStatus subject={subject} visits={overview} definition={definition} />
        {visits.length === 0 ? (
          <p>{t('subjectPage.noVisits')}</p>
        ) : (
          <TableScroll label={t('subjectPage.visits')}>
            <table aria-label={t('subjectPage.visits')}>
              <thead>
                <tr>
                  <th scope="col">{t('subjectPage.visit')}</th>
                  <th scope="col">{t('subjectPage.date')}</th>
                  <th scope="col">{t('subjectPage.status')}</th>
                </tr>
              </thead>
              <tbody>
                {visits.map((v) => (
                  <tr key={v.id}>
                    <td>
                      <Link href={`/visits/${v.id}`}>
                        {v.visitCode}
                        {v.cycle > 1 ? t('subjectPage.cycle', { cycle: v.cycle }) : ''}
                      </Link>
                    </td>
                    <td>{v.visitDate ?? '—'}</td>
                    <td>
                      {visitState.has(v.id) ? (
                        <>
                          <StatusBadge cell={visitState.get(v.id)!} />{' '}
                          <span className="muted">{visitState.get(v.id)!.reason}</span>
                        </>
                      ) : (
                        t('subjectPage.visitStatus', { status: v.status })
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
        {canEnter && (
          <OpenVisitForm
            subjectId={subject.id}
            definition={definition}
            opened={visits.filter((v) => v.cycle === 1).map((v) => v.visitCode)}
            onOpened={(v) => navigate(`/visits/${v.id}`)}
          />
        )}
      </section>
      {isAdmin(me) && (
        <div className="actions">
          <LockForm
            studyId={subject.studyId}
            target={{ level: 'subject', subjectId: subject.id }}
            onDone={locks.reload}
          />
        </div>
      )}
      <CasebookSignatures
        subjectId={subject.id}
        subjectCode={subject.subjectCode}
        canSign={
          locks.active.every((l) => l.kind === 'freeze') &&
          hasRole(me, 'investigator', subject.studyId, subject.siteId)
        }
      />
      <PatientCourse subject={subject} />
      <Infusions subjectId={subject.id} canEnter={canEnter} />
      <AdverseEvents subjectId={subject.id} canReport={canAe} />
      <SubjectQueries subject={subject} visits={visits} />
      <AttachmentsPanel subjectId={subject.id} />
    </section>
  );
}
