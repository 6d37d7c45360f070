// One adverse event in detail (issue #21): for an SAE a CIOMS-I-style page — reaction information,
// the suspect product (the subject's MSC infusions), seriousness criteria, dates, causality by the
// investigator and the sponsor, expectedness, the expedited-reporting clock, narrative and dated
// follow-ups — printable as one form (print stylesheet in styles.css: `.cioms`), and the server's
// CIOMS-I form (GET /api/adverse-events/:aeId/cioms.pdf, printed by headless Chromium).
import { EXPECTEDNESS, RELATEDNESS, SERIOUSNESS } from '@msct/contract';
import { useState } from 'react';
import { api } from '../api/client.js';
import { ChangeReasonAndError } from '../components/change-reason.js';
import { ErrorBox, LoadError } from '../components/error-box.js';
import { TableScroll } from '../components/table-scroll.js';
import { SelectField, TextField } from '../components/text-field.js';
import { useLoad } from '../hooks/use-load.js';
import { useSubmit } from '../hooks/use-submit.js';
import { t } from '../i18n/index.js';
import { dateTimeText } from '../lib/dates.js';
import { clockSummary, type SaeClock } from '../lib/sae-clock.js';
import { Link } from '../router.js';
import { hasRole, useMe } from '../session.js';

/** A vocabulary code in words (its English is the code's words; a translation names each code in `code.words`). */
const label = (code: string | null) =>
  code ? t('code.words', { code, words: code.replaceAll('_', ' ') }) : '—';
type Detail = Awaited<ReturnType<typeof load>>['ae'];

const load = async (aeId: string) => {
  const ae = await api.get('/api/adverse-events/:aeId', { params: { aeId } });
  const [subject, infusions] = await Promise.all([
    api.get('/api/subjects/:subjectId', { params: { subjectId: ae.subjectId } }),
    api.get('/api/subjects/:subjectId/infusions', { params: { subjectId: ae.subjectId } }),
  ]);
  return { ae, subject, infusions };
};

