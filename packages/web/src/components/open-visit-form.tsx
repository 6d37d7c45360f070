import { useState } from 'react';
import { api } from '../api/client.js';
import type { Visit } from '../api/types.js';
import { useSubmit } from '../hooks/use-submit.js';
import { ErrorBox } from './error-box.js';
import { TextField } from './text-field.js';

/** Open a visit (scheduled or unscheduled) for a subject. */
export function OpenVisitForm({ subjectId, onOpened }: { subjectId: string; onOpened(v: Visit): void }) {
  const [visitCode, setVisitCode] = useState('BASELINE');
  const [visitDate, setVisitDate] = useState(new Date().toISOString().slice(0, 10));
  const { error, errs, submit } = useSubmit(async () => {
    onOpened(
      await api.post('/api/subjects/:subjectId/visits', {
        params: { subjectId },
        body: {
          visitCode,
          visitDate: visitDate || null,
        },
      }),
    );
  });
  return (
    <form onSubmit={submit} aria-label="Open a visit" className="inline-form">
      <TextField
        label="Visit code"
        value={visitCode}
        onChange={setVisitCode}
        required
        error={errs.visitCode}
      />
      <TextField
        label="Visit date"
        type="date"
        value={visitDate}
        onChange={setVisitDate}
        error={errs.visitDate}
      />
      <button type="submit">Open visit</button>
      <ErrorBox error={error} />
    </form>
  );
}
