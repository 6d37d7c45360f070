// A subject's randomisation (issue 24): the randomise button once the subject is enrolled, the arm
// for roles the study does not blind (the server sends no arm to a blinded role), and emergency
// unblinding by an investigator, with a reason, in a dialog.
import { useState } from 'react';
import { api } from '../api/client.js';
import { fieldErrors } from '../api/problem.js';
import type { RandomisationStatus, Subject } from '../api/types.js';
import { useLoad } from '../hooks/use-load.js';
import { useSubmit } from '../hooks/use-submit.js';
import { hasRole, useMe } from '../session.js';
import { ErrorBox, LoadError } from './error-box.js';
import { SubmitCancel } from './submit-cancel.js';
import { TextField } from './text-field.js';

export function RandomisationPanel({ subject, onChanged }: { subject: Subject; onChanged(): void }) {
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
  if (data.error) return <LoadError error={data.error} what="randomisation" />;
  const r = data.data;
  if (!r?.studyRandomises) return null;
  const canRandomise = hasRole(me, ['coordinator', 'investigator'], subject.studyId, subject.siteId);
  const canUnblind = me.roles.some(
    (x) =>
      x.role === 'investigator' &&
      (x.studyId === null || x.studyId === subject.studyId) &&
      (x.siteId === null || x.siteId === subject.siteId),
  );
  return (
    <section aria-labelledby="randomisation-h" className="form-panel">
      <h2 id="randomisation-h">Randomisation</h2>
      {!r.randomised ? (
        subject.status === 'enrolled' ? (
          <>
            <p>Not randomised yet. The assignment is final once made.</p>
            {canRandomise && (
              <form onSubmit={randomise.submit} aria-label="Randomise" className="inline-form">
                <button type="submit" disabled={randomise.busy}>
                  Randomise
                </button>
                <ErrorBox error={randomise.error} onReload={data.reload} />
              </form>
            )}
          </>
        ) : (
          <p>Randomisation opens once eligibility is confirmed and the subject is enrolled.</p>
        )
      ) : (
        <RandomisedFacts r={r} />
      )}
      {r.unblindings.length > 0 && (
        <ul aria-label="Emergency unblindings">
          {r.unblindings.map((u) => (
            <li key={u.id}>
              Unblinded {u.at.slice(0, 10)} by {u.by}: {u.reason}
            </li>
          ))}
        </ul>
      )}
      {r.randomised && canUnblind && (
        <UnblindDialog
          subjectId={subjectId}
          onDone={() => {
            data.reload();
            onChanged();
          }}
        />
      )}
    </section>
  );
}

function RandomisedFacts({ r }: { r: RandomisationStatus }) {
  return (
    <dl className="facts" aria-label="Assignment">
      <dt>Arm</dt>
      <dd>{r.arm === null ? 'Blinded (your role does not see the arm)' : (r.armLabel ?? r.arm)}</dd>
      <dt>Stratum</dt>
      <dd>{r.stratum}</dd>
      <dt>Randomised</dt>
      <dd>{r.assignedAt?.slice(0, 10)}</dd>
      {r.sequence !== null && (
        <>
          <dt>Number in stratum</dt>
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
        Emergency unblinding
      </button>
    );
  return (
    <div role="dialog" aria-modal="true" aria-labelledby="unblind-h" className="form-panel">
      <h3 id="unblind-h">Emergency unblinding</h3>
      <p>
        This reveals the arm of this subject only, is recorded in the audit trail with your name and reason,
        and is shown to the safety reviewers.
      </p>
      <form onSubmit={submit} aria-label="Unblind" className="inline-form">
        <TextField
          label="Reason for unblinding"
          value={reason}
          onChange={setReason}
          required
          error={fieldErrors(error).reason}
        />
        <SubmitCancel submitLabel="Unblind" onCancel={() => setOpen(false)} error={error} onReload={onDone} />
      </form>
    </div>
  );
}
