import { useState } from 'react';
import { api } from '../api/client.js';
import { fieldErrors } from '../api/problem.js';
import type { Visit } from '../api/types.js';
import { useSubmit } from '../hooks/use-submit.js';
import { t } from '../i18n/index.js';
import { SubmitCancel } from './submit-cancel.js';
import { TextField } from './text-field.js';

/**
 * The site declares a visit missed (not done), or takes that back, with a reason either way (audited).
 * Offered only for a visit without a date or data, or one already declared missed; the server
 * enforces the same rule.
 */
export function MissedVisit({ visit, onDone }: { visit: Visit; onDone(): void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const missed = visit.status === 'missed';
  const label = missed ? t('missedVisit.takeBackTitle') : t('missedVisit.declareTitle');
  const { error, submit } = useSubmit(async () => {
    await api.post('/api/visits/:visitId/missed', {
      params: { visitId: visit.id },
      body: { version: visit.version, missed: !missed, reason },
    });
    setOpen(false);
    setReason('');
    onDone();
  });
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {label}
      </button>
    );
  return (
    <form onSubmit={submit} aria-label={label} className="inline-form">
      <TextField
        label={missed ? t('missedVisit.takeBackReason') : t('missedVisit.declareReason')}
        value={reason}
        onChange={setReason}
        required
        error={fieldErrors(error).reason}
      />
      <SubmitCancel
        submitLabel={missed ? t('missedVisit.takeBack') : t('missedVisit.declare')}
        onCancel={() => setOpen(false)}
        error={error}
        onReload={onDone}
      />
    </form>
  );
}
