/**
 * MCR and PCR criteria evaluated at one candidate response assessment (month 6, 9 or 12),
 * exactly as shared/protocol/endpoints.md "Major clinical response" and "Partial clinical response".
 *
 * The window after the response assessment runs to month 12 and stops before a relapse: a response
 * followed by a relapse is "MCR → relapse" / "PCR → relapse" (endpoints.md MCR: "or to the last
 * assessment if the patient relapses later").
 *
 * Reference for "new" (endpoints.md Clarification 1): up to and including the response assessment R,
 * new A / new B are judged against baseline; after R (maintenance, flares, relapse) against R.
 */
import { type Assessment, gradeProfile, newGrades } from './assessment.js';
import { type CycleAssessment, findRelapse, type RelapseFinding } from './relapse.js';
import type { EndpointRuleSet } from './rule-set.js';
import { CLARIFICATION, listSystems, step, type TraceStep } from './trace.js';

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
  state: { mcr: boolean; pcr2: boolean; pcr3: boolean };
  /** No new A or B (vs baseline) from baseline up to and including R. */
  preClean: boolean;
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

/**
 * The maintenance window after a response assessment `r`: the assessments after it up to (not
 * including) a relapse, the relapse if any, and whether follow-up reaches the end of the cycle's
 * follow-up (endpoints.md MCR: "to month 12, or to the last assessment if the patient relapses
 * later"; month 12 = the rule set's `endOfFollowUp` visit or any assessment from its earliest day).
 */
function followUpAfter<S extends string>(
  ctx: CycleContext<S>,
  r: CycleAssessment<S>,
): { relapse: RelapseFinding<S> | null; post: CycleAssessment<S>[]; reachedEnd: boolean } {
  const later = ctx.assessments.filter((v) => v.cycleDay > r.cycleDay);
  const relapse = findRelapse(r, later, ctx.systems, ctx.ruleSet);
  const post = relapse ? later.filter((v) => v.cycleDay < relapse.cycleDay) : later;
  const end = ctx.ruleSet.endOfFollowUp;
  const isEnd = (v: CycleAssessment<S>) => v.visitCode === end.visitCode || v.cycleDay >= end.earliestDay;
  return { relapse, post, reachedEnd: isEnd(r) || relapse !== null || post.some(isEnd) };
}

