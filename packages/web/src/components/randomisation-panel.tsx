// A subject's randomisation (issue 24): the randomise button once the subject is enrolled, the arm
// for roles the study does not blind (the server sends no arm to a blinded role), emergency
// unblinding by an investigator, with a reason, in a dialog, and corrections of the assignment (a
// new record with a reason; the arm as randomised stays, and the analysis uses it) for unblinded
// investigators and administrators (the server sends a blinded role no correction).
import { useState } from 'react';
import { api } from '../api/client.js';
import { fieldErrors } from '../api/problem.js';
import type { RandomisationStatus, Subject } from '../api/types.js';
import { useLoad } from '../hooks/use-load.js';
import { useSubmit } from '../hooks/use-submit.js';
import { t } from '../i18n/index.js';
import { dateText } from '../lib/dates.js';
import { hasRole, useMe } from '../session.js';
import { ErrorBox, LoadError } from './error-box.js';
import { SubmitCancel } from './submit-cancel.js';
import { SelectField, TextField } from './text-field.js';

interface ArmRef {
  id: string;
  label: string;
}

export function RandomisationPanel({
  subject,
  arms = [],
  onChanged,
}: {
  subject: Subject;
  /** The study's arms (definition), for labels and the correction's choice. */
  arms?: readonly ArmRef[];
  onChanged(): void;
}) {
  const me = useMe();
  const subjectId = subject.id;
  const data = useLoad(
    () => api.get('/api/subjects/:subjectId/randomisation', { params: { subjectId } }),
    [subjectId],
  );
  const randomise = useSubmit(async () => {
    await api.post('/api/subjects/:subjectId/randomise', { params: { subjectId } });
    data.reload();
    onChanged();
  });
  if (data.error) return <LoadError error={data.error} what={t('randomisation.loadWhat')} />;
  const r = data.data;
  if (!r?.studyRandomises) return null;
  const canRandomise = hasRole(me, ['coordinator', 'investigator'], subject.studyId, subject.siteId);
  const canUnblind = me.roles.some(
    (x) =>
      x.role === 'investigator' &&
      (x.studyId === null || x.studyId === subject.studyId) &&
      (x.siteId === null || x.siteId === subject.siteId),
  );
  const canCorrect =
    r.arm !== null &&
    (me.roles.some((x) => x.role === 'admin') ||
      hasRole(me, ['investigator'], subject.studyId, subject.siteId));
  const label = (id: string) => arms.find((a) => a.id === id)?.label ?? id;
  const reload = () => {
    data.reload();
    onChanged();
  };
  return (
    <section aria-labelledby="randomisation-h" className="form-panel">
      <h2 id="randomisation-h">{t('randomisation.title')}</h2>
      {!r.randomised ? (
        subject.status === 'enrolled' ? (
          <>
            <p>{t('randomisation.notYet')}</p>
            {canRandomise && (
              <form
                onSubmit={randomise.submit}
                aria-label={t('randomisation.randomise')}
                className="inline-form"
              >
                <button type="submit" disabled={randomise.busy}>
                  {t('randomisation.randomise')}
                </button>
                <ErrorBox error={randomise.error} onReload={data.reload} />
              </form>
            )}
          </>
        ) : (
          <p>{t('randomisation.notEnrolled')}</p>
        )
      ) : (
        <RandomisedFacts r={r} label={label} />
      )}
      {r.corrections.length > 0 && (
        <ul aria-label={t('randomisation.corrections')}>
          {r.corrections.map((c) => (
            <li key={c.id}>
              {t('randomisation.correction', {
                at: dateText(c.at),
                by: c.by,
                from: label(c.fromArm),
                to: label(c.toArm),
                reason: c.reason,
              })}
            </li>
          ))}
        </ul>
      )}
      {r.unblindings.length > 0 && (
        <ul aria-label={t('randomisation.unblindings')}>
          {r.unblindings.map((u) => (
            <li key={u.id}>
              {t('randomisation.unblinding', { at: dateText(u.at), by: u.by, reason: u.reason })}
            </li>
          ))}
        </ul>
      )}
      {r.randomised && canUnblind && <UnblindDialog subjectId={subjectId} onDone={reload} />}
      {r.randomised && canCorrect && (
        <CorrectDialog subjectId={subjectId} current={r.correctedArm ?? r.arm!} arms={arms} onDone={reload} />
      )}
    </section>
  );
}

