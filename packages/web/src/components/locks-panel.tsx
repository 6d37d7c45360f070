import { useState } from 'react';
import { api } from '../api/client.js';
import { fieldErrors } from '../api/problem.js';
import type { BodyOf } from '../api/types.js';
import { useLoad } from '../hooks/use-load.js';
import { useSubmit } from '../hooks/use-submit.js';
import { dateTimeText } from '../lib/dates.js';
import { LoadError } from './error-box.js';
import { RequestUnlock } from './request-unlock.js';
import { SubmitCancel } from './submit-cancel.js';
import { TableScroll } from './table-scroll.js';
import { TextField } from './text-field.js';

type NewLock = BodyOf<'POST', '/api/studies/:studyId/locks'>;

type Readiness = Awaited<ReturnType<typeof loadReadiness>>;
const loadReadiness = (studyId: string, siteId?: string) =>
  api.get('/api/studies/:studyId/lock-readiness', { params: { studyId }, query: siteId ? { siteId } : {} });

const GAPS = [
  ['openQueries', 'open or answered queries'],
  ['unverifiedForms', 'forms the SDV plan needs verified that are not'],
  ['unsignedForms', 'forms not signed by the investigator'],
  ['missingForms', 'forms the visit schedule expects that were never entered'],
] as const;

