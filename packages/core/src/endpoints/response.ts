/**
 * MCR and PCR criteria evaluated at one candidate response assessment (month 6, 9 or 12),
 * exactly as shared/protocol/endpoints.md "Major clinical response" and "Partial clinical response".
 *
 * The window after the response assessment runs to month 12 and stops before a relapse: a response
 * followed by a relapse is "MCR → relapse" / "PCR → relapse" (endpoints.md MCR: "or to the last
 * assessment if the patient relapses later").
 */
import { type Assessment, gradeProfile, newGrades } from './assessment.js';
import { type CycleAssessment, findRelapse, type RelapseFinding } from './relapse.js';
import type { EndpointRuleSet } from './rule-set.js';
import { listSystems, step, type TraceStep } from './trace.js';

export type PcrRoute = 1 | 2 | 3;

export interface CycleContext<S extends string> {
  cycle: number;
  systems: readonly S[];
  baseline: Assessment<S>;
  /** Post-baseline assessments of the cycle inside follow-up, in time order. */
  assessments: readonly CycleAssessment<S>[];
  ruleSet: EndpointRuleSet;
}

export interface CandidateResponse<S extends string> {
  month: number;
  at: CycleAssessment<S>;
  /** Criteria met at the response assessment and before it, maintenance aside. */
  state: { mcr: boolean; pcr1: boolean; pcr2: boolean; pcr3: boolean };
  mcr: boolean;
  pcrRoutes: PcrRoute[];
  /** Maintenance reaches month 12 (or a relapse). False = unconfirmed for lack of later data. */
  reachedEnd: boolean;
  relapse: RelapseFinding<S> | null;
  trace: TraceStep[];
}

/** Very high baseline activity (endpoints.md PCR 3): ≥ 2 A; or 1 A and ≥ 2 B; or ≥ 4 B. */
export function isVeryHighBaseline<S extends string>(
  baseline: Assessment<S>,
  systems: readonly S[],
  rule: EndpointRuleSet['veryHighBaseline'],
): boolean {
  const p = gradeProfile(baseline, systems);
  return (
    p.A.length >= rule.minA || (p.A.length === 1 && p.B.length >= rule.oneAMinB) || p.B.length >= rule.minB
  );
}

interface WindowCheck<S extends string> {
  clean: boolean;
  first: { v: CycleAssessment<S>; systems: S[] } | null;
}

/** First assessment with any new A or B (vs `reference`), if any. */
function firstNewAorB<S extends string>(
  vs: readonly CycleAssessment<S>[],
  reference: Assessment<S>,
  systems: readonly S[],
): WindowCheck<S> {
  for (const v of vs) {
    const { newA, newB } = newGrades(v, reference, systems);
    if (newA.length + newB.length > 0) return { clean: false, first: { v, systems: [...newA, ...newB] } };
  }
  return { clean: true, first: null };
}

/** First assessment with a flare (≥ 1 new A or ≥ 2 new B vs `reference`), if any. */
function firstFlare<S extends string>(
  vs: readonly CycleAssessment<S>[],
  reference: Assessment<S>,
  systems: readonly S[],
  flare: EndpointRuleSet['flare'],
): WindowCheck<S> {
  for (const v of vs) {
    const { newA, newB } = newGrades(v, reference, systems);
    if (newA.length >= flare.minNewA || newB.length >= flare.minNewB) {
      return { clean: false, first: { v, systems: [...newA, ...newB] } };
    }
  }
  return { clean: true, first: null };
}

const at = (v: CycleAssessment<string>) => ({ visitCode: v.visitCode, studyDay: v.studyDay });

