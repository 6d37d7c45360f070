/**
 * The re-treatment flag (endpoints.md "Re-treatment rule", the paper's conclusion): "A responder who
 * relapses after month 6, or whose SLEDAI-2K rises by ≥ 3 with falling C3 or rising anti-dsDNA at two
 * consecutive assessments after month 6, is flagged for a repeat MSCT cycle."
 *
 * "After month 6" = after the cycle's month-6 assessment (`afterVisitCode` 'M6'): a relapse or an
 * assessment counts when it is later than that assessment, whatever its study day (an M6 done on day
 * 175 and an unscheduled relapse on day 190 flags). When the month-6 assessment was not done, "after
 * month 6" falls back to after cycle day `afterStudyDay` (196 = the end of the M6 window, trial.md
 * Schedule), the latest day the month-6 assessment could have been. Rises and falls are measured from
 * the assessment that established the response. The flag is advice; starting a cycle is an audited
 * action at the edge.
 */
import type { RetreatmentRuleParameters } from '../protocol/study-definition.js';
import type { CycleAssessment, RelapseFinding } from './relapse.js';
import { step, type TraceStep } from './trace.js';

export interface RetreatmentFlag {
  flagged: boolean;
  rule?: 'retreatment.relapse' | 'retreatment.serology';
  visitCode?: string;
  studyDay?: number;
  trace: TraceStep[];
}

/** The cycle day after which "after month 6" holds, and how it was decided (for the trace). */
export function retreatmentThreshold<S extends string>(
  assessments: readonly CycleAssessment<S>[],
  rule: RetreatmentRuleParameters,
): { cycleDay: number; text: string } {
  const visit = rule.afterVisitCode
    ? assessments.find((a) => a.visitCode === rule.afterVisitCode)
    : undefined;
  if (visit) {
    return {
      cycleDay: visit.cycleDay,
      text: `after the ${visit.visitCode} assessment (day ${visit.studyDay})`,
    };
  }
  return {
    cycleDay: rule.afterStudyDay,
    text: rule.afterVisitCode
      ? `after cycle day ${rule.afterStudyDay} (${rule.afterVisitCode} not done: end of its window)`
      : `after cycle day ${rule.afterStudyDay}`,
  };
}

export function retreatmentFlag<S extends string>(
  response: CycleAssessment<S> | null,
  relapse: RelapseFinding<S> | null,
  assessments: readonly CycleAssessment<S>[],
  rule: RetreatmentRuleParameters,
): RetreatmentFlag {
  if (!response) return { flagged: false, trace: [] };
  const after = retreatmentThreshold(assessments, rule);
  if (rule.flagOnRelapse && relapse && relapse.cycleDay > after.cycleDay) {
    return {
      flagged: true,
      rule: 'retreatment.relapse',
      visitCode: relapse.visitCode,
      studyDay: relapse.studyDay,
      trace: [
        step(
          'retreatment.relapse',
          'met',
          `Relapse at ${relapse.visitCode} (day ${relapse.studyDay}) ${after.text}: flag for a repeat MSCT cycle (endpoints.md Re-treatment rule).`,
          { visitCode: relapse.visitCode, studyDay: relapse.studyDay },
        ),
      ],
    };
  }
  const base = response;
  if (base.sledai === undefined) return { flagged: false, trace: [] };
  let run: CycleAssessment<S>[] = [];
  for (const v of assessments) {
    if (v.cycleDay <= base.cycleDay || v.cycleDay <= after.cycleDay) continue;
    const rise = v.sledai !== undefined ? v.sledai - base.sledai : null;
    const c3Falling = v.c3 !== undefined && base.c3 !== undefined && v.c3 < base.c3;
    const dnaRising =
      v.antiDsDna !== undefined && base.antiDsDna !== undefined && v.antiDsDna > base.antiDsDna;
    if (rise !== null && rise >= rule.sledaiRise && (c3Falling || dnaRising)) {
      run.push(v);
      if (run.length >= rule.consecutiveAssessments) {
        return {
          flagged: true,
          rule: 'retreatment.serology',
          visitCode: v.visitCode,
          studyDay: v.studyDay,
          trace: [
            step(
              'retreatment.serology',
              'met',
              `SLEDAI-2K ≥ ${rule.sledaiRise} above ${base.visitCode} with falling C3 or rising anti-dsDNA at ${run
                .map((x) => x.visitCode)
                .join(
                  ' and ',
                )} (${after.text}): flag for a repeat MSCT cycle (endpoints.md Re-treatment rule).`,
              { visitCode: v.visitCode, studyDay: v.studyDay },
            ),
          ],
        };
      }
    } else {
      run = [];
    }
  }
  return { flagged: false, trace: [] };
}
