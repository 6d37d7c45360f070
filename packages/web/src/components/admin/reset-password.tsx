import { useState } from 'react';
import { api } from '../../api/client.js';
import { fieldErrors } from '../../api/problem.js';
import type { UserRow } from '../../api/types.js';
import { useSubmit } from '../../hooks/use-submit.js';
import { SubmitCancel } from '../submit-cancel.js';
import { TextField } from '../text-field.js';

/**
 * An admin sets a new password for a user (who forgot theirs or is locked out): it lifts a lockout,
 * ends the user's sessions, and the user must choose their own at the next login.
 */
export function ResetPassword({ user, onDone }: { user: UserRow; onDone(): void }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const { error, submit } = useSubmit(async () => {
    await api.post('/api/users/:userId/password', {
      params: { userId: user.id },
      body: { password, version: user.version },
    });
    setOpen(false);
    setPassword('');
    onDone();
  });
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Reset password
      </button>
    );
  return (
    <form onSubmit={submit} aria-label={`Reset the password of ${user.username}`} className="inline-form">
      <TextField
        label={`New password for ${user.username} (to be changed at the next login)`}
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={setPassword}
        required
        error={fieldErrors(error).password}
      />
      <SubmitCancel
        submitLabel="Set password"
        onCancel={() => setOpen(false)}
        error={error}
        onReload={onDone}
      />
    </form>
  );
}
