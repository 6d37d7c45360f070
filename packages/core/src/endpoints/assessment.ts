/**
 * Endpoint input: a patient's BILAG system grades (computed upstream by the instruments) and SLEDAI-2K,
 * C3 and anti-dsDNA per assessment, plus baseline, death, withdrawal and re-treatment cycles.
 *
 * Generic over the system names `S`, so classic BILAG (8 systems) and BILAG-2004 (9) both work: the
 * caller passes the list of systems its study grades.
 */
import type { IsoDate } from '../protocol/iso-date.js';

export type SystemGrade = 'A' | 'B' | 'C' | 'D' | 'E';

export interface Assessment<S extends string = string> {
  /** Scheduled visit code ('M1', 'M3', 'M6', 'M9', 'M12', …) or 'UNSCHEDULED'. */
  visitCode: string;
  /** Days since the patient's first infusion (study day 0, DESIGN.md), whatever the cycle. */
  studyDay: number;
  date: IsoDate;
  /** BILAG grade per system; a system left out is "not assessed". */
  grades: Partial<Record<S, SystemGrade>>;
  /** SLEDAI-2K total. */
  sledai?: number;
  /** Serum C3 (any unit, the same across the patient's assessments). */
  c3?: number;
  /** Anti-dsDNA (IU/mL or titre, the same across the patient's assessments). */
  antiDsDna?: number;
  /** Treatment cycle the assessment belongs to; default: the cycle whose day 0 precedes it. */
  cycle?: number;
}

/** A re-treatment cycle (trial.md "Intervention": further cycles with their own day 0 / day 7). */
export interface CycleStart<S extends string = string> {
  /** 2, 3, … (cycle 1 starts at study day 0 with `PatientHistory.baseline`). */
  cycle: number;
  /** Study day of this cycle's first infusion. */
  day0StudyDay: number;
  /** The pre-infusion assessment of this cycle: the reference for "new" grades in this cycle. */
  baseline: Assessment<S>;
}

export interface StudyEvent {
  studyDay: number;
  date: IsoDate;
}

export interface PatientHistory<S extends string = string> {
  subjectId?: string;
  /** The systems graded by the study's BILAG version. */
  systems: readonly S[];
  /** Cycle-1 baseline (pre-infusion, day 0). */
  baseline: Assessment<S>;
  /** Post-baseline assessments of every cycle, any order. */
  assessments: readonly Assessment<S>[];
  death?: StudyEvent & { cause?: string };
  withdrawal?: StudyEvent & { reason?: string };
  /** Last time the patient was known alive (for survival censoring). */
  lastContact?: StudyEvent;
  cycles?: readonly CycleStart<S>[];
  /**
   * Data cut, as a study day. When given and earlier than the end of a cycle's follow-up, verdicts
   * that need later data are `pending` instead of imputed. Absent = follow-up is complete.
   */
  asOfStudyDay?: number;
}

/** Grade counts at one assessment. */
export function gradeProfile<S extends string>(a: Assessment<S>, systems: readonly S[]) {
  const A: S[] = [];
  const B: S[] = [];
  const missing: S[] = [];
  for (const s of systems) {
    const g = a.grades[s];
    if (g === undefined) missing.push(s);
    else if (g === 'A') A.push(s);
    else if (g === 'B') B.push(s);
  }
  return { A, B, missing, cOrBetter: A.length === 0 && B.length === 0 && missing.length === 0 };
}

/**
 * New A and new B at `v` relative to `reference` (endpoints.md "Notation"):
 * - new A: grade A where the reference grade was not A (and, when `previous` is given — flares after
 *   a response — where the previous assessment was not A either);
 * - new B: grade B where the reference grade was C, D or E (an A improving to B is not new).
 * A system not graded at `v` cannot be new; one not graded at the reference is treated as not new
 * (adjudication refuses an incomplete reference before it gets here).
 */
export function newGrades<S extends string>(
  v: Assessment<S>,
  reference: Assessment<S>,
  systems: readonly S[],
  previous?: Assessment<S>,
): { newA: S[]; newB: S[] } {
  const newA: S[] = [];
  const newB: S[] = [];
  for (const s of systems) {
    const g = v.grades[s];
    const ref = reference.grades[s];
    if (g === undefined || ref === undefined) continue;
    if (g === 'A' && ref !== 'A' && previous?.grades[s] !== 'A') newA.push(s);
    if (g === 'B' && (ref === 'C' || ref === 'D' || ref === 'E')) newB.push(s);
  }
  return { newA, newB };
}