/** The ready-to-lock report (issue 21): what is still open in the study or site, before its lock. */
function ReadinessReport({ report }: { report: Readiness }) {
  if (report.clean)
    return (
      <p role="status" className="readiness clean">
        Ready to lock: no open query, every form the SDV plan needs is verified, every form is signed and none
        is missing.
      </p>
    );
  const entries = (list: Readiness['unsignedForms']) =>
    list.slice(0, 10).map((e) => (
      <li key={`${e.visitId}:${e.formCode}`}>
        {e.subjectCode}, visit {e.visitCode}, form {e.formCode}
      </li>
    ));
  return (
    <section aria-label="Ready to lock report" className="readiness">
      <h3>Not ready to lock</h3>
      <ul>
        {GAPS.map(([key, words]) => (
          <li key={key}>
            {report.counts[key]} {words}
            {report.counts[key] > 0 && (
              <ul>
                {key === 'openQueries'
                  ? report.openQueries.slice(0, 10).map((q) => (
                      <li key={q.queryId}>
                        {q.subjectCode}: {q.text} ({q.status})
                      </li>
                    ))
                  : entries(report[key])}
                {report.counts[key] > 10 && <li>… and {report.counts[key] - 10} more</li>}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Freeze or lock the study, a site or a subject, with a reason (administrators; the server decides). */
export function LockForm({
  studyId,
  target,
  onDone,
}: {
  studyId: string;
  /** What is locked: the study, a site or a subject, with its label. */
  target: { level: 'study' } | { level: 'site'; siteId: string } | { level: 'subject'; subjectId: string };
  onDone(): void;
}) {
  const [open, setOpen] = useState<NewLock['kind'] | undefined>();
  const [reason, setReason] = useState('');
  const [override, setOverride] = useState('');
  // A database lock of the study or a site is set on its ready-to-lock report.
  const withReport = open === 'lock' && target.level !== 'subject';
  const report = useLoad(
    () =>
      withReport
        ? loadReadiness(studyId, target.level === 'site' ? target.siteId : undefined)
        : Promise.resolve(undefined),
    [withReport, studyId, target.level === 'site' ? target.siteId : ''],
  );
  const needsOverride = withReport && report.data !== undefined && !report.data.clean;
  const { error, submit } = useSubmit(async () => {
    if (!open) return;
    await api.post('/api/studies/:studyId/locks', {
      params: { studyId },
      body: { ...target, kind: open, reason, ...(needsOverride ? { overrideReason: override } : {}) },
    });
    setOpen(undefined);
    setReason('');
    setOverride('');
    onDone();
  });
  if (!open)
    return (
      <>
        <button type="button" onClick={() => setOpen('freeze')}>
          Freeze {target.level}
        </button>{' '}
        <button type="button" onClick={() => setOpen('lock')}>
          Lock {target.level}
        </button>
      </>
    );
  return (
    <form
      onSubmit={submit}
      aria-label={`${open === 'lock' ? 'Lock' : 'Freeze'} ${target.level}`}
      className="inline-form"
    >
      <p className="hint">
        {open === 'lock'
          ? 'A lock refuses every change, signatures included.'
          : 'A freeze refuses every change of the data; investigators can still sign.'}
      </p>
      {withReport && report.error !== undefined && (
        <LoadError error={report.error} what="ready-to-lock report" />
      )}
      {withReport && report.data === undefined && report.error === undefined && (
        <p className="loading">Reading the ready-to-lock report…</p>
      )}
      {report.data && <ReadinessReport report={report.data} />}
      <TextField
        label="Reason"
        value={reason}
        onChange={setReason}
        required
        error={fieldErrors(error).reason}
      />
      {needsOverride && (
        <TextField
          label={`Reason to lock the ${target.level} although it is not ready`}
          value={override}
          onChange={setOverride}
          required
          error={fieldErrors(error).overrideReason}
        />
      )}
      <SubmitCancel
        submitLabel={open === 'lock' ? `Lock ${target.level}` : `Freeze ${target.level}`}
        onCancel={() => setOpen(undefined)}
        error={error}
        onReload={onDone}
      />
    </form>
  );
}

function ReleaseLock({ lockId, version, onDone }: { lockId: string; version: number; onDone(): void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const { error, submit } = useSubmit(async () => {
    await api.post('/api/locks/:lockId/release', { params: { lockId }, body: { version, reason } });
    setOpen(false);
    onDone();
  });
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Release
      </button>
    );
  return (
    <form onSubmit={submit} aria-label="Release lock" className="inline-form">
      <TextField
        label="Reason for releasing"
        value={reason}
        onChange={setReason}
        required
        error={fieldErrors(error).reason}
      />
      <SubmitCancel submitLabel="Release" onCancel={() => setOpen(false)} error={error} onReload={onDone} />
    </form>
  );
}

/**
 * The study's freezes and locks (study, site, subject), active first, with who set and released
 * them and why; administrators set and release them, site staff may request a release.
 */
export function LocksPanel({
  studyId,
  sites,
  canLock,
  canRequest,
}: {
  studyId: string;
  sites: readonly { id: string; code: string }[];
  canLock: boolean;
  canRequest: boolean;
}) {
  const locks = useLoad(() => api.get('/api/studies/:studyId/locks', { params: { studyId } }), [studyId]);
  const [siteId, setSiteId] = useState('');
  const siteCode = new Map(sites.map((s) => [s.id, s.code]));
  const where = (l: { level: string; siteId: string | null; subjectCode: string | null }) =>
    l.level === 'study'
      ? 'whole study'
      : l.level === 'site'
        ? `site ${siteCode.get(l.siteId ?? '') ?? l.siteId}`
        : `subject ${l.subjectCode}`;
  return (
    <section aria-labelledby="locks-h">
      <h2 id="locks-h">Freezes and locks</h2>
      {locks.error ? <LoadError error={locks.error} what="locks" /> : null}
      {locks.data && locks.data.length === 0 && <p>No freeze or lock has been set.</p>}
      {locks.data && locks.data.length > 0 && (
        <TableScroll label="Freezes and locks">
          <table aria-label="Freezes and locks">
            <thead>
              <tr>
                <th scope="col">What</th>
                <th scope="col">Kind</th>
                <th scope="col">Set by, at, why</th>
                <th scope="col">Released</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {locks.data.map((l) => (
                <tr key={l.id} className={l.releasedAt ? 'released' : 'active'}>
                  <td>{where(l)}</td>
                  <td>{l.kind}</td>
                  <td>
                    {l.lockedBy}, <time dateTime={l.lockedAt}>{dateTimeText(l.lockedAt)}</time>: {l.reason}
                    {l.overrideReason && <> (locked although not ready: {l.overrideReason})</>}
                  </td>
                  <td>
                    {l.releasedAt ? (
                      <>
                        {l.releasedBy}, <time dateTime={l.releasedAt}>{dateTimeText(l.releasedAt)}</time>:{' '}
                        {l.releaseReason}
                      </>
                    ) : (
                      'active'
                    )}
                  </td>
                  <td>
                    {!l.releasedAt && canLock && (
                      <ReleaseLock lockId={l.id} version={l.version} onDone={locks.reload} />
                    )}
                    {!l.releasedAt && !canLock && canRequest && (
                      <RequestUnlock targetType="lock" targetId={l.id} what={`the ${l.level}`} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {canLock && (
        <div className="actions">
          <LockForm studyId={studyId} target={{ level: 'study' }} onDone={locks.reload} />
          <div className="field">
            <label htmlFor="lock-site">Site</label>
            <select id="lock-site" value={siteId} onChange={(e) => setSiteId(e.target.value)}>
              <option value="">choose a site…</option>
              {sites.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.code}
                </option>
              ))}
            </select>
          </div>
          {siteId && <LockForm studyId={studyId} target={{ level: 'site', siteId }} onDone={locks.reload} />}
        </div>
      )}
    </section>
  );
}
