/**
 * Eligibility: criteria as data, one engine.
 *
 * Each criterion reads named screening items through a condition tree and evaluates with three-valued
 * logic (true / false / unknown when an item it needs is missing). Status semantics, the same for
 * inclusion and exclusion criteria so that a waiver always applies to `not_met`:
 * - `met`: the requirement for eligibility holds (inclusion condition true / exclusion condition false);
 * - `not_met`: it does not (inclusion false / exclusion present);
 * - `missing`: an item needed to decide is not entered;
 * - `waived`: not met, but a recorded, justified protocol deviation allows enrolment (trial.md
 *   "Population": the enrolled cohort includes patients outside the registered criteria).
 */

import type { z } from 'zod';
import type {
  criterionKindSchema,
  EligibilityCondition,
  eligibilityCriterionSchema,
  numericComparatorSchema,
} from './definition-schema.js';

/** A value entered on the screening form. `null`/absent = not entered. */
export type ScreeningValue = number | boolean | string | null | undefined;
export type ScreeningData = Readonly<Record<string, ScreeningValue>>;

// The criterion types are inferred from the one schema of a study definition (definition-schema.ts).
export type { EligibilityCondition } from './definition-schema.js';
export type NumericComparator = z.infer<typeof numericComparatorSchema>;
export type CriterionKind = z.infer<typeof criterionKindSchema>;
export type EligibilityCriterion = z.infer<typeof eligibilityCriterionSchema>;

export interface EligibilityWaiver {
  criterionId: string;
  /** The justification of the protocol deviation; a waiver without one is not accepted. */
  reason: string;
  approvedBy?: string;
  date?: string;
}

export type CriterionStatus = 'met' | 'not_met' | 'missing' | 'waived';

export interface CriterionResult {
  id: string;
  label: string;
  kind: CriterionKind;
  status: CriterionStatus;
  /** Why, in words: the values read and the threshold they were compared with. */
  reason: string;
  /** Items read by the criterion that were not entered. */
  missingItems: string[];
  waiver?: EligibilityWaiver;
}

export type EligibilityOverall = 'eligible' | 'not_eligible' | 'incomplete';

export interface EligibilityResult {
  overall: EligibilityOverall;
  criteria: CriterionResult[];
  /** Criteria enrolled under a waiver: the report lists them as protocol deviations. */
  waived: CriterionResult[];
  /** Waivers that were not applied (unknown criterion, criterion not `not_met`, or no reason). */
  rejectedWaivers: Array<{ waiver: EligibilityWaiver; reason: string }>;
}

type Tri = true | false | 'unknown';

interface Evaluation {
  value: Tri;
  /** One clause per leaf that decided the value. */
  clauses: string[];
  missing: string[];
}

const SYMBOL: Record<NumericComparator, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤', eq: '=' };

function isMissing(v: ScreeningValue): v is null | undefined {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

function fmt(v: ScreeningValue, unit?: string): string {
  return unit ? `${String(v)} ${unit}` : String(v);
}

/** A numeric item's value, or the `unknown` evaluation when it is missing or not a finite number. */
function numericValue(item: string, data: ScreeningData): number | Evaluation {
  const v = data[item];
  if (isMissing(v)) return { value: 'unknown', clauses: [`${item} missing`], missing: [item] };
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    return { value: 'unknown', clauses: [`${item} = ${JSON.stringify(v)} is not a number`], missing: [item] };
  }
  return v;
}

