import { useState } from 'react';
import { api } from '../api/client.js';
import { fieldErrors } from '../api/problem.js';
import { LoadError } from '../components/error-box.js';
import { LocksPanel } from '../components/locks-panel.js';
import { SignCeremony } from '../components/sign-ceremony.js';
import { SubmitCancel } from '../components/submit-cancel.js';
import { TableScroll } from '../components/table-scroll.js';
import { TextField } from '../components/text-field.js';
import { useLoad } from '../hooks/use-load.js';
import { useSubmit } from '../hooks/use-submit.js';
import { t } from '../i18n/index.js';
import { dateTimeText } from '../lib/dates.js';
import { Link } from '../router.js';
import { hasRole, isAdmin, useMe } from '../session.js';

function DeclineRequest({ id, version, onDone }: { id: string; version: number; onDone(): void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const { error, submit } = useSubmit(async () => {
    await api.post('/api/unlock-requests/:requestId/decline', {
      params: { requestId: id },
      body: { version, reason },
    });
    setOpen(false);
    onDone();
  });
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t('signatures.decline')}
      </button>
    );
  return (
    <form onSubmit={submit} aria-label={t('signatures.declineForm')} className="inline-form">
      <TextField
        label={t('signatures.declineReason')}
        value={reason}
        onChange={setReason}
        required
        error={fieldErrors(error).reason}
      />
      <SubmitCancel
        submitLabel={t('signatures.decline')}
        onCancel={() => setOpen(false)}
        error={error}
        onReload={onDone}
      />
    </form>
  );
}

/**
 * Signatures and locks of a study: the investigator's worklist (forms awaiting my signature, each
 * visit signed in one ceremony; requests to unlock) and the study's freezes and locks.
 */
export function SignaturesPage({ studyId }: { studyId: string }) {
  const me = useMe();
  const signer = hasRole(me, 'investigator', studyId);
  const study = useLoad(
    () =>
      Promise.all([
        api.get('/api/studies/:studyId', { params: { studyId } }),
        api.get('/api/studies/:studyId/sites', { params: { studyId } }),
      ]),
    [studyId],
  );
  const work = useLoad(
    () =>
      signer
        ? api.get('/api/studies/:studyId/signature-worklist', { params: { studyId } })
        : Promise.resolve(undefined),
    [studyId],
  );
  if (study.error) return <LoadError error={study.error} what={t('signatures.loadStudy')} />;
  if (!study.data) return <p className="loading">{t('common.loading')}</p>;
  const [s, sites] = study.data;
  const w = work.data;
  return (
    <section>
      <p className="crumbs">
        <Link href={`/studies/${studyId}`}>{s.code}</Link>
      </p>
      <h1>{t('signatures.title', { study: s.code })}</h1>
      {signer && (
        <section aria-labelledby="awaiting-h">
          <h2 id="awaiting-h">{t('signatures.awaiting')}</h2>
          {work.error ? <LoadError error={work.error} what={t('signatures.loadWorklist')} /> : null}
          {w && w.awaiting.length === 0 && <p>{t('signatures.noneAwaiting')}</p>}
          {w?.truncated && <p className="hint">{t('signatures.truncated')}</p>}
          {w && w.awaiting.length > 0 && (
            <TableScroll label={t('signatures.awaiting')}>
              <table aria-label={t('signatures.awaiting')}>
                <thead>
                  <tr>
                    <th scope="col">{t('signatures.col.subject')}</th>
                    <th scope="col">{t('signatures.col.visit')}</th>
                    <th scope="col">{t('signatures.col.forms')}</th>
                    <th scope="col">{t('signatures.col.sign')}</th>
                  </tr>
                </thead>
                <tbody>
                  {w.awaiting.flatMap((subj) =>
                    subj.visits.map((v) => {
                      const visitLabel = `${v.visitCode}${v.cycle > 1 ? t('signatures.cycle', { cycle: v.cycle }) : ''}`;
                      return (
                        <tr key={v.visitId}>
                          <td>
                            <Link href={`/subjects/${subj.subjectId}`}>{subj.subjectCode}</Link>
                            {t('signatures.site', { site: subj.siteCode })}
                          </td>
                          <td>
                            <Link href={`/visits/${v.visitId}`}>{visitLabel}</Link>
                          </td>
                          <td>{v.forms.map((f) => f.formCode).join(', ')}</td>
                          <td>
                            <SignCeremony
                              subjectId={subj.subjectId}
                              visitId={v.visitId}
                              label={t('signatures.signVisit', {
                                visit: visitLabel,
                                subject: subj.subjectCode,
                              })}
                              meaning={w.meaning}
                              forms={v.forms.map((f) => ({ ...f, visitLabel }))}
                              onDone={work.reload}
                            />
                          </td>
                        </tr>
                      );
                    }),
                  )}
                </tbody>
              </table>
            </TableScroll>
          )}
          <h2 id="requests-h">{t('signatures.requests')}</h2>
          {w && w.unlockRequests.length === 0 && <p>{t('signatures.noRequest')}</p>}
          {w && w.unlockRequests.length > 0 && (
            <TableScroll label={t('signatures.requests')}>
              <table aria-labelledby="requests-h">
                <thead>
                  <tr>
                    <th scope="col">{t('signatures.col.what')}</th>
                    <th scope="col">{t('signatures.col.requested')}</th>
                    <th scope="col">{t('signatures.col.reason')}</th>
                    <th scope="col">{t('signatures.col.action')}</th>
                  </tr>
                </thead>
                <tbody>
                  {w.unlockRequests.map((r) => (
                    <tr key={r.id}>
                      <td>
                        {r.targetType === 'form' && r.visitId ? (
                          <Link href={`/visits/${r.visitId}`}>
                            {t('signatures.formTarget', {
                              subject: r.subjectCode ?? '',
                              visit: r.visitCode ?? '',
                              form: r.formCode ?? '',
                            })}
                          </Link>
                        ) : (
                          t('signatures.lockTarget', {
                            kind: r.lockKind ?? 'lock',
                            level: r.lockLevel ?? '',
                            subject: r.subjectCode ? ` ${r.subjectCode}` : '',
                          })
                        )}
                      </td>
                      <td>
                        {t('signatures.by', { name: r.requestedBy })}
                        <time dateTime={r.requestedAt}>{dateTimeText(r.requestedAt)}</time>
                      </td>
                      <td>{r.reason}</td>
                      <td>
                        <DeclineRequest id={r.id} version={r.version} onDone={work.reload} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
        </section>
      )}
      <LocksPanel
        studyId={studyId}
        sites={sites}
        canLock={isAdmin(me)}
        canRequest={hasRole(me, ['coordinator', 'investigator'], studyId)}
      />
    </section>
  );
}
