/**
 * Edit checks as data (issue #20/#21): soft plausibility rules of a study definition (range,
 * required-if, compare, cross-visit), evaluated on one form's stored values. Pure: the store's item
 * writer (edit-check-queries.ts) reads the values at commit and turns a broken check of severity
 * 'query' into one open system query on the item, and closes it when the data pass again.
 *
 * A check that cannot be decided (a value it reads is missing or not a number, a unit other than the
 * check's, its `when` condition does not hold) is `not_applicable`: it neither raises nor keeps a query.
 */
import type { z } from 'zod';
import type {
  compareOperatorSchema,
  EligibilityCondition,
  editCheckRuleSchema,
  editCheckSchema,
} from './definition-schema.js';
import { evaluateCondition, type ScreeningData, type ScreeningValue } from './eligibility.js';

export type EditCheck = z.infer<typeof editCheckSchema>;
export type EditCheckRule = z.infer<typeof editCheckRuleSchema>;
export type CompareOperator = z.infer<typeof compareOperatorSchema>;

/** One stored item value of a form, as the store holds it (text and unit). */
export interface StoredItemValue {
  value: string | null;
  unit?: string | null;
}

/** A form's stored values by item code (absent = not entered). */
export type StoredFormValues = Readonly<Record<string, StoredItemValue | undefined>>;

export type EditCheckOutcome =
  | { status: 'pass' }
  | { status: 'not_applicable'; reason: string }
  | {
      status: 'fail';
      /** The item the query goes on. */
      item: string;
      /** True when the item has no value (required-if): the query goes on the form, field = item. */
      missing: boolean;
      /** The values the check read, in words, e.g. "diastolic_bp = 95 mmHg, systolic_bp = 90 mmHg". */
      detail: string;
    };

const SYMBOL: Record<CompareOperator, string> = { lt: '<', lte: '≤', gt: '>', gte: '≥', eq: '=', ne: '≠' };
const NUMBER = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

const isBlank = (v: StoredItemValue | undefined): boolean =>
  v === undefined || v.value === null || v.value.trim() === '';

/** A stored value as a finite number, or undefined (missing, a missing-data code, free text). */
function numberOf(v: StoredItemValue | undefined): number | undefined {
  if (!v || v.value === null || !NUMBER.test(v.value)) return undefined;
  const n = Number(v.value);
  return Number.isFinite(n) ? n : undefined;
}

/** How a check names an item in the words it writes: its label from the definition (issue 22). */
export type ItemLabel = (itemCode: string) => string;

const showWith =
  (label: ItemLabel) =>
  (item: string, v: StoredItemValue | undefined): string =>
    isBlank(v) ? `${label(item)} not entered` : `${label(item)} = ${v!.value}${v!.unit ? ` ${v!.unit}` : ''}`;

/** The form's values typed as a condition's leaves read them (numbers, booleans or text). */
function conditionData(condition: EligibilityCondition, values: StoredFormValues): ScreeningData {
  const out: Record<string, ScreeningValue> = {};
  const visit = (c: EligibilityCondition) => {
    if (c.op === 'all' || c.op === 'any') {
      for (const sub of c.conditions) visit(sub);
      return;
    }
    const v = values[c.item];
    if (isBlank(v)) return;
    const raw = v!.value!.trim();
    if (c.op === 'is') {
      // A yes/no item is stored 1 / 0 (crf/item-definition.ts BOOLEAN_VALUES); imports may say true/false.
      out[c.item] =
        typeof c.value === 'boolean'
          ? raw === 'true' || raw === '1'
            ? true
            : raw === 'false' || raw === '0'
              ? false
              : raw
          : raw;
    } else out[c.item] = numberOf(v) ?? raw;
  };
  visit(condition);
  return out;
}

/** Every item of the check's form that the check reads (a save of one of them re-runs the check). */
export function editCheckItems(check: EditCheck): string[] {
  const items = new Set<string>();
  const fromCondition = (c: EligibilityCondition) => {
    if (c.op === 'all' || c.op === 'any') for (const sub of c.conditions) fromCondition(sub);
    else items.add(c.item);
  };
  if (check.when) fromCondition(check.when);
  const r = check.rule;
  items.add(r.item);
  if (r.kind === 'required-if') fromCondition(r.condition);
  if (r.kind === 'compare' && r.other) items.add(r.other);
  if (r.kind === 'cross-visit') items.add(r.referenceItem ?? r.item);
  return [...items];
}

const compare = (a: number, op: CompareOperator, b: number): boolean =>
  op === 'lt'
    ? a < b
    : op === 'lte'
      ? a <= b
      : op === 'gt'
        ? a > b
        : op === 'gte'
          ? a >= b
          : op === 'eq'
            ? a === b
            : a !== b;

