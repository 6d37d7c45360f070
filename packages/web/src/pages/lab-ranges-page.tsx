// The site laboratories' reference ranges (issue #22 "Labs"), maintained by the study's administrator:
// the definition's `labReferenceRanges` (core protocol/definition-schema.ts) shown and edited as a
// table, a range added, and the whole saved as a protocol amendment with a reason through the one
// amendment path (POST /api/studies/{id}/definition/amendments: validated like any definition —
// core protocol/lab-range-checks.ts names each problem by its path —, checked against the stored data
// in a dry run, then stored as the next definition version; 409 when the study changed meanwhile).
import type { LabReferenceRange } from '@msct/core/protocol';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.js';
import { ApiError } from '../api/problem.js';
import type { Study } from '../api/types.js';
import { ErrorBox, LoadError } from '../components/error-box.js';
import { TableScroll } from '../components/table-scroll.js';
import { TextField } from '../components/text-field.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { catalogForms, type Definition, definitionOf } from '../lib/definition.js';
import { Link } from '../router.js';

/** A range as edited: every field as typed ('' for none). */
type Row = Record<(typeof FIELDS)[number], string>;
const FIELDS = [
  'itemCode',
  'unit',
  'centre',
  'sex',
  'low',
  'high',
  'criticalLow',
  'criticalHigh',
  'effectiveFrom',
  'effectiveTo',
  'source',
] as const;
const NUMBERS = ['low', 'high', 'criticalLow', 'criticalHigh'] as const;
const FIELD_LABELS: Record<(typeof FIELDS)[number], () => string> = {
  itemCode: () => t('labRanges.field.itemCode'),
  unit: () => t('labRanges.field.unit'),
  centre: () => t('labRanges.field.centre'),
  sex: () => t('labRanges.field.sex'),
  low: () => t('labRanges.field.low'),
  high: () => t('labRanges.field.high'),
  criticalLow: () => t('labRanges.field.criticalLow'),
  criticalHigh: () => t('labRanges.field.criticalHigh'),
  effectiveFrom: () => t('labRanges.field.effectiveFrom'),
  effectiveTo: () => t('labRanges.field.effectiveTo'),
  source: () => t('labRanges.field.source'),
};

const toRow = (r: LabReferenceRange): Row =>
  Object.fromEntries(FIELDS.map((f) => [f, r[f] === undefined ? '' : String(r[f])])) as Row;

/** The row as a range of the definition, or the problems of its number fields. */
function toRange(row: Row, n: number): { range?: LabReferenceRange; problems: string[] } {
  const problems: string[] = [];
  const range: Record<string, string | number> = {};
  for (const f of FIELDS) {
    const v = row[f].trim();
    if (v === '') continue;
    if ((NUMBERS as readonly string[]).includes(f)) {
      const x = Number(v);
      if (!Number.isFinite(x))
        problems.push(t('labRanges.notNumber', { n, field: FIELD_LABELS[f](), value: v }));
      else range[f] = x;
    } else range[f] = v;
  }
  return problems.length ? { problems } : { range: range as unknown as LabReferenceRange, problems };
}

/** The numeric items with units of the definition's forms: the labs a range can be given for. */
function rangedItems(definition: Definition) {
  const seen = new Map<string, { code: string; label: string; units: readonly string[] }>();
  for (const form of catalogForms(definition).values())
    for (const i of form.items)
      if ((i.type === 'decimal' || i.type === 'integer') && i.units?.length && !seen.has(i.code))
        seen.set(i.code, { code: i.code, label: i.label, units: i.units });
  return [...seen.values()];
}

export function LabRangesPage({ studyId }: { studyId: string }) {
  const study = useLoad(() => api.get('/api/studies/:studyId', { params: { studyId } }), [studyId]);
  // Said after the editor is remounted with the saved version.
  const [saved, setSaved] = useState<string>();
  if (study.error) return <LoadError error={study.error} what={t('labRanges.loadWhat')} />;
  if (!study.data) return <p className="loading">{t('common.loading')}</p>;
  // Remounted with each saved version: the table starts from the stored ranges.
  return (
    <LabRangesEditor
      key={study.data.version}
      study={study.data}
      saved={saved}
      onSaved={(message) => {
        setSaved(message);
        study.reload();
      }}
    />
  );
}

