import { useState } from 'react';
import { api } from '../../api/client.js';
import { fieldErrors } from '../../api/problem.js';
import type { UserRow } from '../../api/types.js';
import { useSubmit } from '../../hooks/use-submit.js';
import { t } from '../../i18n/index.js';
import { SubmitCancel } from '../submit-cancel.js';
import { TextField } from '../text-field.js';

/**
 * Deactivate or reactivate a user, with a reason (audited). A deactivated user cannot log in and
 * their sessions end at once; an admin cannot deactivate themselves (the server refuses it).
 */
export function UserActive({ user, onDone }: { user: UserRow; onDone(): void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const action = user.active ? 'deactivate' : 'reactivate';
  const verb = t('adminUserActive.verb', { action });
  const { error, submit } = useSubmit(async () => {
    await api.post('/api/users/:userId/active', {
      params: { userId: user.id },
      body: { active: !user.active, version: user.version, reason },
    });
    setOpen(false);
    setReason('');
    onDone();
  });
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {verb}
      </button>
    );
  return (
    <form
      onSubmit={submit}
      aria-label={t('adminUserActive.form', { action, user: user.username })}
      className="inline-form"
    >
      <TextField
        label={t('adminUserActive.reason', { action, user: user.username })}
        value={reason}
        onChange={setReason}
        required
        error={fieldErrors(error).reason}
      />
      <SubmitCancel submitLabel={verb} onCancel={() => setOpen(false)} error={error} onReload={onDone} />
    </form>
  );
}
