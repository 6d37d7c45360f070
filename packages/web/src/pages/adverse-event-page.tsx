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
import { dateTimeText } from '../lib/dates.js';
import { clockSummary, type SaeClock } from '../lib/sae-clock.js';
import { Link } from '../router.js';
import { hasRole, useMe } from '../session.js';

const label = (code: string | null) => (code ? code.replaceAll('_', ' ') : '—');
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
  if (data.error) return <LoadError error={data.error} what="adverse event" />;
  if (!data.data) return <p className="loading">Loading…</p>;
  const { ae, subject, infusions } = data.data;
  const canWrite = hasRole(me, ['coordinator', 'investigator'], subject.studyId, subject.siteId);
  const canAssess = hasRole(me, ['safety'], subject.studyId);
  const given = infusions.filter((i) => i.status === 'given');
  return (
    <section className="cioms">
      <p className="crumbs no-print">
        <Link href={`/studies/${subject.studyId}/adverse-events`}>Adverse events</Link> ·{' '}
        <Link href={`/subjects/${subject.id}`}>Subject {ae.subjectCode}</Link>
      </p>
      <h1>
        {ae.serious ? 'Serious adverse event' : 'Adverse event'}: {ae.term}
      </h1>
      <p className="no-print">
        <button type="button" onClick={() => window.print()}>
          Print (CIOMS-I style)
        </button>{' '}
        <a href={`/api/adverse-events/${ae.id}/cioms.pdf`} download={`cioms-${ae.subjectCode}.pdf`}>
          CIOMS-I form (PDF)
        </a>{' '}
        <a href={`/api/adverse-events/${ae.id}/cioms.html`} target="_blank" rel="noreferrer">
          CIOMS-I form (HTML)
        </a>
      </p>
      <Clock clock={ae.clock} />
      {ae.deathRecordConflicts.length > 0 && (
        <div role="alert" className="error" aria-label="Death records disagree">
          <strong>The subject's death records disagree</strong> (adverse events, end-of-study form, survival):
          <ul>
            {ae.deathRecordConflicts.map((c) => (
              <li key={c.message}>{c.message}</li>
            ))}
          </ul>
        </div>
      )}

      <h2>I. Reaction information</h2>
      <dl className="facts" aria-label="Reaction information">
        <dt>Subject</dt>
        <dd>
          {ae.subjectCode} (site {ae.siteCode})
        </dd>
        <dt>Sex</dt>
        <dd>{subject.sex ?? '—'}</dd>
        <dt>Birth date</dt>
        <dd>{subject.birthDate ?? '—'}</dd>
        <dt>Reaction (term)</dt>
        <dd>{ae.term}</dd>
        <dt>Onset</dt>
        <dd>{ae.onsetDate}</dd>
        <dt>Became serious</dt>
        <dd>{ae.seriousDate ?? '—'}</dd>
        <dt>CTCAE grade</dt>
        <dd>{ae.ctcaeGrade ?? '—'}</dd>
        <dt>Outcome</dt>
        <dd>{label(ae.outcome)}</dd>
        <dt>Resolution date</dt>
        <dd>{ae.resolutionDate ?? '—'}</dd>
        {ae.deathDate && (
          <>
            <dt>Death</dt>
            <dd>
              {ae.deathDate}
              {ae.deathCause ? ` — ${ae.deathCause}` : ''}
            </dd>
          </>
        )}
      </dl>
      <fieldset className="criteria">
        <legend>Seriousness criteria (ICH E2A)</legend>
        <ul aria-label="Seriousness criteria">
          {SERIOUSNESS.map((s) => (
            <li key={s}>
              <span aria-hidden="true">{ae.seriousness.includes(s) ? '☒' : '☐'}</span> {label(s)}
              {ae.seriousness.includes(s) ? <span className="visually-hidden"> (met)</span> : null}
            </li>
          ))}
        </ul>
      </fieldset>
      <h3>Narrative</h3>
      <p className="narrative">{ae.narrative ?? '—'}</p>

      <h2>II. Suspect product: MSC infusions</h2>
      {given.length === 0 ? (
        <p>No infusion given.</p>
      ) : (
        <TableScroll label="Suspect product">
          <table aria-label="Suspect product">
            <thead>
              <tr>
                <th scope="col">Cycle / infusion</th>
                <th scope="col">Given</th>
                <th scope="col">Lot</th>
                <th scope="col">Cells/kg</th>
              </tr>
            </thead>
            <tbody>
              {given.map((i) => (
                <tr key={i.id} className={i.id === ae.infusionId ? 'linked' : undefined}>
                  <td>
                    {i.cycle} / {i.infusionNumber}
                    {i.id === ae.infusionId ? ' (linked to this event)' : ''}
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
      <p>Action taken: {ae.actionTaken ?? '—'}</p>

      <h2>III. Causality and expectedness</h2>
      <dl className="facts" aria-label="Causality">
        <dt>Investigator's causality</dt>
        <dd>{label(ae.relatedness)}</dd>
        <dt>Sponsor's causality</dt>
        <dd>{label(ae.sponsorRelatedness)}</dd>
        <dt>Expectedness</dt>
        <dd>{ae.expectedness ?? 'not yet assessed'}</dd>
      </dl>

      <h2>IV. Reporting</h2>
      <dl className="facts" aria-label="Reporting dates">
        <dt>Site aware</dt>
        <dd>{ae.siteAwareAt ?? '—'}</dd>
        <dt>Sponsor notified</dt>
        <dd>{ae.sponsorNotifiedAt ?? '—'}</dd>
        <dt>Expedited report due</dt>
        <dd>{ae.clock.reportDueDate ?? '—'}</dd>
        <dt>Reported</dt>
        <dd>{ae.reportedDate ?? '—'}</dd>
      </dl>
      {canAssess && <SponsorAssessment key={ae.version} ae={ae} onSaved={data.reload} />}

      <h2>Follow-up</h2>
      {ae.followUps.length === 0 ? (
        <p>No follow-up recorded.</p>
      ) : (
        <ol className="follow-ups" aria-label="Follow-ups">
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
      aria-label="Reporting clock"
    >
      <strong>{clock.overdue ? 'Overdue: ' : 'Reporting clock: '}</strong>
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
      aria-label="Sponsor assessment"
      className="inline-form no-print"
      onSubmit={submit}
    >
      <SelectField
        label="Sponsor's causality"
        value={sponsorRelatedness}
        onChange={setSponsorRelatedness}
        options={['', ...RELATEDNESS].map((r) => ({ value: r, label: r ? label(r) : '(not assessed)' }))}
        error={errs.sponsorRelatedness}
      />
      <SelectField
        label="Expectedness"
        value={expectedness}
        onChange={setExpectedness}
        options={['', ...EXPECTEDNESS].map((r) => ({ value: r, label: r || '(not assessed)' }))}
        error={errs.expectedness}
      />
      <TextField
        label="Expedited report submitted on"
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
        Save assessment
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
    <form aria-label="Add a follow-up" className="inline-form no-print" onSubmit={submit}>
      <TextField
        label="Follow-up date"
        type="date"
        value={entryDate}
        onChange={setEntryDate}
        required
        error={errs.entryDate}
      />
      <TextField label="Follow-up" value={text} onChange={setText} required error={errs.text} />
      <button type="submit" disabled={busy}>
        Add follow-up
      </button>
      <ErrorBox error={error} />
    </form>
  );
}
