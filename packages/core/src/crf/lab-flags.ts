// Lab values against their reference ranges (issue #22 "Labs"): which range applies to a value
// (site, sex, unit, sample date), the flag it gets (critically low, low, normal, high, critically
// high), and which clinical-significance answers an out-of-range value still needs. The ranges are
// data of the study definition (definition-schema.ts labReferenceRangeSchema): protocol defaults
// citing their source, and each site laboratory's ranges with the dates they are in force. Flags are
// derived, never stored: the value, its unit and the definition are the record (DESIGN.md principle 3).
import { convertUnitEitherWay } from '../instruments/units/convert.js';
import type { LabReferenceRange } from '../protocol/study-definition.js';
import type { FormDefinitionItems, ItemDefinition } from './item-definition.js';

/** LL critically low, L low, N within range, H high, HH critically high. */
export type LabFlag = 'LL' | 'L' | 'N' | 'H' | 'HH';
export const LAB_FLAGS: readonly LabFlag[] = ['LL', 'L', 'N', 'H', 'HH'];
export const LAB_FLAG_LABELS: Readonly<Record<LabFlag, string>> = {
  LL: 'critically low',
  L: 'low',
  N: 'normal',
  H: 'high',
  HH: 'critically high',
};

/** The lab form's item holding the date the sample was taken: the date that picks a range. */
export const LAB_SAMPLE_DATE_ITEM = 'sample_date';
/** The lab form's item holding the time the sample was taken (24-hour HH:MM, site local time). */
export const LAB_SAMPLE_TIME_ITEM = 'sample_time';

/**
 * The flag of `value` against `range`. A value equal to a limit is within it: a reference interval
 * includes its limits (CLSI EP28-A3c, the 2.5th and 97.5th percentiles bound the interval); a
 * critical limit is crossed only strictly beyond it, as the limits of normal are.
 */
export function labFlag(
  value: number,
  range: Pick<LabReferenceRange, 'low' | 'high' | 'criticalLow' | 'criticalHigh'>,
): LabFlag {
  if (range.criticalLow !== undefined && value < range.criticalLow) return 'LL';
  if (range.low !== undefined && value < range.low) return 'L';
  if (range.criticalHigh !== undefined && value > range.criticalHigh) return 'HH';
  if (range.high !== undefined && value > range.high) return 'H';
  return 'N';
}

export const isOutOfRange = (f: LabFlag) => f !== 'N';

/** Whose value it is: the subject's site (centre id), sex, and the sample date (ISO) when known. */
export interface LabRangeContext {
  centre: string | null;
  sex: string | null;
  date: string | null;
}

/**
 * The range in force for `itemCode` in `unit`: the site's own range over the protocol default, a
 * sex-specific range over one for either sex, and among those the one that started last. A range
 * with dates applies only to a sample date within them (a value without a sample date is judged by
 * the ranges in force without one: open-ended at both ends). Undefined: no range, no flag.
 */
export function referenceRangeFor(
  ranges: readonly LabReferenceRange[] | undefined,
  itemCode: string,
  unit: string | null,
  ctx: LabRangeContext,
): LabReferenceRange | undefined {
  let best: LabReferenceRange | undefined;
  let bestRank = -1;
  for (const r of ranges ?? []) {
    if (r.itemCode !== itemCode || r.unit !== unit) continue;
    if (r.centre !== undefined && r.centre !== ctx.centre) continue;
    if (r.sex !== undefined && r.sex !== ctx.sex) continue;
    if (ctx.date === null) {
      if (r.effectiveFrom !== undefined || r.effectiveTo !== undefined) continue;
    } else {
      if (r.effectiveFrom !== undefined && ctx.date < r.effectiveFrom) continue;
      if (r.effectiveTo !== undefined && ctx.date > r.effectiveTo) continue;
    }
    const rank = (r.centre !== undefined ? 2 : 0) + (r.sex !== undefined ? 1 : 0);
    if (rank > bestRank || (rank === bestRank && (r.effectiveFrom ?? '') > (best?.effectiveFrom ?? ''))) {
      best = r;
      bestRank = rank;
    }
  }
  return best;
}

/** The range a value is judged by, and the value in that range's unit. */
export interface LabRangeMatch {
  range: LabReferenceRange;
  /** The value in `range.unit`: the value itself, or converted from the unit it was entered in. */
  valueInRangeUnit: number;
  /** True when the range is stated in another unit than the value's (the value was converted). */
  converted: boolean;
}

/**
 * The range in force for a value of `itemCode` entered in `unit`: the range in that unit when there
 * is one (`referenceRangeFor`); otherwise a range of the item in another unit that the value converts
 * to through core's unit functions (instruments/units/convert.ts, factors of instruments.md §6.4:
 * g/dL × 10 = g/L, mg/dL ÷ 100 = g/L for complement, /mm³ ÷ 1000 = 10⁹/L, creatinine mg/dL × 88.4 =
 * µmol/L, …), the site's/sex-specific one over the protocol default as above; among equally specific
 * ones the first unit in the definition's order. Undefined: no range in any convertible unit, no flag.
 */