export function evaluateResponseAt<S extends string>(
  ctx: CycleContext<S>,
  month: number,
  r: CycleAssessment<S>,
): CandidateResponse<S> {
  const { systems, baseline, ruleSet: rs } = ctx;
  const trace: TraceStep[] = [];
  const profile = gradeProfile(r, systems);
  const pre = ctx.assessments.filter((v) => v.cycleDay <= r.cycleDay);
  const later = ctx.assessments.filter((v) => v.cycleDay > r.cycleDay);
  const relapse = findRelapse(r, later, systems, rs);
  const post = relapse ? later.filter((v) => v.cycleDay < relapse.cycleDay) : later;
  const reference = rs.newReference === 'baseline' ? baseline : r;
  const end = rs.endOfFollowUp;
  const reachedEnd =
    r.visitCode === end.visitCode ||
    r.cycleDay >= end.earliestDay ||
    relapse !== null ||
    post.some((v) => v.visitCode === end.visitCode || v.cycleDay >= end.earliestDay);

  // MCR / PCR 1 state: all systems C or better at R, no new A or B between baseline and R.
  const cOrBetter = profile.cOrBetter;
  trace.push(
    step(
      'mcr.c-or-better',
      cOrBetter ? 'met' : 'not_met',
      cOrBetter
        ? `${r.visitCode}: all systems C or better.`
        : `${r.visitCode}: A in ${listSystems(profile.A)}, B in ${listSystems(profile.B)}.`,
      at(r),
      [...profile.A, ...profile.B],
    ),
  );
  const preNew = firstNewAorB(pre, baseline, systems);
  trace.push(
    step(
      'mcr.no-new-a-or-b',
      preNew.clean ? 'met' : 'not_met',
      preNew.first
        ? `New A/B at ${preNew.first.v.visitCode} (day ${preNew.first.v.studyDay}) in ${listSystems(preNew.first.systems)} before or at ${r.visitCode}.`
        : `No new A or B between baseline and ${r.visitCode}.`,
      preNew.first ? at(preNew.first.v) : at(r),
      preNew.first?.systems,
    ),
  );
  const mcrState = cOrBetter && preNew.clean;

  // MCR maintenance: no new A or B after R to month 12 (or to the last assessment before relapse).
  const postNew = firstNewAorB(post, reference, systems);
  const mcr = mcrState && postNew.clean && reachedEnd;
  if (mcrState) {
    trace.push(
      step(
        'mcr.maintained',
        postNew.clean ? (reachedEnd ? 'met' : 'missing') : 'not_met',
        postNew.first
          ? `New A/B at ${postNew.first.v.visitCode} (day ${postNew.first.v.studyDay}) in ${listSystems(postNew.first.systems)}: MCR not maintained.`
          : reachedEnd
            ? `No new A or B after ${r.visitCode}${relapse ? ` until the relapse at ${relapse.visitCode}` : ' through month 12'}.`
            : `No new A or B after ${r.visitCode}, but follow-up does not reach month 12.`,
        postNew.first ? at(postNew.first.v) : at(r),
        postNew.first?.systems,
      ),
    );
  }

  // PCR 1: MCR fails only on maintenance; flare-free for ≥ 4 months after R.
  let pcr1 = false;
  if (mcrState && !mcr) {
    const flare = firstFlare(post, reference, systems, rs.flare);
    const flareFree = flare.first ? post.filter((v) => v.cycleDay < flare.first!.v.cycleDay) : post;
    const lastFree = flareFree.at(-1);
    const days = lastFree ? lastFree.cycleDay - r.cycleDay : 0;
    pcr1 = days >= rs.pcr1MaintainedDays;
    trace.push(
      step(
        'pcr1.maintained-4-months',
        pcr1 ? 'met' : 'not_met',
        `PCR 1: flare-free for ${days} days after ${r.visitCode} (needs ≥ ${rs.pcr1MaintainedDays})${flare.first ? `; flare at ${flare.first.v.visitCode}` : ''}.`,
        lastFree ? at(lastFree) : at(r),
      ),
    );
  }

  // PCR 2 / 3: few B at R, no A; no flare from baseline through month 12 (before any relapse).
  const noA = profile.A.length === 0 && profile.missing.length === 0;
  const pcr2State = noA && profile.B.length <= rs.pcr2MaxB;
  const veryHigh = isVeryHighBaseline(baseline, systems, rs.veryHighBaseline);
  const pcr3State = noA && veryHigh && profile.B.length <= rs.pcr3MaxB;
  let pcr2 = false;
  let pcr3 = false;
  if (!mcr && (pcr2State || pcr3State)) {
    trace.push(
      step(
        pcr2State ? 'pcr2.at-most-one-b' : 'pcr3.at-most-two-b',
        'met',
        pcr2State
          ? `${r.visitCode}: no A and ${profile.B.length} B (≤ ${rs.pcr2MaxB}).`
          : `${r.visitCode}: no A and ${profile.B.length} B (≤ ${rs.pcr3MaxB}) with very high baseline activity.`,
        at(r),
        profile.B,
      ),
    );
    const flare = firstFlare([...pre, ...post], baseline, systems, rs.flare);
    const ok = flare.clean && reachedEnd;
    trace.push(
      step(
        'pcr.no-flare',
        flare.clean ? (reachedEnd ? 'met' : 'missing') : 'not_met',
        flare.first
          ? `Flare at ${flare.first.v.visitCode} (day ${flare.first.v.studyDay}) in ${listSystems(flare.first.systems)}.`
          : reachedEnd
            ? `No flare through ${relapse ? `the relapse at ${relapse.visitCode}` : 'month 12'}.`
            : 'No flare seen, but follow-up does not reach month 12.',
        flare.first ? at(flare.first.v) : at(r),
        flare.first?.systems,
      ),
    );
    pcr2 = pcr2State && ok;
    pcr3 = pcr3State && ok;
  }

  const pcrRoutes: PcrRoute[] = mcr ? [] : ([pcr1 && 1, pcr2 && 2, pcr3 && 3].filter(Boolean) as PcrRoute[]);
  if (!reachedEnd && (mcrState || pcr2State || pcr3State)) {
    trace.push(
      step(
        'response.reaches-month-12',
        'missing',
        `Follow-up after ${r.visitCode} does not reach month 12.`,
        at(r),
      ),
    );
  }
  return {
    month,
    at: r,
    state: {
      mcr: mcrState,
      pcr1: mcrState,
      pcr2: pcr2State && preFlareFree(pre, baseline, systems, rs),
      pcr3: pcr3State && preFlareFree(pre, baseline, systems, rs),
    },
    mcr,
    pcrRoutes,
    reachedEnd,
    relapse: mcr || pcrRoutes.length > 0 ? relapse : null,
    trace,
  };
}

function preFlareFree<S extends string>(
  pre: readonly CycleAssessment<S>[],
  baseline: Assessment<S>,
  systems: readonly S[],
  rs: EndpointRuleSet,
): boolean {
  return firstFlare(pre, baseline, systems, rs.flare).clean;
}
