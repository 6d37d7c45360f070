import { useState } from 'react';
import { api } from '../../api/client.js';
import { useSubmit } from '../../hooks/use-submit.js';
import { t } from '../../i18n/index.js';
import { ErrorBox } from '../error-box.js';
import { TextField } from '../text-field.js';

export function CreateUser({ onCreated }: { onCreated(): void }) {
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const { error, errs, submit } = useSubmit(async () => {
    await api.post('/api/users', { body: { username, displayName, password } });
    setUsername('');
    setDisplayName('');
    setPassword('');
    onCreated();
  });
  return (
    <form onSubmit={submit} aria-label={t('adminCreateUser.form')} className="inline-form">
      <TextField
        label={t('adminCreateUser.username')}
        value={username}
        onChange={setUsername}
        required
        error={errs.username}
      />
      <TextField
        label={t('adminCreateUser.displayName')}
        value={displayName}
        onChange={setDisplayName}
        required
        error={errs.displayName}
      />
      <TextField
        label={t('adminCreateUser.password')}
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={setPassword}
        required
        error={errs.password}
      />
      <button type="submit">{t('adminCreateUser.submit')}</button>
      <ErrorBox error={error} />
    </form>
  );
}
