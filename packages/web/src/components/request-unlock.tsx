import { useState } from 'react';
import { api } from '../api/client.js';
import { fieldErrors } from '../api/problem.js';
import { useSubmit } from '../hooks/use-submit.js';
import { t } from '../i18n/index.js';
import { SubmitCancel } from './submit-cancel.js';
import { TextField } from './text-field.js';

/** Site staff ask, with a reason, that a signed form or a lock be unlocked (it reaches the investigator's or administrator's worklist). */
export function RequestUnlock({
  targetType,
  targetId,
  what,
}: {
  targetType: 'form' | 'lock';
  targetId: string;
  what: string;
}) {
  const [open, setOpen] = useState(false);
  const [sent, setSent] = useState(false);
  const [reason, setReason] = useState('');
  const { error, submit } = useSubmit(async () => {
    await api.post('/api/unlock-requests', { body: { targetType, targetId, reason } });
    setOpen(false);
    setSent(true);
  });
  if (sent) return <p role="status">{t('unlock.requested', { what })}</p>;
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t('unlock.request', { what })}
      </button>
    );
  return (
    <form onSubmit={submit} aria-label={t('unlock.request', { what })} className="inline-form">
      <TextField
        label={t('unlock.why')}
        value={reason}
        onChange={setReason}
        required
        error={fieldErrors(error).reason}
      />
      <SubmitCancel
        submitLabel={t('unlock.submit')}
        onCancel={() => setOpen(false)}
        error={error}
        onReload={() => setOpen(false)}
      />
    </form>
  );
}
