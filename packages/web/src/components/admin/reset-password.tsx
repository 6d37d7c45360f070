import { useState } from 'react';
import { api } from '../../api/client.js';
import { fieldErrors } from '../../api/problem.js';
import type { UserRow } from '../../api/types.js';
import { useSubmit } from '../../hooks/use-submit.js';
import { t } from '../../i18n/index.js';
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
        {t('adminResetPassword.open')}
      </button>
    );
  return (
    <form
      onSubmit={submit}
      aria-label={t('adminResetPassword.form', { user: user.username })}
      className="inline-form"
    >
      <TextField
        label={t('adminResetPassword.password', { user: user.username })}
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={setPassword}
        required
        error={fieldErrors(error).password}
      />
      <SubmitCancel
        submitLabel={t('adminResetPassword.submit')}
        onCancel={() => setOpen(false)}
        error={error}
        onReload={onDone}
      />
    </form>
  );
}
