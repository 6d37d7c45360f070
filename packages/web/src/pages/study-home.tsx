import { api } from '../api/client.js';
import type { Query } from '../api/types.js';
import { EnrolForm } from '../components/enrol-form.js';
import { LoadError } from '../components/error-box.js';
import { QueryList } from '../components/query-list.js';
import { SdvPlanEditor } from '../components/sdv-plan-editor.js';
import { RecordStatus } from '../components/status-grid.js';
import { TableScroll } from '../components/table-scroll.js';
import { UnblindingsList } from '../components/unblindings-list.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { definitionOf, todayIso } from '../lib/definition.js';
import { Link, navigate } from '../router.js';
import { hasRole, isAdmin, useMe } from '../session.js';

/**
 * Study home: sites with subject counts (counted by the server over every subject at the user's
 * sites), the record status grid one page at a time, enrolment and open queries.
 */
export function StudyHome({ studyId }: { studyId: string }) {
  const me = useMe();
  const data = useLoad(
    () =>
      Promise.all([
        api.get('/api/studies/:studyId', { params: { studyId } }),
        api.get('/api/studies/:studyId/sites', { params: { studyId } }),
      ]),
    [studyId],
  );
  const counts = useLoad(
    () =>
      api.get('/api/studies/:studyId/subject-counts', { params: { studyId }, query: { today: todayIso() } }),
    [studyId],
  );
  // The open and the answered queries, the first page of each (the list is paged, issue 16); the
  // counts come from the server over every query at the user's sites.
  const queries = useLoad(async () => {
    if (!hasRole(me, ['monitor', 'coordinator', 'investigator', 'safety'], studyId)) return undefined;
    const page = (status: 'open' | 'answered') =>
      api.get('/api/studies/:studyId/queries', { params: { studyId }, query: { status, limit: 100 } });
    const [open, answered] = await Promise.all([page('open'), page('answered')]);
    const shown: Query[] = [...open.queries, ...answered.queries].sort((a, b) =>
      a.raisedAt.localeCompare(b.raisedAt),
    );
    return {
      shown,
      byStatus: open.counts.byStatus,
      unshown: open.counts.total + answered.counts.total - shown.length,
    };
  }, [studyId]);
  if (data.error) return <LoadError error={data.error} what={t('studyHome.loadStudy')} />;
  if (!data.data) return <p className="loading">{t('app.loading')}</p>;
  const [study, sites] = data.data;
  const enrolSites = sites.filter((s) => hasRole(me, ['coordinator', 'investigator'], studyId, s.id));
  const subjectsAt = new Map(counts.data?.sites.map((c) => [c.siteId, c.subjects]));

  return (
    <section>
      <h1>{t('studyHome.title', { code: study.code, title: study.title })}</h1>
      {hasRole(me, ['statistician', 'monitor', 'investigator'], studyId) && (
        <p>
          <Link href={`/studies/${studyId}/analysis`}>{t('studyHome.link.analysis')}</Link>
        </p>
      )}
      {hasRole(me, ['statistician', 'monitor'], studyId) && (
        <p>
          <Link href={`/studies/${studyId}/exports`}>{t('studyHome.link.exports')}</Link>
        </p>
      )}
      <p>
        <Link href={`/studies/${studyId}/signatures`}>
          {hasRole(me, 'investigator', studyId)
            ? t('studyHome.link.signaturesInvestigator')
            : t('studyHome.link.signatures')}
        </Link>
      </p>
      {hasRole(me, 'monitor', studyId) && (
        <p>
          <Link href={`/studies/${studyId}/worklist`}>{t('studyHome.link.monitorWorklist')}</Link>
        </p>
      )}
      {hasRole(me, ['coordinator', 'investigator'], studyId) && (
        <p>
          {/* Issue 22: visits due and overdue, forms to complete, queries, unlock answers. */}
          <Link href={`/studies/${studyId}/entry-worklist`}>{t('studyHome.link.siteWorklist')}</Link>
        </p>
      )}
      {hasRole(me, 'admin', studyId) && (
        <p>
          <Link href={`/studies/${studyId}/builder`}>{t('studyHome.link.builder')}</Link>
        </p>
      )}
      {hasRole(me, 'admin', studyId) && (definitionOf(study).forms ?? []).length > 0 && (
        <p>
          <Link href={`/studies/${studyId}/lab-ranges`}>{t('studyHome.link.labRanges')}</Link>
        </p>
      )}
      <p>
        <Link href={`/studies/${studyId}/adverse-events`}>{t('studyHome.link.adverseEvents')}</Link>
      </p>
      {(definitionOf(study).labReferenceRanges ?? []).length > 0 && (
        <p>
          <Link href={`/studies/${studyId}/out-of-range-labs`}>{t('studyHome.link.outOfRangeLabs')}</Link>
        </p>
      )}
      {(definitionOf(study).forms ?? []).length > 0 && (
        <p>
          {/* Printed by the server (headless Chromium), one form per page (issue #22). */}
          <a href={`/api/studies/${studyId}/crfs.pdf`} download={`${study.code}-blank-crfs.pdf`}>
            {t('studyHome.link.blankCrfs')}
          </a>
        </p>
      )}
      <div className="columns">
        <section aria-labelledby="sites-h">
          <h2 id="sites-h">{t('studyHome.sites')}</h2>
          <TableScroll label={t('studyHome.siteList')}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('studyHome.site')}</th>
                  <th scope="col">{t('studyHome.siteName')}</th>
                  <th scope="col">{t('studyHome.subjectCount')}</th>
                </tr>
              </thead>
              <tbody>
                {sites.map((s) => (
                  <tr key={s.id}>
                    <td>{s.code}</td>
                    <td>{s.name}</td>
                    <td>{subjectsAt.get(s.id)?.toLocaleString('en-GB') ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </section>
        <section aria-labelledby="queries-h">
          <h2 id="queries-h">{t('studyHome.openQueries')}</h2>
          {queries.error ? <LoadError error={queries.error} what={t('studyHome.loadQueries')} /> : null}
          {queries.data && (
            <p data-testid="query-counts">
              {t('studyHome.queryCounts', queries.data.byStatus)}
              <Link href={`/studies/${studyId}/queries`}>{t('studyHome.allQueries')}</Link>
              {queries.data.unshown > 0
                ? t('studyHome.oldestShown', { count: queries.data.shown.length })
                : ''}
            </p>
          )}
          {queries.data && (
            <QueryList queries={queries.data.shown} studyId={studyId} onChange={queries.reload} />
          )}
        </section>
      </div>
      <section aria-labelledby="subjects-h">
        <h2 id="subjects-h">{t('studyHome.subjects')}</h2>
        <p className="hint">{t('studyHome.subjectsHint')}</p>
        {counts.error ? <LoadError error={counts.error} what={t('studyHome.loadCounts')} /> : null}
        <RecordStatus
          studyId={studyId}
          definition={definitionOf(study)}
          sites={sites}
          counts={counts.data}
          pseudonymised={!hasRole(me, ['investigator', 'coordinator', 'monitor', 'safety'], studyId)}
        />
      </section>
      {(definitionOf(study).arms?.length ?? 0) > 0 &&
        (isAdmin(me) || hasRole(me, ['investigator', 'safety'], studyId)) && (
          <section aria-labelledby="unblindings-h">
            <h2 id="unblindings-h">{t('studyHome.unblindings')}</h2>
            <UnblindingsList studyId={studyId} arms={definitionOf(study).arms ?? []} />
          </section>
        )}
      {isAdmin(me) && (
        <section aria-labelledby="sdv-h">
          <h2 id="sdv-h">{t('studyHome.sdvPlan')}</h2>
          <SdvPlanEditor studyId={studyId} definition={definitionOf(study)} />
        </section>
      )}
      {enrolSites.length > 0 && (
        <section aria-labelledby="enrol-h">
          <h2 id="enrol-h">{t('studyHome.enrol')}</h2>
          <EnrolForm studyId={studyId} sites={enrolSites} onEnrolled={(s) => navigate(`/subjects/${s.id}`)} />
        </section>
      )}
    </section>
  );
}
