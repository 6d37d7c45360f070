import { useState } from 'react';
import { ErrorBox } from '../components/error-box.js';
import { LanguageChoice } from '../components/header.js';
import { TextField } from '../components/text-field.js';
import { useSubmit } from '../hooks/use-submit.js';
import { t } from '../i18n/index.js';
import { useSession } from '../session.js';

export function LoginPage() {
  const { me, login } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { error, submit, busy } = useSubmit(() => login(username, password));

  // Logged in with a password someone else set (an admin, the first start, the demo): choose one.
  if (me?.mustChangePassword) return <ChooseNewPassword knownPassword={password} />;

  return (
    <main className="login">
      <h1>{t('login.title')}</h1>
      <p>
        <LanguageChoice />
      </p>
      <form onSubmit={submit} aria-label={t('login.form')}>
        <TextField
          label={t('login.username')}
          value={username}
          onChange={setUsername}
          autoComplete="username"
          required
        />
        <TextField
          label={t('login.password')}
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
          required
        />
        <ErrorBox error={error} />
        <button type="submit" disabled={busy}>
          {t('login.submit')}
        </button>
      </form>
    </main>
  );
}

/**
 * The first login with a password someone else set: the server allows nothing but choosing a new
 * one. The password just typed is the current one; after a reload it is asked for again.
 */
function ChooseNewPassword({ knownPassword }: { knownPassword: string }) {
  const { me, changePassword, logout } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const { error, errs, submit, busy } = useSubmit(async () => {
    setMismatch(next !== repeat);
    if (next !== repeat) return;
    await changePassword(knownPassword || current, next);
  });

  return (
    <main className="login">
      <h1>{t('login.newPassword.title')}</h1>
      <p>
        {t('login.newPassword.before')}
        <strong>{me?.user.username}</strong>
        {t('login.newPassword.after')}
      </p>
      <form onSubmit={submit} aria-label={t('login.newPassword.title')}>
        {!knownPassword && (
          <TextField
            label={t('login.newPassword.current')}
            type="password"
            value={current}
            onChange={setCurrent}
            autoComplete="current-password"
            required
            error={errs.currentPassword}
          />
        )}
        <TextField
          label={t('login.newPassword.new')}
          type="password"
          value={next}
          onChange={setNext}
          autoComplete="new-password"
          required
          error={errs.newPassword}
        />
        <TextField
          label={t('login.newPassword.repeat')}
          type="password"
          value={repeat}
          onChange={setRepeat}
          autoComplete="new-password"
          required
          error={mismatch ? t('login.newPassword.mismatch') : undefined}
        />
        <ErrorBox error={error} />
        <button type="submit" disabled={busy}>
          {t('login.newPassword.save')}
        </button>
        <button type="button" onClick={() => void logout()}>
          {t('login.newPassword.logOut')}
        </button>
      </form>
    </main>
  );
}