function RandomisedFacts({ r, label }: { r: RandomisationStatus; label(id: string): string }) {
  return (
    <dl className="facts" aria-label={t('randomisation.assignment')}>
      <dt>{t('randomisation.arm')}</dt>
      <dd>{r.arm === null ? t('randomisation.blinded') : (r.armLabel ?? r.arm)}</dd>
      {r.correctedArm !== null && (
        <>
          <dt>{t('randomisation.correctedTo')}</dt>
          <dd>{t('randomisation.correctedArm', { arm: label(r.correctedArm) })}</dd>
        </>
      )}
      <dt>{t('randomisation.stratum')}</dt>
      <dd>{r.stratum}</dd>
      <dt>{t('randomisation.randomised')}</dt>
      <dd>{dateText(r.assignedAt)}</dd>
      {r.sequence !== null && (
        <>
          <dt>{t('randomisation.number')}</dt>
          <dd>{r.sequence}</dd>
        </>
      )}
    </dl>
  );
}

/** Emergency unblinding of this one subject: a reason is required; audited and shown to safety. */
function UnblindDialog({ subjectId, onDone }: { subjectId: string; onDone(): void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const { error, submit } = useSubmit(async () => {
    await api.post('/api/subjects/:subjectId/unblind', { params: { subjectId }, body: { reason } });
    setOpen(false);
    setReason('');
    onDone();
  });
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t('randomisation.unblind')}
      </button>
    );
  return (
    <div role="dialog" aria-modal="true" aria-labelledby="unblind-h" className="form-panel">
      <h3 id="unblind-h">{t('randomisation.unblind')}</h3>
      <p>{t('randomisation.unblindNote')}</p>
      <form onSubmit={submit} aria-label={t('randomisation.unblindSubmit')} className="inline-form">
        <TextField
          label={t('randomisation.unblindReason')}
          value={reason}
          onChange={setReason}
          required
          error={fieldErrors(error).reason}
        />
        <SubmitCancel
          submitLabel={t('randomisation.unblindSubmit')}
          onCancel={() => setOpen(false)}
          error={error}
          onReload={onDone}
        />
      </form>
    </div>
  );
}

/**
 * A correction of the assignment: the arm the subject is corrected to and why. The assignment is
 * never overwritten: the server records a new audited event, and the analysis keeps the arm as
 * randomised (intention to treat).
 */
function CorrectDialog({
  subjectId,
  current,
  arms,
  onDone,
}: {
  subjectId: string;
  current: string;
  arms: readonly ArmRef[];
  onDone(): void;
}) {
  const others = arms.filter((a) => a.id !== current);
  const [open, setOpen] = useState(false);
  const [toArm, setToArm] = useState(others[0]?.id ?? '');
  const [reason, setReason] = useState('');
  const { error, submit } = useSubmit(async () => {
    await api.post('/api/subjects/:subjectId/randomisation/corrections', {
      params: { subjectId },
      body: { toArm, reason },
    });
    setOpen(false);
    setReason('');
    onDone();
  });
  if (others.length === 0) return null;
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t('randomisation.correct')}
      </button>
    );
  const errors = fieldErrors(error);
  return (
    <div role="dialog" aria-modal="true" aria-labelledby="correct-h" className="form-panel">
      <h3 id="correct-h">{t('randomisation.correct')}</h3>
      <p>{t('randomisation.correctNote')}</p>
      <form onSubmit={submit} aria-label={t('randomisation.correct')} className="inline-form">
        <SelectField
          label={t('randomisation.correctArm')}
          value={toArm}
          onChange={setToArm}
          options={others.map((a) => ({ value: a.id, label: a.label }))}
          required
          error={errors.toArm}
        />
        <TextField
          label={t('randomisation.correctReason')}
          value={reason}
          onChange={setReason}
          required
          error={errors.reason}
        />
        <SubmitCancel
          submitLabel={t('randomisation.correctSubmit')}
          onCancel={() => setOpen(false)}
          error={error}
          onReload={onDone}
        />
      </form>
    </div>
  );
}
