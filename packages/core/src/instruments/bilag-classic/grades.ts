// Classic BILAG (1988, revised 1993): 8 systems graded A–E, usually by the assessor from the
// glossary (instruments.md §2.1). Numeric weights A = 9, B = 3, C = 1, D = E = 0 as used by the
// BLIPS software [READ: limathon.com ALMS FAQ "BILAG Scores"] — the weights that decompose the
// built-in trial's Table 1 totals (shared/protocol/trial.md: e.g. 7 = B + B + C).

import type { BilagGrade } from '../bilag2004/types.js';
import {
  EMPTY_TRACE,
  fail,
  type Issue,
  issue,
  ok,
  type Result,
  type ScoreOptions,
  type TraceEntry,
} from '../result.js';

export const CLASSIC_BILAG_SYSTEMS = [
  'general',
  'mucocutaneous',
  'neurological',
  'musculoskeletal',
  'cardiorespiratory',
  'vasculitis',
  'renal',
  'haematological',
] as const;
export type ClassicBilagSystem = (typeof CLASSIC_BILAG_SYSTEMS)[number];

export type ClassicBilagGrades = Readonly<Record<ClassicBilagSystem, BilagGrade>>;

/** Classic numeric weights (BLIPS; instruments.md §2.1). */
export const CLASSIC_BILAG_WEIGHTS: Readonly<Record<BilagGrade, number>> = Object.freeze({
  A: 9,
  B: 3,
  C: 1,
  D: 0,
  E: 0,
});

/** Maximum classic total: 8 × 9 = 72 (instruments.md §2.1, INFERRED arithmetic). */
export const CLASSIC_BILAG_MAX = 72;

export interface ClassicBilagValue {
  readonly grades: ClassicBilagGrades;
  /** Sum of the classic weights over the eight systems. */
  readonly total: number;
  /** The highest system grade: the "overall" BILAG used by Yee 2007 (PMC2659367). */
  readonly highest: BilagGrade;
}

const GRADES: ReadonlySet<unknown> = new Set(['A', 'B', 'C', 'D', 'E']);
const KNOWN: ReadonlySet<string> = new Set(CLASSIC_BILAG_SYSTEMS);

/**
 * Validates assessor-entered classic BILAG grades (all eight systems required) and totals them
 * with A = 9, B = 3, C = 1, D = E = 0.
 */
export function classicBilagTotal(
  grades: Readonly<Record<string, unknown>>,
  options?: ScoreOptions,
): Result<ClassicBilagValue> {
  const issues: Issue[] = [];
  for (const key in grades) {
    if (!KNOWN.has(key))
      issues.push(issue('item-unknown', ['bilagClassic', key], `unknown classic BILAG system ${key}`));
  }
  const trace: TraceEntry[] | null = options?.trace === false ? null : [];
  let total = 0;
  let highest: BilagGrade = 'E';
  for (const system of CLASSIC_BILAG_SYSTEMS) {
    const g = grades[system];
    if (g === undefined) {
      issues.push(issue('input-invalid', ['bilagClassic', system], `grade for ${system} is missing (A–E)`));
      continue;
    }
    if (!GRADES.has(g)) {
      issues.push(issue('code-invalid', ['bilagClassic', system], `grade ${String(g)} not in A, B, C, D, E`));
      continue;
    }
    const grade = g as BilagGrade;
    const w = CLASSIC_BILAG_WEIGHTS[grade];
    total += w;
    if (grade < highest) highest = grade; // 'A' < 'B' < … < 'E'
    trace?.push({ item: system, source: 'entered', detail: `grade ${grade} = ${w}`, contributes: w });
  }
  if (issues.length > 0) return fail(issues);
  return ok({ grades: grades as ClassicBilagGrades, total, highest }, trace ?? EMPTY_TRACE);
}

export interface GradeCounts {
  readonly A: number;
  readonly B: number;
  readonly C: number;
}

/**
 * Every way a classic total splits into counts of A, B and C over at most eight systems — for
 * reading published totals (trial.md Table 1) back into plausible grade profiles. Ordered with
 * the fewest active systems first.
 */
export function classicBilagDecompositions(total: number): GradeCounts[] {
  const out: GradeCounts[] = [];
  if (!Number.isInteger(total) || total < 0 || total > CLASSIC_BILAG_MAX) return out;
  for (let a = 0; a <= 8; a++) {
    for (let b = 0; a + b <= 8; b++) {
      const c = total - 9 * a - 3 * b;
      if (c >= 0 && a + b + c <= 8) out.push({ A: a, B: b, C: c });
    }
  }
  return out.sort((x, y) => x.A + x.B + x.C - (y.A + y.B + y.C) || y.A - x.A);
}
