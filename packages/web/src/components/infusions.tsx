import { type FormEvent, useState } from 'react';
import { api } from '../api/client.js';
import { fieldErrors } from '../api/problem.js';
import type { Infusion } from '../api/types.js';
import { useLoad } from '../hooks/use-load.js';
import { ErrorBox, LoadError } from './error-box.js';
import { SelectField, TextField } from './text-field.js';

const num = (s: string) => (s.trim() === '' ? null : Number(s));

/** A subject's infusions (cells/kg computed by the server) and a form to record one. */
export function Infusions({ subjectId, canEnter }: { subjectId: string; canEnter: boolean }) {
  const list = useLoad(() => api.get<Infusion[]>(`/api/subjects/${subjectId}/infusions`), [subjectId]);
  return (
    <section aria-labelledby="inf-h">
      <h2 id="inf-h">Infusions</h2>
      {list.error ? <LoadError error={list.error} what="infusions" /> : null}
      {list.data?.length === 0 && <p>No infusions recorded.</p>}
      {list.data && list.data.length > 0 && (
        <table aria-label="Infusions">
          <thead>
            <tr>
              <th scope="col">Cycle</th>
              <th scope="col">No.</th>
              <th scope="col">Planned</th>
              <th scope="col">Lot</th>
              <th scope="col">Cells</th>
              <th scope="col">Viability %</th>
              <th scope="col">Weight kg</th>
              <th scope="col">Cells/kg</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((i) => (
              <tr key={i.id}>
                <td>{i.cycle}</td>
                <td>{i.infusionNumber}</td>
                <td>{i.plannedDate ?? '—'}</td>
                <td>{i.productLot ?? '—'}</td>
                <td>{i.totalCells?.toExponential(2) ?? '—'}</td>
                <td>{i.viabilityPct ?? '—'}</td>
                <td>{i.weightKg ?? '—'}</td>
                <td>{i.cellsPerKg?.toExponential(2) ?? '—'}</td>
                <td>{i.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canEnter && <InfusionForm subjectId={subjectId} onSaved={list.reload} />}
    </section>
  );
}

function InfusionForm({ subjectId, onSaved }: { subjectId: string; onSaved(): void }) {
  const empty = {
    cycle: '1',
    infusionNumber: '1',
    plannedDate: '',
    productLot: '',
    totalCells: '',
    viabilityPct: '',
    weightKg: '',
    status: 'planned',
  };
  const [f, setF] = useState(empty);
  const [error, setError] = useState<unknown>();
  const errs = fieldErrors(error);
  const set = (k: keyof typeof empty) => (v: string) => setF({ ...f, [k]: v });
  const cellsPerKg =
    num(f.totalCells) !== null && num(f.weightKg) ? num(f.totalCells)! / num(f.weightKg)! : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api.post(`/api/subjects/${subjectId}/infusions`, {
        cycle: Number(f.cycle),
        infusionNumber: Number(f.infusionNumber),
        plannedDate: f.plannedDate || null,
        productLot: f.productLot || null,
        totalCells: num(f.totalCells),
        viabilityPct: num(f.viabilityPct),
        weightKg: num(f.weightKg),
        status: f.status,
      });
      setF(empty);
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} aria-label="Record an infusion" className="inline-form">
      <TextField
        label="Cycle"
        type="number"
        min={1}
        value={f.cycle}
        onChange={set('cycle')}
        error={errs.cycle}
      />
      <TextField
        label="Infusion number"
        type="number"
        min={1}
        value={f.infusionNumber}
        onChange={set('infusionNumber')}
        error={errs.infusionNumber}
      />
      <TextField
        label="Planned date"
        type="date"
        value={f.plannedDate}
        onChange={set('plannedDate')}
        error={errs.plannedDate}
      />
      <TextField
        label="Product lot"
        value={f.productLot}
        onChange={set('productLot')}
        error={errs.productLot}
      />
      <TextField
        label="Total cells"
        inputMode="decimal"
        value={f.totalCells}
        onChange={set('totalCells')}
        error={errs.totalCells}
      />
      <TextField
        label="Viability %"
        inputMode="decimal"
        value={f.viabilityPct}
        onChange={set('viabilityPct')}
        error={errs.viabilityPct}
      />
      <TextField
        label="Weight kg"
        inputMode="decimal"
        value={f.weightKg}
        onChange={set('weightKg')}
        error={errs.weightKg}
      />
      <SelectField
        label="Infusion status"
        value={f.status}
        onChange={set('status')}
        options={['planned', 'given', 'not_given'].map((s) => ({ value: s, label: s }))}
      />
      <output aria-label="Cells per kg">
        {cellsPerKg !== null ? `${cellsPerKg.toExponential(2)} cells/kg` : ''}
      </output>
      <button type="submit">Record infusion</button>
      <ErrorBox error={error} />
    </form>
  );
}
