import { INFUSION_STATUSES } from '@msct/contract';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.js';
import { fieldErrors } from '../api/problem.js';
import type { BodyOf, Infusion } from '../api/types.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { dateTimeText, fromUtcInput } from '../lib/dates.js';
import { ErrorBox, LoadError } from './error-box.js';
import { TableScroll } from './table-scroll.js';
import { SelectField, TextField } from './text-field.js';

const num = (s: string) => (s.trim() === '' ? null : Number(s));
/** Times are entered and shown in UTC, as every other time in the app (lib/dates.ts). */
const instant = fromUtcInput;
const shown = dateTimeText;

/** A subject's infusions with the protocol's checks, a form to record one, and "record as given". */
export function Infusions({ subjectId, canEnter }: { subjectId: string; canEnter: boolean }) {
  const list = useLoad(
    () => api.get('/api/subjects/:subjectId/infusions', { params: { subjectId } }),
    [subjectId],
  );
  return (
    <section aria-labelledby="inf-h">
      <h2 id="inf-h">{t('infusions.title')}</h2>
      {list.error ? <LoadError error={list.error} what={t('infusions.loadWhat')} /> : null}
      {list.data?.length === 0 && <p>{t('infusions.none')}</p>}
      {list.data && list.data.length > 0 && (
        <TableScroll label={t('infusions.title')}>
          <table aria-label={t('infusions.title')}>
            <thead>
              <tr>
                <th scope="col">{t('infusions.col.cycle')}</th>
                <th scope="col">{t('infusions.col.number')}</th>
                <th scope="col">{t('infusions.col.planned')}</th>
                <th scope="col">{t('infusions.col.given')}</th>
                <th scope="col">{t('infusions.col.lot')}</th>
                <th scope="col">{t('infusions.col.cells')}</th>
                <th scope="col">{t('infusions.col.viability')}</th>
                <th scope="col">{t('infusions.col.weight')}</th>
                <th scope="col">{t('infusions.col.cellsPerKg')}</th>
                <th scope="col">{t('infusions.col.checks')}</th>
                <th scope="col">{t('infusions.col.status')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((i) => (
                <tr key={i.id} data-infusion={`${i.cycle}-${i.infusionNumber}`}>
                  <td>{i.cycle}</td>
                  <td>{i.infusionNumber}</td>
                  <td>{i.plannedDate ?? '—'}</td>
                  <td>{shown(i.startedAt)}</td>
                  <td>{i.productLot ?? '—'}</td>
                  <td>{i.totalCells?.toExponential(2) ?? '—'}</td>
                  <td>{i.viabilityPct ?? '—'}</td>
                  <td>{i.weightKg ?? '—'}</td>
                  <td>{i.cellsPerKg?.toExponential(2) ?? '—'}</td>
                  <td>
                    <Checks infusion={i} />
                  </td>
                  <td>{t('infusions.status', { status: i.status })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {canEnter &&
        list.data
          ?.filter((i) => i.status === 'planned')
          .map((i) => <RecordGiven key={`${i.id}:${i.version}`} infusion={i} onSaved={list.reload} />)}
      {canEnter && <InfusionForm subjectId={subjectId} onSaved={list.reload} />}
    </section>
  );
}

/** The dose (±10 % of plan) and viability (≥ 90 %) checks the server returns with each record. */
function Checks({ infusion: i }: { infusion: Infusion }) {
  const lines: { ok: boolean; text: string }[] = [];
  if (i.doseCheck) lines.push({ ok: !i.doseCheck.flagged, text: i.doseCheck.message });
  if (i.viabilityCheck) lines.push({ ok: i.viabilityCheck.released, text: i.viabilityCheck.message });
  if (lines.length === 0) return <>—</>;
  return (
    <ul className="checks">
      {lines.map((l) => (
        <li key={l.text} className={l.ok ? undefined : 'flag'}>
          {l.ok ? '' : '⚠ '}
          {l.text}
        </li>
      ))}
    </ul>
  );
}

/** What was infused: the fields a new record and "record as given" share. */
interface ProductValues {
  productLot: string;
  totalCells: string;
  viabilityPct: string;
  weightKg: string;
  volumeMl: string;
  reactions: string;
}

const productBody = (f: ProductValues) => ({
  productLot: f.productLot || null,
  totalCells: num(f.totalCells),
  viabilityPct: num(f.viabilityPct),
  weightKg: num(f.weightKg),
  volumeMl: num(f.volumeMl),
  reactions: f.reactions.trim() || null,
});

function ProductFields({
  f,
  set,
  errs,
}: {
  f: ProductValues;
  set(k: keyof ProductValues): (v: string) => void;
  errs: Record<string, string>;
}) {
  const decimal = (k: keyof ProductValues, label: string) => (
    <TextField label={label} inputMode="decimal" value={f[k]} onChange={set(k)} error={errs[k]} />
  );
  return (
    <>
      <TextField
        label={t('infusions.lot')}
        value={f.productLot}
        onChange={set('productLot')}
        error={errs.productLot}
      />
      {decimal('totalCells', t('infusions.totalCells'))}
      {decimal('viabilityPct', t('infusions.viabilityPct'))}
      {decimal('weightKg', t('infusions.weightKg'))}
      {decimal('volumeMl', t('infusions.volumeMl'))}
      <TextField
        label={t('infusions.reactions')}
        value={f.reactions}
        onChange={set('reactions')}
        error={errs.reactions}
        placeholder={t('infusions.reactionsPlaceholder')}
      />
    </>
  );
}

/** A planned infusion recorded as given: when, the product actually infused, and why it changed. */
function RecordGiven({ infusion, onSaved }: { infusion: Infusion; onSaved(): void }) {
  const [f, setF] = useState({
    startedAt: '',
    endedAt: '',
    productLot: infusion.productLot ?? '',
    totalCells: infusion.totalCells?.toString() ?? '',
    viabilityPct: infusion.viabilityPct?.toString() ?? '',
    weightKg: infusion.weightKg?.toString() ?? '',
    volumeMl: infusion.volumeMl?.toString() ?? '',
    reactions: '',
    reason: t('infusions.givenReason'),
  });
  const [error, setError] = useState<unknown>();
  const errs = fieldErrors(error);
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  const label = t('infusions.which', { number: infusion.infusionNumber, cycle: infusion.cycle });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api.patch('/api/infusions/:infusionId', {
        params: { infusionId: infusion.id },
        body: {
          version: infusion.version,
          reason: f.reason,
          status: 'given',
          startedAt: instant(f.startedAt),
          endedAt: instant(f.endedAt),
          ...productBody(f),
        },
      });
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <details className="form-panel">
      <summary>{t('infusions.recordGiven', { label })}</summary>
      <form onSubmit={submit} aria-label={t('infusions.recordGiven', { label })} className="inline-form">
        <TextField
          label={t('infusions.givenAt')}
          type="datetime-local"
          required
          value={f.startedAt}
          onChange={set('startedAt')}
          error={errs.startedAt}
        />
        <TextField
          label={t('infusions.endedAt')}
          type="datetime-local"
          value={f.endedAt}
          onChange={set('endedAt')}
          error={errs.endedAt}
        />
        <ProductFields f={f} set={set} errs={errs} />
        <TextField
          label={t('infusions.reason')}
          required
          value={f.reason}
          onChange={set('reason')}
          error={errs.reason}
        />
        <button type="submit">{t('infusions.submitGiven')}</button>
        <ErrorBox error={error} atFields />
      </form>
    </details>
  );
}

function InfusionForm({ subjectId, onSaved }: { subjectId: string; onSaved(): void }) {
  const empty = {
    cycle: '1',
    infusionNumber: '1',
    plannedDate: '',
    startedAt: '',
    productLot: '',
    totalCells: '',
    viabilityPct: '',
    weightKg: '',
    volumeMl: '',
    reactions: '',
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
      await api.post('/api/subjects/:subjectId/infusions', {
        params: { subjectId },
        body: {
          cycle: Number(f.cycle),
          infusionNumber: Number(f.infusionNumber),
          plannedDate: f.plannedDate || null,
          startedAt: instant(f.startedAt),
          ...productBody(f),
          status: f.status as BodyOf<'POST', '/api/subjects/:subjectId/infusions'>['status'],
        },
      });
      setF(empty);
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} aria-label={t('infusions.recordName')} className="inline-form">
      <TextField
        label={t('infusions.cycle')}
        type="number"
        min={1}
        value={f.cycle}
        onChange={set('cycle')}
        error={errs.cycle}
      />
      <TextField
        label={t('infusions.number')}
        type="number"
        min={1}
        value={f.infusionNumber}
        onChange={set('infusionNumber')}
        error={errs.infusionNumber}
      />
      <TextField
        label={t('infusions.plannedDate')}
        type="date"
        value={f.plannedDate}
        onChange={set('plannedDate')}
        error={errs.plannedDate}
      />
      <TextField
        label={t('infusions.givenAtIf')}
        type="datetime-local"
        value={f.startedAt}
        onChange={set('startedAt')}
        error={errs.startedAt}
      />
      <ProductFields f={f} set={set} errs={errs} />
      <SelectField
        label={t('infusions.statusLabel')}
        value={f.status}
        onChange={set('status')}
        options={INFUSION_STATUSES.map((s) => ({
          value: s,
          label: t('infusions.statusOption', { status: s }),
        }))}
      />
      <output aria-label={t('infusions.cellsPerKg')}>
        {cellsPerKg !== null ? t('infusions.cellsPerKgValue', { value: cellsPerKg.toExponential(2) }) : ''}
      </output>
      <button type="submit">{t('infusions.submit')}</button>
      <ErrorBox error={error} atFields />
    </form>
  );
}