/**
 * Evaluates one check on one form's values. `reference`: the same form's values at the rule's
 * reference visit (cross-visit rules only; absent when that visit has no such form). `label`: how
 * the outcome's words name an item — the store passes the definition's item labels, so a query
 * reads "Diastolic blood pressure = 130 mmHg", not "diastolic_bp = 130 mmHg" (issue 22: labels, not
 * codes; the item's code stays on the query as its field). Without it items are named by code.
 */
export function evaluateEditCheck(
  check: EditCheck,
  values: StoredFormValues,
  reference?: StoredFormValues,
  label: ItemLabel = (item) => item,
): EditCheckOutcome {
  const show = showWith(label);
  if (check.when) {
    const w = evaluateCondition(check.when, conditionData(check.when, values));
    if (w.value !== true) return { status: 'not_applicable', reason: `when: ${w.clauses.join('; ')}` };
  }
  const r = check.rule;
  const v = values[r.item];
  switch (r.kind) {
    case 'range': {
      const x = numberOf(v);
      if (x === undefined) return { status: 'not_applicable', reason: show(r.item, v) };
      if (r.unit && v?.unit && v.unit !== r.unit)
        return { status: 'not_applicable', reason: `${show(r.item, v)} is not in ${r.unit}` };
      const low = r.min !== undefined && x < r.min;
      const high = r.max !== undefined && x > r.max;
      if (!low && !high) return { status: 'pass' };
      const bounds =
        r.min !== undefined && r.max !== undefined
          ? `${r.min}–${r.max}`
          : r.min !== undefined
            ? `≥ ${r.min}`
            : `≤ ${r.max}`;
      return {
        status: 'fail',
        item: r.item,
        missing: false,
        detail: `${show(r.item, v)}, expected ${bounds}${r.unit ? ` ${r.unit}` : ''}`,
      };
    }
    case 'required-if': {
      const c = evaluateCondition(r.condition, conditionData(r.condition, values));
      if (c.value !== true || !isBlank(v)) return { status: 'pass' };
      return {
        status: 'fail',
        item: r.item,
        missing: true,
        // A clause starts with the item it read (eligibility.ts); that item is named by its label.
        detail: `${label(r.item)} not entered although ${c.clauses.map((cl) => cl.replace(/^\S+/, (code) => label(code))).join('; ')}`,
      };
    }
    case 'compare': {
      const a = numberOf(v);
      if (a === undefined) return { status: 'not_applicable', reason: show(r.item, v) };
      let b: number | undefined;
      let other: string;
      if (r.other !== undefined) {
        const w = values[r.other];
        b = numberOf(w);
        if (b === undefined) return { status: 'not_applicable', reason: show(r.other, w) };
        if (v?.unit && w?.unit && v.unit !== w.unit)
          return {
            status: 'not_applicable',
            reason: `${show(r.item, v)} and ${show(r.other, w)} differ in unit`,
          };
        other = show(r.other, w);
      } else {
        b = r.value;
        if (b === undefined) return { status: 'not_applicable', reason: 'nothing to compare with' };
        other = String(b);
      }
      if (compare(a, r.op, b)) return { status: 'pass' };
      return {
        status: 'fail',
        item: r.item,
        missing: false,
        detail: `${show(r.item, v)}, expected ${SYMBOL[r.op]} ${other}`,
      };
    }
    case 'cross-visit': {
      const refItem = r.referenceItem ?? r.item;
      const a = numberOf(v);
      if (a === undefined) return { status: 'not_applicable', reason: show(r.item, v) };
      const w = reference?.[refItem];
      const b = numberOf(w);
      if (b === undefined || b === 0)
        return { status: 'not_applicable', reason: `at ${r.referenceVisit}: ${show(refItem, w)}` };
      if (v?.unit && w?.unit && v.unit !== w.unit)
        return { status: 'not_applicable', reason: `units differ from ${r.referenceVisit}` };
      const change = ((a - b) / Math.abs(b)) * 100;
      if (Math.abs(change) <= r.maxChangePercent) return { status: 'pass' };
      const sign = change > 0 ? '+' : '−';
      return {
        status: 'fail',
        item: r.item,
        missing: false,
        detail: `${show(r.item, v)}, ${show(refItem, w)} at ${r.referenceVisit}: ${sign}${Math.abs(change).toFixed(1)} % (limit ±${r.maxChangePercent} %)`,
      };
    }
  }
}

/** The text of the system query a broken check raises: its message and the values it read. */
export const editCheckQueryText = (check: EditCheck, outcome: { detail: string }): string =>
  `Automatic check: ${check.message} (${outcome.detail})`;