export function referenceRangeForValue(
  ranges: readonly LabReferenceRange[] | undefined,
  itemCode: string,
  value: number,
  unit: string | null,
  ctx: LabRangeContext,
): LabRangeMatch | undefined {
  const own = referenceRangeFor(ranges, itemCode, unit, ctx);
  if (own) return { range: own, valueInRangeUnit: value, converted: false };
  if (unit === null) return undefined;
  let best: LabRangeMatch | undefined;
  let bestRank = -1;
  const seen = new Set<string>([unit]);
  for (const r of ranges ?? []) {
    if (r.itemCode !== itemCode || seen.has(r.unit)) continue;
    seen.add(r.unit);
    const converted = convertUnitEitherWay(value, unit, r.unit, itemCode);
    if (converted === undefined) continue;
    // 12 significant digits: a value at a limit stays at it (0.9 g/L is 90 mg/dL, not 90.00000000000001).
    const inUnit = Number(converted.toPrecision(12));
    const range = referenceRangeFor(ranges, itemCode, r.unit, ctx);
    if (!range) continue;
    const rank = (range.centre !== undefined ? 2 : 0) + (range.sex !== undefined ? 1 : 0);
    if (rank > bestRank) {
      best = { range, valueInRangeUnit: inUnit, converted: true };
      bestRank = rank;
    }
  }
  return best;
}

/** How a range reads: "125–350 10^9/L", "≥ 0.9 g/L", "≤ 5 /hpf". */
export function formatReferenceRange(r: Pick<LabReferenceRange, 'low' | 'high' | 'unit'>): string {
  const span =
    r.low !== undefined && r.high !== undefined
      ? `${r.low}–${r.high}`
      : r.low !== undefined
        ? `≥ ${r.low}`
        : `≤ ${r.high}`;
  return `${span} ${r.unit}`;
}

export interface EnteredLabValue {
  itemCode: string;
  value: string | null;
  unit: string | null;
  missingCode?: string | null;
}

export interface LabValueFlag {
  itemCode: string;
  /** The value as entered, in `unit`. */
  value: number;
  unit: string | null;
  flag: LabFlag;
  /** The range in force, in its own unit (`range.unit`, which may differ from `unit`). */
  range: LabReferenceRange;
  /** Present when the range is in another unit: the value converted to `range.unit`. */
  valueInRangeUnit?: number;
}

/** The sample date of a lab form's values: its sample-date item, else the visit's date. */
export function labSampleDate(items: readonly EnteredLabValue[], visitDate: string | null): string | null {
  const v = items.find((i) => i.itemCode === LAB_SAMPLE_DATE_ITEM)?.value;
  return v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : visitDate;
}

/** The flag of every numeric value of the form that has a range in force (in range ones included). */
export function labFlagsOfForm(
  form: FormDefinitionItems,
  ranges: readonly LabReferenceRange[] | undefined,
  items: readonly EnteredLabValue[],
  ctx: LabRangeContext,
): LabValueFlag[] {
  if (!ranges || ranges.length === 0) return [];
  const out: LabValueFlag[] = [];
  for (const it of items) {
    if (it.value === null || it.value.trim() === '') continue;
    const def = form.items.find((d) => d.code === it.itemCode);
    if (!def || (def.type !== 'decimal' && def.type !== 'integer')) continue;
    const n = Number(it.value);
    if (!Number.isFinite(n)) continue;
    const match = referenceRangeForValue(ranges, it.itemCode, n, it.unit, ctx);
    if (!match) continue;
    const { range, valueInRangeUnit, converted } = match;
    out.push({
      itemCode: it.itemCode,
      value: n,
      unit: it.unit,
      flag: labFlag(valueInRangeUnit, range),
      range,
      ...(converted ? { valueInRangeUnit } : {}),
    });
  }
  return out;
}

/** The clinical-significance item of each lab item of a form (the item whose `significanceOf` names it). */
export function significanceItems(form: FormDefinitionItems): Map<string, ItemDefinition> {
  const m = new Map<string, ItemDefinition>();
  for (const d of form.items) if (d.significanceOf) m.set(d.significanceOf, d);
  return m;
}

/**
 * The significance items still unanswered for out-of-range values: an out-of-range lab value needs
 * its CS/NCS answer (a value or a missing-data code) before the form is complete.
 */
export function unansweredSignificance(
  form: FormDefinitionItems,
  flags: readonly LabValueFlag[],
  items: readonly EnteredLabValue[],
): ItemDefinition[] {
  const bySignificance = significanceItems(form);
  const answered = new Set(
    items.filter((i) => i.value !== null || (i.missingCode ?? null) !== null).map((i) => i.itemCode),
  );
  const open: ItemDefinition[] = [];
  for (const f of flags) {
    if (!isOutOfRange(f.flag)) continue;
    const s = bySignificance.get(f.itemCode);
    if (s && !answered.has(s.code)) open.push(s);
  }
  return open;
}
