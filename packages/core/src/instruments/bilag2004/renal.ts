// BILAG-2004 renal system, items 78–89, graded from values against the previous assessment.
// Source: instruments.md §2.2.3 — the written rules as documented in the UK JSLE port of the
// legacy BILAG-2004 renal scorer [READ: dappelbe/JSLE-REDCap
// scripts/ukJSLEBilagFunctions_library_v0.1_27May2025.js, renalCategoryACriteria /
// calculateBilagRenalCatA/B/C]. Where that port deviates ("LEGACY") we follow the written rule.
// Whether this includes the 2010 renal update is unknown (themorepists.org, readable only at its
// start): the first-visit choices below are ours and are PROVISIONAL.

import { type Issue, issue, type TraceEntry } from '../result.js';
import { creatinineInUmolL, uacrInMgMmol, upcrInMgMmol, urineProteinInG } from '../units/conversions.js';
import type { Quantity } from '../units/lab-value.js';
import { checkNumber, checkQuantity } from '../units/lab-value.js';
import type { ActivityRank, BilagItemDef } from './types.js';

export const RENAL_ITEMS = Object.freeze([
  { id: 'systolic_bp', number: 78, label: 'Systolic blood pressure (mm Hg)', kind: 'value', units: ['mmHg'] },
  {
    id: 'diastolic_bp',
    number: 79,
    label: 'Diastolic blood pressure (mm Hg)',
    kind: 'value',
    units: ['mmHg'],
  },
  { id: 'accelerated_hypertension', number: 80, label: 'Accelerated hypertension', kind: 'yes-no' },
  {
    id: 'dipstick_protein',
    number: 81,
    label: 'Urine dipstick protein (+ = 1, ++ = 2, +++ = 3)',
    kind: 'value',
  },
  {
    id: 'uacr',
    number: 82,
    label: 'Urine albumin:creatinine ratio',
    kind: 'value',
    units: ['mg/mmol', 'mg/g'],
  },
  {
    id: 'upcr',
    number: 83,
    label: 'Urine protein:creatinine ratio',
    kind: 'value',
    units: ['mg/mmol', 'mg/g', 'g/g'],
  },
  {
    id: 'proteinuria_24h',
    number: 84,
    label: '24 h urine protein',
    kind: 'value',
    units: ['g/24h', 'mg/24h'],
  },
  { id: 'nephrotic_syndrome', number: 85, label: 'Nephrotic syndrome', kind: 'yes-no' },
  {
    id: 'creatinine',
    number: 86,
    label: 'Plasma/serum creatinine',
    kind: 'value',
    units: ['µmol/L', 'mg/dL'],
  },
  {
    id: 'gfr',
    number: 87,
    label: 'GFR (calculated, mL/min/1.73 m²)',
    kind: 'value',
    units: ['mL/min/1.73m2'],
  },
  { id: 'active_urinary_sediment', number: 88, label: 'Active urinary sediment', kind: 'yes-no' },
  {
    id: 'active_nephritis',
    number: 89,
    label: 'Histology of active nephritis within 3 months',
    kind: 'yes-no',
  },
] as const satisfies readonly BilagItemDef[]);

/** The renal values; blood pressures are mm Hg, dipstick 0 (negative/trace) to 3 (+++). */
export interface RenalValues {
  readonly systolic_bp?: number;
  readonly diastolic_bp?: number;
  readonly dipstick_protein?: 0 | 1 | 2 | 3;
  readonly uacr?: Quantity<'mg/mmol' | 'mg/g'>;
  readonly upcr?: Quantity<'mg/mmol' | 'mg/g' | 'g/g'>;
  readonly proteinuria_24h?: Quantity<'g/24h' | 'mg/24h'>;
  readonly creatinine?: Quantity<'µmol/L' | 'mg/dL'>;
  readonly gfr?: Quantity<'mL/min/1.73m2'>;
}

export interface RenalInput extends RenalValues {
  readonly accelerated_hypertension?: boolean;
  readonly nephrotic_syndrome?: boolean;
  readonly active_urinary_sediment?: boolean;
  readonly active_nephritis?: boolean;
}

