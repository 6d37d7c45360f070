/**
 * Cross-checks of a definition's lab reference ranges and clinical-significance items (issue #22),
 * on the raw input like cross-checks.ts: a range names a numeric item of a form and one of its
 * units, a known centre, at least one limit, limits in order (critical low ≤ low ≤ high ≤ critical
 * high), a period that does not end before it starts, a source when it is a protocol default, and
 * no two ranges of the same item, unit, centre and sex in force on the same day. A significance item
 * (`significanceOf`) is a code item naming a numeric item of its own form.
 */
import { MSCT_SLE_FORMS } from '../crf/forms.js';
import type { DefinitionIssue } from './definition-issue.js';

type Path = Array<string | number>;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: unknown): Array<[number, Obj]> =>
  Array.isArray(v) ? v.flatMap((o, i): Array<[number, Obj]> => (isObj(o) ? [[i, o]] : [])) : [];
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const quote = (v: unknown) => JSON.stringify(v);
const NUMERIC = new Set(['integer', 'decimal']);

const CATALOG = new Map(MSCT_SLE_FORMS.map((f) => [f.formCode, f.items as readonly Obj[]]));

/** Every item of the definition's forms (declared, or from core's catalog), by form. */
function itemsByForm(
  input: Obj,
): Array<{ formIndex: number; items: Array<[number, Obj]>; declared: boolean }> {
  return objects(input.forms).map(([i, f]) =>
    Array.isArray(f.items)
      ? { formIndex: i, items: objects(f.items), declared: true }
      : {
          formIndex: i,
          items: (CATALOG.get(str(f.id) ?? '') ?? []).map((it, j): [number, Obj] => [j, it]),
          declared: false,
        },
  );
}

export function crossCheckLabRanges(input: Obj): DefinitionIssue[] {
  const out: DefinitionIssue[] = [];
  const forms = itemsByForm(input);

  // Significance items: a code item naming a numeric item of its own form.
  for (const f of forms) {
    if (!f.declared) continue;
    for (const [j, it] of f.items) {
      const of = str(it.significanceOf);
      if (of === undefined) continue;
      const path: Path = ['forms', f.formIndex, 'items', j, 'significanceOf'];
      const lab = f.items.find(([, o]) => o.code === of)?.[1];
      if (!lab) out.push({ path, code: 'unknown_reference', message: `the form has no item ${quote(of)}` });
      else if (!NUMERIC.has(str(lab.type) ?? ''))
        out.push({ path, code: 'invalid_value', message: `${quote(of)} is not a numeric item` });
      if (it.type !== undefined && it.type !== 'code')
        out.push({ path, code: 'invalid_value', message: 'a clinical-significance item is a code item' });
    }
  }

  const ranges = objects(input.labReferenceRanges);
  if (ranges.length === 0) return out;
  const numericItems = new Map<string, readonly string[]>();
  for (const f of forms)
    for (const [, it] of f.items) {
      const code = str(it.code);
      if (code && NUMERIC.has(str(it.type) ?? ''))
        numericItems.set(code, Array.isArray(it.units) ? it.units.filter((u) => typeof u === 'string') : []);
    }
  const centres = new Set(
    objects(input.centres).flatMap(([, c]) => (typeof c.id === 'string' ? [c.id] : [])),
  );

  const periods = new Map<string, Array<{ i: number; from: string; to: string }>>();
  for (const [i, r] of ranges) {
    const at = (key: string): Path => ['labReferenceRanges', i, key];
    const item = str(r.itemCode);
    const unit = str(r.unit);
    const units = item === undefined ? undefined : numericItems.get(item);
    if (item !== undefined && units === undefined)
      out.push({
        path: at('itemCode'),
        code: 'unknown_reference',
        message: `no numeric item ${quote(item)} in the definition's forms`,
      });
    else if (units && unit !== undefined && units.length > 0 && !units.includes(unit))
      out.push({
        path: at('unit'),
        code: 'invalid_value',
        message: `${quote(unit)} is not a unit of ${item} (${units.join(', ')})`,
      });
    const centre = str(r.centre);
    if (centre !== undefined && !centres.has(centre))
      out.push({ path: at('centre'), code: 'unknown_reference', message: `unknown centre ${quote(centre)}` });
    if (centre === undefined && r.source === undefined)
      out.push({
        path: at('source'),
        code: 'required',
        message: 'a protocol default range (no centre) cites its source',
      });
    const [cl, lo, hi, ch] = [num(r.criticalLow), num(r.low), num(r.high), num(r.criticalHigh)];
    if (lo === undefined && hi === undefined)
      out.push({ path: at('low'), code: 'required', message: 'a range has a low or a high limit (or both)' });
    const ordered: Array<[string, number | undefined]> = [
      ['criticalLow', cl],
      ['low', lo],
      ['high', hi],
      ['criticalHigh', ch],
    ];
    const given = ordered.filter((e): e is [string, number] => e[1] !== undefined);
    for (let k = 1; k < given.length; k++) {
      const [prevKey, prev] = given[k - 1]!;
      const [key, v] = given[k]!;
      if (v < prev)
        out.push({
          path: at(key),
          code: 'invalid_value',
          message: `${key} ${v} is below ${prevKey} ${prev}`,
        });
    }
    const from = str(r.effectiveFrom) ?? '0000-01-01';
    const to = str(r.effectiveTo) ?? '9999-12-31';
    if (from > to)
      out.push({
        path: at('effectiveTo'),
        code: 'invalid_value',
        message: `effectiveTo ${to} is before effectiveFrom ${from}`,
      });
    if (item === undefined || unit === undefined) continue;
    const key = [item, unit, centre ?? '', str(r.sex) ?? ''].join('\u0000');
    const seen = periods.get(key) ?? [];
    const clash = seen.find((p) => p.from <= to && from <= p.to);
    if (clash)
      out.push({
        path: at('effectiveFrom'),
        code: 'overlap',
        message: `overlaps labReferenceRanges[${clash.i}]: two ranges of ${item} (${unit}${centre ? `, ${centre}` : ''}${r.sex ? `, ${r.sex}` : ''}) in force on the same day`,
      });
    seen.push({ i, from, to });
    periods.set(key, seen);
  }
  return out;
}