function LabRangesEditor({
  study,
  saved,
  onSaved,
}: {
  study: Study;
  saved: string | undefined;
  onSaved(message: string): void;
}) {
  const definition = definitionOf(study);
  const items = rangedItems(definition);
  const centres = definition.centres ?? [];
  const [rows, setRows] = useState<Row[]>(() => (definition.labReferenceRanges ?? []).map(toRow));
  const [reason, setReason] = useState('');
  const [problems, setProblems] = useState<string[]>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const set = (i: number, f: (typeof FIELDS)[number], v: string) =>
    setRows((all) =>
      all.map((r, j) => {
        if (j !== i) return r;
        const next = { ...r, [f]: v };
        // A new lab takes its first unit.
        if (f === 'itemCode') next.unit = items.find((x) => x.code === v)?.units[0] ?? '';
        return next;
      }),
    );
  const add = () => {
    const first = items[0];
    setRows((all) => [
      ...all,
      {
        ...(Object.fromEntries(FIELDS.map((f) => [f, ''])) as Row),
        itemCode: first?.code ?? '',
        unit: first?.units[0] ?? '',
      },
    ]);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setProblems(undefined);
    setError(undefined);
    const read = rows.map((r, i) => toRange(r, i + 1));
    const local = read.flatMap((r) => r.problems);
    if (local.length) return setProblems(local);
    if (!reason.trim()) return setProblems([t('labRanges.noReason')]);
    const body = {
      definition: {
        ...(study.definition as Record<string, unknown>),
        labReferenceRanges: read.map((r) => r.range!),
      },
      version: study.version,
    };
    setBusy(true);
    try {
      // The amendment path: a dry run first (validation and the report against the stored data), then applied.
      await api.post('/api/studies/:studyId/definition/amendments', {
        params: { studyId: study.id },
        body: { ...body, dryRun: true },
      });
      const r = await api.post('/api/studies/:studyId/definition/amendments', {
        params: { studyId: study.id },
        body: { ...body, reason: reason.trim() },
      });
      onSaved(t('labRanges.saved', { version: r.toVersion }));
    } catch (err) {
      const listed = err instanceof ApiError ? err.problem.problems : undefined;
      if (Array.isArray(listed)) setProblems(listed.map(String));
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  const field = (i: number, f: (typeof FIELDS)[number]) => {
    const label = t('labRanges.fieldOfRange', { field: FIELD_LABELS[f](), n: i + 1 });
    const value = rows[i]![f];
    const onChange = (v: string) => set(i, f, v);
    if (f === 'itemCode')
      return (
        <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
          {items.map((x) => (
            <option key={x.code} value={x.code}>
              {x.label}
            </option>
          ))}
        </select>
      );
    if (f === 'unit')
      return (
        <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
          {(items.find((x) => x.code === rows[i]!.itemCode)?.units ?? [value]).map((u) => (
            <option key={u} value={u}>
              {u}
            </option>
          ))}
        </select>
      );
    if (f === 'centre')
      return (
        <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">{t('labRanges.protocolDefault')}</option>
          {centres.map((c) => (
            <option key={c.id} value={c.id}>
              {t('labRanges.centreOption', { name: c.name, id: c.id })}
            </option>
          ))}
        </select>
      );
    if (f === 'sex')
      return (
        <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">{t('labRanges.sexEither')}</option>
          <option value="female">{t('labRanges.sexFemale')}</option>
          <option value="male">{t('labRanges.sexMale')}</option>
        </select>
      );
    const date = f === 'effectiveFrom' || f === 'effectiveTo';
    return (
      <input
        aria-label={label}
        type="text"
        size={f === 'source' ? 24 : date ? 11 : 6}
        inputMode={date || f === 'source' ? undefined : 'decimal'}
        placeholder={date ? t('field.hintDate') : undefined}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  };

  return (
    <section className="lab-ranges">
      <p className="crumbs">
        <Link href={`/studies/${study.id}`}>{t('labRanges.crumb', { study: study.code })}</Link>
      </p>
      <h1>{t('labRanges.title', { study: study.code })}</h1>
      <p>{t('labRanges.intro')}</p>
      <form onSubmit={(e) => void save(e)} aria-label={t('labRanges.form')}>
        <TableScroll label={t('labRanges.table')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('labRanges.col.number')}</th>
                {FIELDS.map((f) => (
                  <th key={f} scope="col">
                    {FIELD_LABELS[f]()}
                  </th>
                ))}
                <th scope="col">{t('labRanges.col.remove')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((_, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a row is its place in the list being edited
                <tr key={i}>
                  <td>{i + 1}</td>
                  {FIELDS.map((f) => (
                    <td key={f}>{field(i, f)}</td>
                  ))}
                  <td>
                    <button type="button" onClick={() => setRows((all) => all.filter((__, j) => j !== i))}>
                      {t('labRanges.remove', { n: i + 1 })}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
        <button type="button" onClick={add} disabled={items.length === 0}>
          {t('labRanges.add')}
        </button>
        <TextField
          label={t('labRanges.reason')}
          value={reason}
          onChange={setReason}
          required
          maxLength={500}
        />
        <button type="submit" disabled={busy}>
          {t('labRanges.save')}
        </button>
      </form>
      {problems && (
        <section aria-label={t('labRanges.problems')}>
          <p role="alert">{t('labRanges.problemCount', { count: problems.length })}</p>
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </section>
      )}
      <ErrorBox error={error} />
      {saved && <p role="status">{saved}</p>}
    </section>
  );
}
