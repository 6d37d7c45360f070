/**
 * The re-treatment flag (endpoints.md "Re-treatment rule", the paper's conclusion): a responder who
 * relapses after month 6, or whose SLEDAI-2K rises by ≥ 3 with falling C3 or rising anti-dsDNA at two
 * consecutive assessments after month 6, is flagged for a repeat MSCT cycle. Rises and falls are
 * measured from the assessment that established the response. The flag is advice; starting a cycle
 * is an audited action at the edge.
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

export function retreatmentFlag<S extends string>(
  response: CycleAssessment<S> | null,
  relapse: RelapseFinding<S> | null,
  assessments: readonly CycleAssessment<S>[],
  rule: RetreatmentRuleParameters,
): RetreatmentFlag {
  if (!response) return { flagged: false, trace: [] };
  if (rule.flagOnRelapse && relapse && relapse.cycleDay > rule.afterStudyDay) {
    return {
      flagged: true,
      rule: 'retreatment.relapse',
      visitCode: relapse.visitCode,
      studyDay: relapse.studyDay,
      trace: [
        step(
          'retreatment.relapse',
          'met',
          `Relapse at ${relapse.visitCode} after day ${rule.afterStudyDay}: flag for a repeat MSCT cycle.`,
          { visitCode: relapse.visitCode, studyDay: relapse.studyDay },
        ),
      ],
    };
  }
  const base = response;
  if (base.sledai === undefined) return { flagged: false, trace: [] };
  let run: CycleAssessment<S>[] = [];
  for (const v of assessments) {
    if (v.cycleDay <= base.cycleDay || v.cycleDay <= rule.afterStudyDay) continue;
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
                .join(' and ')}: flag for a repeat MSCT cycle.`,
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
