import { useState } from 'react';
import { api } from '../api/client.js';
import type { BodyOf } from '../api/types.js';
import { useLoad } from '../hooks/use-load.js';
import { useSubmit } from '../hooks/use-submit.js';
import { ErrorBox, LoadError } from './error-box.js';
import { SelectField, TextField } from './text-field.js';

type NewAe = BodyOf<'POST', '/api/subjects/:subjectId/adverse-events'>;

/** ICH E2A seriousness criteria: any one makes the event serious (SAE). */
const SERIOUSNESS = [
  'death',
  'life_threatening',
  'hospitalisation',
  'disability',
  'congenital_anomaly',
  'medically_important',
];
const RELATEDNESS = ['not_related', 'unlikely', 'possible', 'probable', 'definite'];
const OUTCOMES = [
  '',
  'recovered',
  'recovering',
  'not_recovered',
  'recovered_with_sequelae',
  'fatal',
  'unknown',
];

/** A subject's adverse events, serious ones highlighted, and a form to report one. */
export function AdverseEvents({ subjectId, canReport }: { subjectId: string; canReport: boolean }) {
  const list = useLoad(
    () => api.get('/api/subjects/:subjectId/adverse-events', { params: { subjectId } }),
    [subjectId],
  );
  return (
    <section aria-labelledby="ae-h">
      <h2 id="ae-h">Adverse events</h2>
      {list.error ? <LoadError error={list.error} what="adverse events" /> : null}
      {list.data?.length === 0 && <p>No adverse events reported.</p>}
      {list.data && list.data.length > 0 && (
        <table aria-label="Adverse events">
          <thead>
            <tr>
              <th scope="col">Term</th>
              <th scope="col">Onset</th>
              <th scope="col">Grade</th>
              <th scope="col">Serious</th>
              <th scope="col">Related</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((a) => (
              <tr key={a.id} className={a.serious ? 'sae' : undefined}>
                <td>
                  {a.serious && <strong className="badge sae-badge">SAE</strong>} {a.term}
                </td>
                <td>{a.onsetDate}</td>
                <td>{a.ctcaeGrade ?? '—'}</td>
                <td>{a.serious ? a.seriousness.join(', ') : 'no'}</td>
                <td>{a.relatedness}</td>
                <td>{a.outcome ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canReport && <AeForm subjectId={subjectId} onSaved={list.reload} />}
    </section>
  );
}

function AeForm({ subjectId, onSaved }: { subjectId: string; onSaved(): void }) {
  const [term, setTerm] = useState('');
  const [onsetDate, setOnsetDate] = useState('');
  const [grade, setGrade] = useState('');
  const [relatedness, setRelatedness] = useState('not_related');
  const [outcome, setOutcome] = useState('');
  const [seriousness, setSeriousness] = useState<string[]>([]);
  const { error, errs, submit } = useSubmit(async () => {
    await api.post('/api/subjects/:subjectId/adverse-events', {
      params: { subjectId },
      body: {
        term,
        onsetDate,
        ctcaeGrade: grade ? Number(grade) : null,
        relatedness: relatedness as NewAe['relatedness'],
        outcome: (outcome || null) as NewAe['outcome'],
        seriousness: seriousness as NewAe['seriousness'],
      },
    });
    setTerm('');
    setOnsetDate('');
    setGrade('');
    setSeriousness([]);
    onSaved();
  });
  return (
    <form onSubmit={submit} aria-label="Report an adverse event" className="inline-form">
      <TextField label="AE term" value={term} onChange={setTerm} required error={errs.term} />
      <TextField
        label="Onset date"
        type="date"
        value={onsetDate}
        onChange={setOnsetDate}
        required
        error={errs.onsetDate}
      />
      <SelectField
        label="CTCAE grade"
        value={grade}
        onChange={setGrade}
        options={['', '1', '2', '3', '4', '5'].map((g) => ({ value: g, label: g || '(not graded)' }))}
        error={errs.ctcaeGrade}
      />
      <SelectField
        label="Relatedness to infusion"
        value={relatedness}
        onChange={setRelatedness}
        options={RELATEDNESS.map((r) => ({ value: r, label: r.replaceAll('_', ' ') }))}
        error={errs.relatedness}
      />
      <SelectField
        label="Outcome"
        value={outcome}
        onChange={setOutcome}
        options={OUTCOMES.map((o) => ({ value: o, label: o ? o.replaceAll('_', ' ') : '(not yet known)' }))}
        error={errs.outcome}
      />
      <fieldset>
        <legend>Seriousness (any makes it an SAE)</legend>
        {SERIOUSNESS.map((s) => (
          <label key={s} className="check">
            <input
              type="checkbox"
              checked={seriousness.includes(s)}
              onChange={(e) =>
                setSeriousness(e.target.checked ? [...seriousness, s] : seriousness.filter((x) => x !== s))
              }
            />{' '}
            {s.replaceAll('_', ' ')}
          </label>
        ))}
      </fieldset>
      <button type="submit">Report adverse event</button>
      <ErrorBox error={error} />
    </form>
  );
}
