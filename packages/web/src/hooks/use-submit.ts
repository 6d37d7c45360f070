// The submit handler every small form repeats: stop the browser's own submit, clear the last error,
// run the action (busy while it runs, so a second click does not send it twice), and keep its error
// (shown in an ErrorBox; field errors tied to their inputs).
import { type FormEvent, useState } from 'react';
import { fieldErrors } from '../api/problem.js';

export function useSubmit(action: () => Promise<void>) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { error, errs: fieldErrors(error), submit, busy };
}