/** Thresholds with their comparators (instruments.md §2.2.3). */
export const RENAL_THRESHOLDS = Object.freeze({
  /** A: 24 h > 1 g; UPCR/UACR > 100 mg/mmol — strict. */
  severeProteinG24h: 1,
  severeRatioMgMmol: 100,
  /** B: 24 h ≥ 0.5 g; UPCR/UACR ≥ 50 mg/mmol — inclusive (legacy 0.4999/49.99 not copied). */
  moderateProteinG24h: 0.5,
  moderateRatioMgMmol: 50,
  /** C: 24 h > 0.25 g; UPCR/UACR > 25 mg/mmol — strict. */
  mildProteinG24h: 0.25,
  mildRatioMgMmol: 25,
  /** "Not decreased by ≥ 25%": current > 75% of previous. */
  notDecreasedFraction: 0.75,
  /** Creatinine > 130 µmol/L and risen to ≥ 130% (A) / ≥ 115% (B) of previous. */
  creatinineUmolL: 130,
  creatinineRiseA: 1.3,
  creatinineRiseB: 1.15,
  /** GFR < 80 and fallen below 67% of previous; or GFR < 50 and previous > 50 or not measured. */
  gfrFallCeiling: 80,
  gfrFallFraction: 0.67,
  gfrLow: 50,
  /** Rising BP: systolic > 140 and diastolic > 90, with rises ≥ 30 and ≥ 15 mm Hg. */
  systolic: 140,
  diastolic: 90,
  systolicRise: 30,
  diastolicRise: 15,
});

/** The renal rule's counts (instruments.md §2.2.3): dipstick levels and how many A criteria make A. */
export const RENAL_RULE_COUNTS = Object.freeze({
  /** A1 without a quantitative measure: dipstick risen ≥ 2 levels. */
  dipstickRiseA: 2,
  /** B: dipstick risen ≥ 1 level to ≥ 2+. */
  dipstickRiseB: 1,
  dipstickLevelB: 2,
  /** C: dipstick ≥ 1+. */
  dipstickLevelC: 1,
  /** A: ≥ 2 category-A criteria, one of them 1, 4 or 5. */
  criteriaForA: 2,
});
const R = RENAL_RULE_COUNTS;

const KNOWN: ReadonlySet<string> = new Set(RENAL_ITEMS.map((i) => i.id));
const T = RENAL_THRESHOLDS;

interface Norm {
  p24?: number;
  upcr?: number;
  uacr?: number;
  creat?: number;
  gfr?: number;
  dip?: number;
  sbp?: number;
  dbp?: number;
}

function normalise(v: RenalValues, where: string, issues: Issue[]): Norm {
  const n: Norm = {};
  const path = (k: string) => ['bilag2004', where, k];
  const q = <U extends string>(
    k: keyof RenalValues,
    units: readonly string[],
    conv: (x: number, u: U) => number,
  ) => {
    const x = v[k] as Quantity<U> | undefined;
    if (x === undefined) return undefined;
    const bad = checkQuantity(x, units, path(k));
    if (bad) {
      issues.push(bad);
      return undefined;
    }
    return conv(x.value, x.unit);
  };
  n.p24 = q('proteinuria_24h', ['g/24h', 'mg/24h'], urineProteinInG);
  n.upcr = q('upcr', ['mg/mmol', 'mg/g', 'g/g'], upcrInMgMmol);
  n.uacr = q('uacr', ['mg/mmol', 'mg/g'], uacrInMgMmol);
  n.creat = q('creatinine', ['µmol/L', 'mg/dL'], creatinineInUmolL);
  n.gfr = q('gfr', ['mL/min/1.73m2'], (x: number) => x);
  for (const [k, key] of [
    ['sbp', 'systolic_bp'],
    ['dbp', 'diastolic_bp'],
  ] as const) {
    const x = v[key];
    if (x === undefined) continue;
    const bad = checkNumber(x, path(key));
    if (bad) issues.push(bad);
    else n[k] = x;
  }
  if (v.dipstick_protein !== undefined) {
    const d = v.dipstick_protein as unknown;
    if (d === 0 || d === 1 || d === 2 || d === 3) n.dip = d;
    else
      issues.push(issue('code-invalid', path('dipstick_protein'), `dipstick ${String(d)} not in 0, 1, 2, 3`));
  }
  return n;
}

