/**
 * Relapse after a prior response (endpoints.md "Relapse"): the first assessment after the one that
 * established the response with a flare — ≥ 1 new A or ≥ 2 new B compared with the response
 * assessment, or a SLEDAI-2K rise of ≥ 4 from it together with ≥ 1 new B. A new A also needs the
 * previous assessment not to be A (endpoints.md "Notation", flares after a response).
 */
import { type Assessment, newGrades } from './assessment.js';
import type { EndpointRuleSet } from './rule-set.js';
import { listSystems, step, type TraceStep } from './trace.js';

/** An assessment placed in its cycle: `cycleDay` = days since the cycle's day 0. */
export type CycleAssessment<S extends string> = Assessment<S> & { cycleDay: number };

export interface RelapseFinding<S extends string = string> {
  visitCode: string;
  studyDay: number;
  cycleDay: number;
  date: string;
  rule: 'relapse.bilag-flare' | 'relapse.sledai-rise';
  newA: S[];
  newB: S[];
  sledaiRise: number | null;
  trace: TraceStep;
}

/** The first relapse among `after` (assessments later than `response`, in time order), or null. */
export function findRelapse<S extends string>(
  response: CycleAssessment<S>,
  after: readonly CycleAssessment<S>[],
  systems: readonly S[],
  rules: Pick<EndpointRuleSet, 'flare' | 'relapseSledai'>,
): RelapseFinding<S> | null {
  let previous: CycleAssessment<S> = response;
  for (const v of after) {
    const { newA, newB } = newGrades(v, response, systems, previous);
    const rise = v.sledai !== undefined && response.sledai !== undefined ? v.sledai - response.sledai : null;
    const at = { visitCode: v.visitCode, studyDay: v.studyDay };
    const base = {
      visitCode: v.visitCode,
      studyDay: v.studyDay,
      cycleDay: v.cycleDay,
      date: v.date,
      newA,
      newB,
    };
    if (newA.length >= rules.flare.minNewA || newB.length >= rules.flare.minNewB) {
      return {
        ...base,
        rule: 'relapse.bilag-flare',
        sledaiRise: rise,
        trace: step(
          'relapse.bilag-flare',
          'met',
          `Relapse at ${v.visitCode} (day ${v.studyDay}): new A in ${listSystems(newA)}, new B in ${listSystems(newB)} compared with ${response.visitCode} (flare = ≥ ${rules.flare.minNewA} new A or ≥ ${rules.flare.minNewB} new B).`,
          at,
          [...newA, ...newB],
        ),
      };
    }
    if (
      rise !== null &&
      rise >= rules.relapseSledai.sledaiRise &&
      newB.length >= rules.relapseSledai.minNewB
    ) {
      return {
        ...base,
        rule: 'relapse.sledai-rise',
        sledaiRise: rise,
        trace: step(
          'relapse.sledai-rise',
          'met',
          `Relapse at ${v.visitCode} (day ${v.studyDay}): SLEDAI-2K rose by ${rise} (${response.sledai} → ${v.sledai}, ≥ ${rules.relapseSledai.sledaiRise}) with new B in ${listSystems(newB)} compared with ${response.visitCode}.`,
          at,
          newB,
        ),
      };
    }
    previous = v;
  }
  return null;
}