export function evaluateResponseAt<S extends string>(
  ctx: CycleContext<S>,
  month: number,
  r: CycleAssessment<S>,
): CandidateResponse<S> {
  const { systems, baseline, ruleSet: rs } = ctx;
  const trace: TraceStep[] = [];
  const profile = gradeProfile(r, systems);
  const pre = ctx.assessments.filter((v) => v.cycleDay <= r.cycleDay);
  const { relapse, post, reachedEnd } = followUpAfter(ctx, r);
  // Clarification 1: after R, "new" is judged against R itself.
  const reference = r;

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
          ? `New A/B at ${postNew.first.v.visitCode} (day ${postNew.first.v.studyDay}) in ${listSystems(postNew.first.systems)} compared with ${r.visitCode}, no flare: MCR not maintained, at best PCR`
          : reachedEnd
            ? `No new A or B compared with ${r.visitCode} after it${relapse ? ` until the relapse at ${relapse.visitCode}` : ' through month 12'}`
            : `No new A or B compared with ${r.visitCode} after it, but follow-up does not reach month 12`,
        postNew.first ? at(postNew.first.v) : at(r),
        postNew.first?.systems,
        postNew.first ? CLARIFICATION.mcrMaintained : CLARIFICATION.referenceForNew,
      ),
    );
  }

  // PCR 1: MCR fails only on maintenance (endpoints.md PCR 1: a new A or B after R, Clarification 2);
  // flare-free for ≥ 4 months after R. Follow-up that merely ends before month 12 with no new A or B
  // is not a failed maintenance: that MCR is missing (pending at a data cut, NR after withdrawal).
  let pcr1 = false;
  if (mcrState && !mcr && !postNew.clean) {
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
    // Up to R against baseline; after R against R (Clarification 1). `post` ends before the relapse,
    // and a flare against R after R *is* the relapse, so only the part up to R can disqualify.
    const preFlare = firstFlare(pre, baseline, systems, rs.flare);
    const flare = preFlare.clean ? firstFlare(post, reference, systems, rs.flare) : preFlare;
    const ok = flare.clean && reachedEnd;
    trace.push(
      step(
        'pcr.no-flare',
        flare.clean ? (reachedEnd ? 'met' : 'missing') : 'not_met',
        flare.first
          ? `Flare at ${flare.first.v.visitCode} (day ${flare.first.v.studyDay}) in ${listSystems(flare.first.systems)}.`
          : reachedEnd
            ? `No flare through ${relapse ? `the relapse at ${relapse.visitCode}` : 'month 12'} (against baseline up to ${r.visitCode}, against ${r.visitCode} after it).`
            : `No flare seen (against baseline up to ${r.visitCode}, against ${r.visitCode} after it), but follow-up does not reach month 12.`,
        flare.first ? at(flare.first.v) : at(r),
        flare.first?.systems,
        CLARIFICATION.referenceForNew,
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
      pcr2: pcr2State && preFlareFree(pre, baseline, systems, rs),
      pcr3: pcr3State && preFlareFree(pre, baseline, systems, rs),
    },
    preClean: preNew.clean,
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

/**
 * Endpoints.md Clarification 3, last sentence: before any relapse, a PCR established at `first` is
 * upgraded to MCR when MCR criteria are met at a later response assessment `v` (month 9 or 12): all
 * systems C or better at `v`, no new A or B from baseline to `first` (against baseline) nor from
 * `first` to `v` (against `first`, Clarification 1), and maintained after `v` (against `v`) through
 * month 12 or to a relapse. The response is then re-established at `v`.
 */
export function evaluateUpgradeAt<S extends string>(
  ctx: CycleContext<S>,
  first: CandidateResponse<S>,
  month: number,
  v: CycleAssessment<S>,
): CandidateResponse<S> {
  const { systems } = ctx;
  const profile = gradeProfile(v, systems);
  const between = ctx.assessments.filter((a) => a.cycleDay > first.at.cycleDay && a.cycleDay <= v.cycleDay);
  const sinceFirst = firstNewAorB(between, first.at, systems);
  const { relapse, post, reachedEnd } = followUpAfter(ctx, v);
  const postNew = firstNewAorB(post, v, systems);
  const mcrState = profile.cOrBetter && first.preClean && sinceFirst.clean;
  const mcr = mcrState && postNew.clean && reachedEnd;
  const why = !profile.cOrBetter
    ? `A in ${listSystems(profile.A)}, B in ${listSystems(profile.B)}`
    : !first.preClean
      ? `new A or B between baseline and ${first.at.visitCode}`
      : sinceFirst.first
        ? `new A/B at ${sinceFirst.first.v.visitCode} in ${listSystems(sinceFirst.first.systems)} compared with ${first.at.visitCode}`
        : postNew.first
          ? `new A/B at ${postNew.first.v.visitCode} in ${listSystems(postNew.first.systems)} compared with ${v.visitCode}`
          : !reachedEnd
            ? 'follow-up does not reach month 12'
            : '';
  const trace = [
    step(
      'response.upgraded',
      mcr ? 'met' : 'not_met',
      mcr
        ? `PCR established at ${first.at.visitCode} upgraded to MCR at ${v.visitCode} (month ${month}): all systems C or better, no new A or B since baseline and since ${first.at.visitCode}, maintained${relapse ? ` until the relapse at ${relapse.visitCode}` : ' through month 12'}; the response is re-established at ${v.visitCode}`
        : `No upgrade of the PCR to MCR at ${v.visitCode} (month ${month}): ${why}`,
      at(v),
      undefined,
      CLARIFICATION.relapseNeverErased,
    ),
  ];
  return {
    month,
    at: v,
    state: { mcr: mcrState, pcr2: false, pcr3: false },
    preClean: first.preClean && sinceFirst.clean,
    mcr,
    pcrRoutes: [],
    reachedEnd,
    relapse: mcr ? relapse : null,
    trace,
  };
}

/**
 * Whether `v` meets the response criteria at its own grades (Clarification 3's "meets response
 * criteria again" after a relapse): all systems C or better (MCR criteria), or no A with at most
 * `pcr2MaxB` B, or at most `pcr3MaxB` B after a very high baseline (PCR criteria). Follow-up ends at
 * month 12, so a re-response is shown and never confirmed.
 */
export function responseCriteriaAt<S extends string>(
  ctx: CycleContext<S>,
  v: Assessment<S>,
): 'MCR' | 'PCR' | null {
  const { systems, ruleSet: rs } = ctx;
  const p = gradeProfile(v, systems);
  if (p.missing.length > 0) return null;
  if (p.cOrBetter) return 'MCR';
  if (p.A.length > 0) return null;
  if (p.B.length <= rs.pcr2MaxB) return 'PCR';
  if (p.B.length <= rs.pcr3MaxB && isVeryHighBaseline(ctx.baseline, systems, rs.veryHighBaseline))
    return 'PCR';
  return null;
}
