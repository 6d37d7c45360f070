// The submit handler every small form repeats: stop the browser's own submit, clear the last error,
// run the action, and keep its error (shown in an ErrorBox; field errors tied to their inputs).
import { type FormEvent, useState } from 'react';
import { fieldErrors } from '../api/problem.js';

export function useSubmit(action: () => Promise<void>) {
  const [error, setError] = useState<unknown>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(err);
    }
  };
  return { error, errs: fieldErrors(error), submit };
}
