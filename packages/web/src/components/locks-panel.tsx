import { useState } from 'react';
import { api } from '../api/client.js';
import { fieldErrors } from '../api/problem.js';
import type { BodyOf } from '../api/types.js';
import { useLoad } from '../hooks/use-load.js';
import { useSubmit } from '../hooks/use-submit.js';
import { t } from '../i18n/index.js';
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
  ['openQueries', () => t('locks.gap.openQueries')],
  ['unverifiedForms', () => t('locks.gap.unverifiedForms')],
  ['unsignedForms', () => t('locks.gap.unsignedForms')],
  ['missingForms', () => t('locks.gap.missingForms')],
] as const;
const levelWords = (level: string) => t('locks.level', { level });

/** The ready-to-lock report (issue 21): what is still open in the study or site, before its lock. */
function ReadinessReport({ report }: { report: Readiness }) {
  if (report.clean)
    return (
      <p role="status" className="readiness clean">
        {t('locks.ready')}
      </p>
    );
  const entries = (list: Readiness['unsignedForms']) =>
    list
      .slice(0, 10)
      .map((e) => (
        <li key={`${e.visitId}:${e.formCode}`}>
          {t('locks.entry', { subject: e.subjectCode, visit: e.visitCode, form: e.formCode })}
        </li>
      ));
  return (
    <section aria-label={t('locks.report')} className="readiness">
      <h3>{t('locks.notReady')}</h3>
      <ul>
        {GAPS.map(([key, words]) => (
          <li key={key}>
            {t('locks.gapLine', { count: report.counts[key], words: words() })}
            {report.counts[key] > 0 && (
              <ul>
                {key === 'openQueries'
                  ? report.openQueries
                      .slice(0, 10)
                      .map((q) => (
                        <li key={q.queryId}>
                          {t('locks.queryLine', { subject: q.subjectCode, text: q.text, status: q.status })}
                        </li>
                      ))
                  : entries(report[key])}
                {report.counts[key] > 10 && <li>{t('locks.more', { count: report.counts[key] - 10 })}</li>}
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
          {t('locks.freeze', { level: levelWords(target.level) })}
        </button>{' '}
        <button type="button" onClick={() => setOpen('lock')}>
          {t('locks.lock', { level: levelWords(target.level) })}
        </button>
      </>
    );
  return (
    <form
      onSubmit={submit}
      aria-label={
        open === 'lock'
          ? t('locks.lock', { level: levelWords(target.level) })
          : t('locks.freeze', { level: levelWords(target.level) })
      }
      className="inline-form"
    >
      <p className="hint">{open === 'lock' ? t('locks.lockHint') : t('locks.freezeHint')}</p>
      {withReport && report.error !== undefined && (
        <LoadError error={report.error} what={t('locks.loadReport')} />
      )}
      {withReport && report.data === undefined && report.error === undefined && (
        <p className="loading">{t('locks.readingReport')}</p>
      )}
      {report.data && <ReadinessReport report={report.data} />}
      <TextField
        label={t('locks.reason')}
        value={reason}
        onChange={setReason}
        required
        error={fieldErrors(error).reason}
      />
      {needsOverride && (
        <TextField
          label={t('locks.overrideReason', { level: levelWords(target.level) })}
          value={override}
          onChange={setOverride}
          required
          error={fieldErrors(error).overrideReason}
        />
      )}
      <SubmitCancel
        submitLabel={
          open === 'lock'
            ? t('locks.lock', { level: levelWords(target.level) })
            : t('locks.freeze', { level: levelWords(target.level) })
        }
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
        {t('locks.release')}
      </button>
    );
  return (
    <form onSubmit={submit} aria-label={t('locks.releaseForm')} className="inline-form">
      <TextField
        label={t('locks.releaseReason')}
        value={reason}
        onChange={setReason}
        required
        error={fieldErrors(error).reason}
      />
      <SubmitCancel
        submitLabel={t('locks.release')}
        onCancel={() => setOpen(false)}
        error={error}
        onReload={onDone}
      />
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
      ? t('locks.wholeStudy')
      : l.level === 'site'
        ? t('locks.site', { site: siteCode.get(l.siteId ?? '') ?? l.siteId ?? '' })
        : t('locks.subject', { subject: l.subjectCode ?? '' });
  return (
    <section aria-labelledby="locks-h">
      <h2 id="locks-h">{t('locks.title')}</h2>
      {locks.error ? <LoadError error={locks.error} what={t('locks.loadWhat')} /> : null}
      {locks.data && locks.data.length === 0 && <p>{t('locks.none')}</p>}
      {locks.data && locks.data.length > 0 && (
        <TableScroll label={t('locks.title')}>
          <table aria-label={t('locks.title')}>
            <thead>
              <tr>
                <th scope="col">{t('locks.col.what')}</th>
                <th scope="col">{t('locks.col.kind')}</th>
                <th scope="col">{t('locks.col.set')}</th>
                <th scope="col">{t('locks.col.released')}</th>
                <th scope="col">{t('locks.col.action')}</th>
              </tr>
            </thead>
            <tbody>
              {locks.data.map((l) => (
                <tr key={l.id} className={l.releasedAt ? 'released' : 'active'}>
                  <td>{where(l)}</td>
                  <td>{t('locks.kind', { kind: l.kind })}</td>
                  <td>
                    {t('locks.byAt', { name: l.lockedBy })}
                    <time dateTime={l.lockedAt}>{dateTimeText(l.lockedAt)}</time>
                    {t('locks.why', { reason: l.reason })}
                    {l.overrideReason && t('locks.override', { reason: l.overrideReason })}
                  </td>
                  <td>
                    {l.releasedAt ? (
                      <>
                        {t('locks.byAt', { name: l.releasedBy ?? '' })}
                        <time dateTime={l.releasedAt}>{dateTimeText(l.releasedAt)}</time>
                        {t('locks.why', { reason: l.releaseReason ?? '' })}
                      </>
                    ) : (
                      t('locks.active')
                    )}
                  </td>
                  <td>
                    {!l.releasedAt && canLock && (
                      <ReleaseLock lockId={l.id} version={l.version} onDone={locks.reload} />
                    )}
                    {!l.releasedAt && !canLock && canRequest && (
                      <RequestUnlock
                        targetType="lock"
                        targetId={l.id}
                        what={t('locks.theLevel', { level: l.level })}
                      />
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
            <label htmlFor="lock-site">{t('locks.siteLabel')}</label>
            <select id="lock-site" value={siteId} onChange={(e) => setSiteId(e.target.value)}>
              <option value="">{t('locks.chooseSite')}</option>
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