export function AdverseEventPage({ aeId }: { aeId: string }) {
  const me = useMe();
  const data = useLoad(() => load(aeId), [aeId]);
  if (data.error) return <LoadError error={data.error} what={t('aeDetail.loadWhat')} />;
  if (!data.data) return <p className="loading">{t('common.loading')}</p>;
  const { ae, subject, infusions } = data.data;
  const canWrite = hasRole(me, ['coordinator', 'investigator'], subject.studyId, subject.siteId);
  const canAssess = hasRole(me, ['safety'], subject.studyId);
  const given = infusions.filter((i) => i.status === 'given');
  return (
    <section className="cioms">
      <p className="crumbs no-print">
        <Link href={`/studies/${subject.studyId}/adverse-events`}>{t('aeDetail.crumb')}</Link> ·{' '}
        <Link href={`/subjects/${subject.id}`}>{t('aeDetail.subject', { code: ae.subjectCode })}</Link>
      </p>
      <h1>{t('aeDetail.title', { serious: ae.serious ? 'yes' : 'no', term: ae.term })}</h1>
      <p className="no-print">
        <button type="button" onClick={() => window.print()}>
          {t('aeDetail.print')}
        </button>{' '}
        <a href={`/api/adverse-events/${ae.id}/cioms.pdf`} download={`cioms-${ae.subjectCode}.pdf`}>
          {t('aeDetail.pdf')}
        </a>{' '}
        <a href={`/api/adverse-events/${ae.id}/cioms.html`} target="_blank" rel="noreferrer">
          {t('aeDetail.html')}
        </a>
      </p>
      <Clock clock={ae.clock} />
      {ae.deathRecordConflicts.length > 0 && (
        <div role="alert" className="error" aria-label={t('aeDetail.deathConflict')}>
          <strong>{t('aeDetail.deathConflictTitle')}</strong> {t('aeDetail.deathConflictWhere')}
          <ul>
            {ae.deathRecordConflicts.map((c) => (
              <li key={c.message}>{c.message}</li>
            ))}
          </ul>
        </div>
      )}

      <h2>{t('aeDetail.section1')}</h2>
      <dl className="facts" aria-label={t('aeDetail.reaction')}>
        <dt>{t('aeDetail.subjectLabel')}</dt>
        <dd>{t('aeDetail.subjectSite', { code: ae.subjectCode, site: ae.siteCode })}</dd>
        <dt>{t('aeDetail.sex')}</dt>
        <dd>{subject.sex ?? '—'}</dd>
        <dt>{t('aeDetail.birthDate')}</dt>
        <dd>{subject.birthDate ?? '—'}</dd>
        <dt>{t('aeDetail.term')}</dt>
        <dd>{ae.term}</dd>
        <dt>{t('aeDetail.onset')}</dt>
        <dd>{ae.onsetDate}</dd>
        <dt>{t('aeDetail.becameSerious')}</dt>
        <dd>{ae.seriousDate ?? '—'}</dd>
        <dt>{t('aeDetail.grade')}</dt>
        <dd>{ae.ctcaeGrade ?? '—'}</dd>
        <dt>{t('aeDetail.outcome')}</dt>
        <dd>{label(ae.outcome)}</dd>
        <dt>{t('aeDetail.resolution')}</dt>
        <dd>{ae.resolutionDate ?? '—'}</dd>
        {ae.deathDate && (
          <>
            <dt>{t('aeDetail.death')}</dt>
            <dd>
              {ae.deathDate}
              {ae.deathCause ? <> — {ae.deathCause}</> : null}
            </dd>
          </>
        )}
      </dl>
      <fieldset className="criteria">
        <legend>{t('aeDetail.criteriaLegend')}</legend>
        <ul aria-label={t('aeDetail.criteria')}>
          {SERIOUSNESS.map((s) => (
            <li key={s}>
              <span aria-hidden="true">{ae.seriousness.includes(s) ? '☒' : '☐'}</span> {label(s)}
              {ae.seriousness.includes(s) ? (
                <span className="visually-hidden"> {t('aeDetail.met')}</span>
              ) : null}
            </li>
          ))}
        </ul>
      </fieldset>
      <h3>{t('aeDetail.narrative')}</h3>
      <p className="narrative">{ae.narrative ?? '—'}</p>

      <h2>{t('aeDetail.section2')}</h2>
      {given.length === 0 ? (
        <p>{t('aeDetail.noInfusion')}</p>
      ) : (
        <TableScroll label={t('aeDetail.suspect')}>
          <table aria-label={t('aeDetail.suspect')}>
            <thead>
              <tr>
                <th scope="col">{t('aeDetail.col.infusion')}</th>
                <th scope="col">{t('aeDetail.col.given')}</th>
                <th scope="col">{t('aeDetail.col.lot')}</th>
                <th scope="col">{t('aeDetail.col.cellsPerKg')}</th>
              </tr>
            </thead>
            <tbody>
              {given.map((i) => (
                <tr key={i.id} className={i.id === ae.infusionId ? 'linked' : undefined}>
                  <td>
                    {i.cycle} / {i.infusionNumber}
                    {i.id === ae.infusionId ? ` ${t('aeDetail.linked')}` : ''}
                  </td>
                  <td>{i.startedAt ?? i.plannedDate ?? '—'}</td>
                  <td>{i.productLot ?? '—'}</td>
                  <td>{i.cellsPerKg === null ? '—' : i.cellsPerKg.toExponential(2)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <p>{t('aeDetail.actionTaken', { action: ae.actionTaken ?? '—' })}</p>

      <h2>{t('aeDetail.section3')}</h2>
      <dl className="facts" aria-label={t('aeDetail.causality')}>
        <dt>{t('aeDetail.investigatorCausality')}</dt>
        <dd>{label(ae.relatedness)}</dd>
        <dt>{t('aeDetail.sponsorCausality')}</dt>
        <dd>{label(ae.sponsorRelatedness)}</dd>
        <dt>{t('aeDetail.expectedness')}</dt>
        <dd>{ae.expectedness ? label(ae.expectedness) : t('aeDetail.notAssessed')}</dd>
      </dl>

      <h2>{t('aeDetail.section4')}</h2>
      <dl className="facts" aria-label={t('aeDetail.reportingDates')}>
        <dt>{t('aeDetail.siteAware')}</dt>
        <dd>{ae.siteAwareAt ?? '—'}</dd>
        <dt>{t('aeDetail.sponsorNotified')}</dt>
        <dd>{ae.sponsorNotifiedAt ?? '—'}</dd>
        <dt>{t('aeDetail.reportDue')}</dt>
        <dd>{ae.clock.reportDueDate ?? '—'}</dd>
        <dt>{t('aeDetail.reported')}</dt>
        <dd>{ae.reportedDate ?? '—'}</dd>
      </dl>
      {canAssess && <SponsorAssessment key={ae.version} ae={ae} onSaved={data.reload} />}

      <h2>{t('aeDetail.followUp')}</h2>
      {ae.followUps.length === 0 ? (
        <p>{t('aeDetail.noFollowUp')}</p>
      ) : (
        <ol className="follow-ups" aria-label={t('aeDetail.followUps')}>
          {ae.followUps.map((f) => (
            <li key={f.id}>
              <strong>{f.entryDate}</strong> — {f.text}{' '}
              <span className="muted">
                ({f.authorName}, {dateTimeText(f.createdAt)})
              </span>
            </li>
          ))}
        </ol>
      )}
      {canWrite && <FollowUpForm aeId={ae.id} onSaved={data.reload} />}
    </section>
  );
}

function Clock({ clock }: { clock: SaeClock }) {
  if (!clock.serious) return null;
  return (
    <div
      className={clock.overdue ? 'clock-panel overdue' : 'clock-panel'}
      role="status"
      aria-label={t('aeDetail.clock')}
    >
      <strong>{clock.overdue ? t('aeDetail.overdue') : t('aeDetail.clockLead')} </strong>
      {clockSummary(clock)}
      <ul>
        {clock.reasons.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
    </div>
  );
}

function SponsorAssessment({ ae, onSaved }: { ae: Detail; onSaved(): void }) {
  const [sponsorRelatedness, setSponsorRelatedness] = useState(ae.sponsorRelatedness ?? '');
  const [expectedness, setExpectedness] = useState(ae.expectedness ?? '');
  const [reportedDate, setReportedDate] = useState(ae.reportedDate ?? '');
  const [reason, setReason] = useState('');
  const { error, errs, submit, busy } = useSubmit(async () => {
    await api.patch('/api/adverse-events/:aeId/sponsor-assessment', {
      params: { aeId: ae.id },
      body: {
        sponsorRelatedness: (sponsorRelatedness || null) as (typeof RELATEDNESS)[number] | null,
        expectedness: (expectedness || null) as (typeof EXPECTEDNESS)[number] | null,
        reportedDate: reportedDate || null,
        version: ae.version,
        reason,
      },
    });
    onSaved();
  });
  return (
    <form
      id="sponsor-assessment"
      aria-label={t('aeDetail.assessment')}
      className="inline-form no-print"
      onSubmit={submit}
    >
      <SelectField
        label={t('aeDetail.sponsorCausality')}
        value={sponsorRelatedness}
        onChange={setSponsorRelatedness}
        options={['', ...RELATEDNESS].map((r) => ({
          value: r,
          label: r ? label(r) : t('aeDetail.notAssessedOption'),
        }))}
        error={errs.sponsorRelatedness}
      />
      <SelectField
        label={t('aeDetail.expectedness')}
        value={expectedness}
        onChange={setExpectedness}
        options={['', ...EXPECTEDNESS].map((r) => ({
          value: r,
          label: r ? label(r) : t('aeDetail.notAssessedOption'),
        }))}
        error={errs.expectedness}
      />
      <TextField
        label={t('aeDetail.reportedOn')}
        type="date"
        value={reportedDate}
        onChange={setReportedDate}
        error={errs.reportedDate}
      />
      <ChangeReasonAndError
        formId="sponsor-assessment"
        show
        reason={reason}
        onReason={setReason}
        reasonError={errs.reason}
        error={error}
        onReload={onSaved}
      />
      <button type="submit" disabled={busy}>
        {t('aeDetail.saveAssessment')}
      </button>
    </form>
  );
}

function FollowUpForm({ aeId, onSaved }: { aeId: string; onSaved(): void }) {
  const [entryDate, setEntryDate] = useState('');
  const [text, setText] = useState('');
  const { error, errs, submit, busy } = useSubmit(async () => {
    await api.post('/api/adverse-events/:aeId/follow-ups', { params: { aeId }, body: { entryDate, text } });
    setEntryDate('');
    setText('');
    onSaved();
  });
  return (
    <form aria-label={t('aeDetail.addFollowUp')} className="inline-form no-print" onSubmit={submit}>
      <TextField
        label={t('aeDetail.followUpDate')}
        type="date"
        value={entryDate}
        onChange={setEntryDate}
        required
        error={errs.entryDate}
      />
      <TextField label={t('aeDetail.followUp')} value={text} onChange={setText} required error={errs.text} />
      <button type="submit" disabled={busy}>
        {t('aeDetail.addFollowUpButton')}
      </button>
      <ErrorBox error={error} />
    </form>
  );
}
