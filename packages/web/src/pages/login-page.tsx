import { useState } from 'react';
import { ErrorBox } from '../components/error-box.js';
import { TextField } from '../components/text-field.js';
import { useSubmit } from '../hooks/use-submit.js';
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
      <h1>msct — log in</h1>
      <form onSubmit={submit} aria-label="Log in">
        <TextField
          label="Username"
          value={username}
          onChange={setUsername}
          autoComplete="username"
          required
        />
        <TextField
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
          required
        />
        <ErrorBox error={error} />
        <button type="submit" disabled={busy}>
          Log in
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
      <h1>Choose a new password</h1>
      <p>
        Your password for <strong>{me?.user.username}</strong> was set by someone else. Choose your own before
        you go on: at least 12 characters, not a common password, not containing your username.
      </p>
      <form onSubmit={submit} aria-label="Choose a new password">
        {!knownPassword && (
          <TextField
            label="Current password"
            type="password"
            value={current}
            onChange={setCurrent}
            autoComplete="current-password"
            required
            error={errs.currentPassword}
          />
        )}
        <TextField
          label="New password"
          type="password"
          value={next}
          onChange={setNext}
          autoComplete="new-password"
          required
          error={errs.newPassword}
        />
        <TextField
          label="Repeat the new password"
          type="password"
          value={repeat}
          onChange={setRepeat}
          autoComplete="new-password"
          required
          error={mismatch ? 'does not match the new password' : undefined}
        />
        <ErrorBox error={error} />
        <button type="submit" disabled={busy}>
          Save new password
        </button>
        <button type="button" onClick={() => void logout()}>
          Log out
        </button>
      </form>
    </main>
  );
}