/** current > threshold (or ≥ when inclusive) and not decreased ≥ 25% from previous (none → not decreased). */
function proteinCriterion(
  cur: number | undefined,
  prev: number | undefined,
  threshold: number,
  inclusive: boolean,
): boolean {
  if (cur === undefined) return false;
  const above = inclusive ? cur >= threshold : cur > threshold;
  return above && (prev === undefined || cur > T.notDecreasedFraction * prev);
}

export interface RenalGradeDetail {
  readonly rank: ActivityRank;
  /** Category-A criteria met, numbered 1–6 as in instruments.md §2.2.3. */
  readonly criteriaA: readonly number[];
}

/**
 * Grades the renal system A/B/C (or 0 = no activity) from this visit's values and the previous
 * assessment's values. First visit (no previous), our explicit PROVISIONAL choices: "not
 * decreased ≥ 25%" holds (nothing to have decreased from); a creatinine or dipstick *rise* and a
 * GFR *fall to < 67%* cannot be shown and do not count; "GFR < 50 with previous not measured"
 * counts, as the written rule says; rising blood pressure does not count.
 */
export function gradeRenal(
  input: RenalInput,
  previous: RenalValues | undefined,
  issues: Issue[],
  trace: TraceEntry[] | null,
): RenalGradeDetail {
  for (const key in input) {
    if (!KNOWN.has(key))
      issues.push(issue('item-unknown', ['bilag2004', 'renal', key], `unknown renal item ${key}`));
  }
  for (const key of [
    'accelerated_hypertension',
    'nephrotic_syndrome',
    'active_urinary_sediment',
    'active_nephritis',
  ] as const) {
    const v = input[key];
    if (v !== undefined && typeof v !== 'boolean') {
      issues.push(issue('code-invalid', ['bilag2004', 'renal', key], `${key} must be Y (true) or N (false)`));
    }
  }
  const c = normalise(input, 'renal', issues);
  const p = previous === undefined ? ({} as Norm) : normalise(previous, 'previous.renal', issues);
  const note = (item: string, detail: string) =>
    trace?.push({ item: `renal.${item}`, source: 'rule', detail });

  const quantitative = c.p24 !== undefined || c.upcr !== undefined || c.uacr !== undefined;

  // Criterion 1: deteriorating (severe) proteinuria.
  let a1 =
    proteinCriterion(c.p24, p.p24, T.severeProteinG24h, false) ||
    proteinCriterion(c.upcr, p.upcr, T.severeRatioMgMmol, false) ||
    proteinCriterion(c.uacr, p.uacr, T.severeRatioMgMmol, false);
  if (!quantitative && c.dip !== undefined && p.dip !== undefined && c.dip - p.dip >= R.dipstickRiseA)
    a1 = true;
  if (a1)
    note(
      'proteinuria',
      'A1: 24 h > 1 g or UPCR/UACR > 100 mg/mmol, not decreased ≥ 25% (or dipstick risen ≥ 2 levels)',
    );
  const a2 = input.accelerated_hypertension === true;
  if (a2) note('accelerated_hypertension', 'A2: accelerated hypertension');
  // Criterion 3: deteriorating renal function.
  let a3 = false;
  if (
    c.creat !== undefined &&
    c.creat > T.creatinineUmolL &&
    p.creat !== undefined &&
    c.creat >= T.creatinineRiseA * p.creat
  ) {
    a3 = true;
    note(
      'creatinine',
      `A3: creatinine ${round(c.creat)} µmol/L > 130 and ≥ 130% of previous ${round(p.creat)}`,
    );
  }
  if (c.gfr !== undefined) {
    if (c.gfr < T.gfrFallCeiling && p.gfr !== undefined && c.gfr < T.gfrFallFraction * p.gfr) {
      a3 = true;
      note('gfr', `A3: GFR ${c.gfr} < 80 and < 67% of previous ${p.gfr}`);
    } else if (c.gfr < T.gfrLow && (p.gfr === undefined || p.gfr > T.gfrLow)) {
      a3 = true;
      note('gfr', `A3: GFR ${c.gfr} < 50 and previous ${p.gfr ?? 'not measured'}`);
    }
  }
  const a4 = input.active_urinary_sediment === true;
  if (a4) note('active_urinary_sediment', 'A4: active urinary sediment');
  const a5 = input.active_nephritis === true;
  if (a5) note('active_nephritis', 'A5: histology of active nephritis within 3 months');
  const a6 = input.nephrotic_syndrome === true;
  if (a6) note('nephrotic_syndrome', 'A6: nephrotic syndrome');

  const met = [a1, a2, a3, a4, a5, a6];
  const criteriaA = met.flatMap((m, i) => (m ? [i + 1] : []));
  if (criteriaA.length >= R.criteriaForA && (a1 || a4 || a5)) {
    note(
      'grade',
      `A: ${criteriaA.length} category-A criteria (${criteriaA.join(', ')}), including 1, 4 or 5`,
    );
    return { rank: 3, criteriaA };
  }
  if (criteriaA.length >= 1) {
    note('grade', `B: one category-A criterion (${criteriaA.join(', ')}) without meeting A`);
    return { rank: 2, criteriaA };
  }
  let b =
    proteinCriterion(c.p24, p.p24, T.moderateProteinG24h, true) ||
    proteinCriterion(c.upcr, p.upcr, T.moderateRatioMgMmol, true) ||
    proteinCriterion(c.uacr, p.uacr, T.moderateRatioMgMmol, true);
  if (b) note('proteinuria', 'B: 24 h ≥ 0.5 g or UPCR/UACR ≥ 50 mg/mmol, not decreased ≥ 25%');
  if (
    !quantitative &&
    c.dip !== undefined &&
    p.dip !== undefined &&
    c.dip - p.dip >= R.dipstickRiseB &&
    c.dip >= R.dipstickLevelB
  ) {
    b = true;
    note('dipstick_protein', `B: dipstick risen ${c.dip - p.dip} level(s) to ${c.dip}+`);
  }
  if (
    c.creat !== undefined &&
    c.creat > T.creatinineUmolL &&
    p.creat !== undefined &&
    c.creat >= T.creatinineRiseB * p.creat
  ) {
    b = true;
    note(
      'creatinine',
      `B: creatinine ${round(c.creat)} µmol/L > 130 and ≥ 115% of previous ${round(p.creat)}`,
    );
  }
  if (b) return { rank: 2, criteriaA };
  let cc =
    (c.p24 !== undefined && c.p24 > T.mildProteinG24h) ||
    (c.upcr !== undefined && c.upcr > T.mildRatioMgMmol) ||
    (c.uacr !== undefined && c.uacr > T.mildRatioMgMmol);
  if (cc) note('proteinuria', 'C: 24 h > 0.25 g or UPCR/UACR > 25 mg/mmol');
  if (!quantitative && c.dip !== undefined && c.dip >= R.dipstickLevelC) {
    cc = true;
    note('dipstick_protein', `C: dipstick ${c.dip}+ ≥ 1+`);
  }
  if (
    c.sbp !== undefined &&
    c.dbp !== undefined &&
    p.sbp !== undefined &&
    p.dbp !== undefined &&
    c.sbp > T.systolic &&
    c.dbp > T.diastolic &&
    c.sbp - p.sbp >= T.systolicRise &&
    c.dbp - p.dbp >= T.diastolicRise
  ) {
    cc = true;
    note(
      'blood_pressure',
      `C: BP ${c.sbp}/${c.dbp} > 140/90 with rises ${c.sbp - p.sbp}/${c.dbp - p.dbp} ≥ 30/15`,
    );
  }
  return { rank: cc ? 1 : 0, criteriaA };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