/** Evaluate one condition against the screening data (three-valued). */
export function evaluateCondition(condition: EligibilityCondition, data: ScreeningData): Evaluation {
  switch (condition.op) {
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
    case 'eq': {
      const v = numericValue(condition.item, data);
      if (typeof v !== 'number') return v;
      const t = condition.value;
      const ok =
        condition.op === 'gt'
          ? v > t
          : condition.op === 'gte'
            ? v >= t
            : condition.op === 'lt'
              ? v < t
              : condition.op === 'lte'
                ? v <= t
                : v === t;
      const sym = SYMBOL[condition.op];
      return {
        value: ok,
        clauses: [
          `${condition.item} = ${fmt(v, condition.unit)} ${ok ? 'is' : 'is not'} ${sym} ${fmt(t, condition.unit)}`,
        ],
        missing: [],
      };
    }
    case 'between': {
      const v = numericValue(condition.item, data);
      if (typeof v !== 'number') return v;
      const ok = v >= condition.min && v <= condition.max;
      return {
        value: ok,
        clauses: [
          `${condition.item} = ${fmt(v, condition.unit)} ${ok ? 'is' : 'is not'} within ${condition.min}–${fmt(condition.max, condition.unit)}`,
        ],
        missing: [],
      };
    }
    case 'is': {
      const v = data[condition.item];
      if (isMissing(v))
        return { value: 'unknown', clauses: [`${condition.item} missing`], missing: [condition.item] };
      const ok = v === condition.value;
      return {
        value: ok,
        clauses: [`${condition.item} = ${String(v)}${ok ? '' : ` (required ${String(condition.value)})`}`],
        missing: [],
      };
    }
    case 'all':
    case 'any': {
      const parts = condition.conditions.map((c) => evaluateCondition(c, data));
      // One false decides an "all"; one true decides an "any".
      const decisive = condition.op === 'any';
      const hit = parts.filter((p) => p.value === decisive);
      if (hit.length > 0) {
        // The decisive parts alone explain the value (e.g. one failed clause of an "all").
        return { value: decisive, clauses: hit.flatMap((p) => p.clauses), missing: [] };
      }
      const unknown = parts.filter((p) => p.value === 'unknown');
      if (unknown.length > 0) {
        return {
          value: 'unknown',
          clauses: parts.flatMap((p) => p.clauses),
          missing: unique(unknown.flatMap((p) => p.missing)),
        };
      }
      return { value: !decisive, clauses: parts.flatMap((p) => p.clauses), missing: [] };
    }
  }
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** Every screening item a condition reads (for building the screening form). */
export function conditionItems(condition: EligibilityCondition): string[] {
  if (condition.op === 'all' || condition.op === 'any')
    return unique(condition.conditions.flatMap(conditionItems));
  return [condition.item];
}

/** Evaluate one criterion, before waivers. */
export function evaluateCriterion(criterion: EligibilityCriterion, data: ScreeningData): CriterionResult {
  const e = evaluateCondition(criterion.condition, data);
  const base = { id: criterion.id, label: criterion.label, kind: criterion.kind };
  const because = e.clauses.join('; ');
  if (e.value === 'unknown') {
    return { ...base, status: 'missing', reason: `cannot decide: ${because}`, missingItems: e.missing };
  }
  const met = criterion.kind === 'inclusion' ? e.value : !e.value;
  const reason =
    criterion.kind === 'inclusion'
      ? `${met ? 'inclusion met' : 'inclusion not met'}: ${because}`
      : `${met ? 'exclusion absent' : 'exclusion present'}: ${because}`;
  return { ...base, status: met ? 'met' : 'not_met', reason, missingItems: [] };
}

/**
 * Evaluate all criteria from entered screening data.
 * Overall: any unwaived `not_met` → not_eligible; else any `missing` → incomplete; else eligible.
 */
export function evaluateEligibility(
  criteria: readonly EligibilityCriterion[],
  data: ScreeningData,
  waivers: readonly EligibilityWaiver[] = [],
): EligibilityResult {
  const results = criteria.map((c) => evaluateCriterion(c, data));
  const rejectedWaivers: EligibilityResult['rejectedWaivers'] = [];
  for (const waiver of waivers) {
    const r = results.find((x) => x.id === waiver.criterionId);
    if (!r) {
      rejectedWaivers.push({ waiver, reason: `no criterion with id '${waiver.criterionId}'` });
    } else if (waiver.reason.trim() === '') {
      rejectedWaivers.push({ waiver, reason: 'a waiver needs a recorded justification' });
    } else if (r.status !== 'not_met') {
      rejectedWaivers.push({
        waiver,
        reason: `criterion '${r.id}' is ${r.status}; only a not_met criterion can be waived`,
      });
    } else {
      r.status = 'waived';
      r.waiver = waiver;
      r.reason = `${r.reason} — waived (protocol deviation): ${waiver.reason}`;
    }
  }
  const overall: EligibilityOverall = results.some((r) => r.status === 'not_met')
    ? 'not_eligible'
    : results.some((r) => r.status === 'missing')
      ? 'incomplete'
      : 'eligible';
  return {
    overall,
    criteria: results,
    waived: results.filter((r) => r.status === 'waived'),
    rejectedWaivers,
  };
}
