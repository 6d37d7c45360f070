/**
 * Pocock–Simon minimisation with a random element (Pocock & Simon 1975, Biometrics 31:103–115;
 * Rosenberger & Lachin, Randomization in Clinical Trials, 2nd ed. (Wiley 2016),
 * the chapter on covariate-adaptive randomization).
 *
 * For a new subject with levels (l_1, …, l_F) of the minimisation factors, and each candidate arm
 * k: let n_{f,j} be the number of subjects already assigned to arm j with level l_f of factor f,
 * plus 1 if j = k (the new subject hypothetically assigned to k). The imbalance at factor f is
 * D_f(k) = range or sample variance over arms j of n_{f,j}/r_j (counts scaled by the allocation
 * ratio r_j, so that "balanced" means "in the ratio"), and the total is G_k = Σ_f w_f·D_f(k).
 * Random element (Pocock & Simon's rule with a single probability p): if one arm has the smallest
 * G it is chosen with probability p and each other arm with probability (1 − p)/(K − 1); arms
 * tied at the smallest G share the choice in proportion to their ratios (msct's rule for ties;
 * with equal ratios it is the usual random choice among the tied arms). p = 1 is deterministic
 * minimisation (Taves 1974, Clin Pharmacol Ther 15:443–453), which ICH E9 §2.3.2 says to avoid
 * ("an appropriate element of randomisation should be incorporated"), so p must be in (1/K, 1];
 * 0.8 is a common choice.
 *
 * Each decision draws from its own stream, derived from the seed and the decision's sequence
 * number, so any one assignment can be replayed and audited from the seed and the history alone.
 */
import {
  type Arm,
  badLevels,
  checkArms,
  checkFactors,
  type FactorLevels,
  parseSeed,
  type Seed,
  streamFor,
} from './design.js';
import { fail, ok, type RandomisationResult } from './result.js';

export interface MinimisationFactor {
  readonly name: string;
  readonly levels: readonly string[];
  /** w_f, default 1. Site is a factor like any other when it should be balanced. */
  readonly weight?: number;
}

export interface MinimisationDesign {
  readonly arms: readonly Arm[];
  readonly factors: readonly MinimisationFactor[];
  /** How D_f measures imbalance across arms: 'range' (max − min) or 'variance' (sample variance). */
  readonly imbalance: 'range' | 'variance';
  /** Probability of assigning the arm with the smallest G, in (1/K, 1]. */
  readonly probability: number;
}

export interface RandomisedSubject {
  readonly levels: FactorLevels;
  readonly arm: string;
}

export interface MinimisationDecision {
  /** 1-based: this is the n-th subject randomised by the design. */
  readonly sequence: number;
  readonly arm: string;
  /** G_k for every arm, in design order. */
  readonly imbalance: readonly { readonly arm: string; readonly total: number }[];
  /** The arm(s) with the smallest G. */
  readonly preferred: readonly string[];
  /** Whether the random element chose an arm other than a preferred one. */
  readonly overridden: boolean;
}

function checkDesign(design: MinimisationDesign): RandomisationResult<true> {
  const arms = checkArms(design.arms);
  if (!arms.ok) return arms;
  if (design.factors.length < 1) return fail('invalid-factors', 'minimisation needs at least one factor');
  const factors = checkFactors(design.factors);
  if (!factors.ok) return factors;
  for (const f of design.factors)
    if (f.weight !== undefined && !(Number.isFinite(f.weight) && f.weight > 0))
      return fail('invalid-factors', `factor '${f.name}': weight must be a positive number, got ${f.weight}`);
  if (design.imbalance !== 'range' && design.imbalance !== 'variance')
    return fail('invalid-argument', `imbalance must be 'range' or 'variance', got '${design.imbalance}'`);
  const k = design.arms.length;
  if (!(design.probability > 1 / k && design.probability <= 1))
    return fail(
      'invalid-argument',
      `probability must be greater than 1/${k} (no preference) and at most 1, got ${design.probability}`,
    );
  return ok(true);
}

function spread(values: readonly number[], kind: 'range' | 'variance'): number {
  if (kind === 'range') return Math.max(...values) - Math.min(...values);
  const m = values.reduce((s, v) => s + v, 0) / values.length;
  return values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1);
}

/** Subjects per arm at each level of each factor: counts.get(factor)!.get(level)![arm index]. */
type MarginalCounts = Map<string, Map<string, number[]>>;

function emptyCounts(design: MinimisationDesign): MarginalCounts {
  return new Map(
    design.factors.map((f) => [
      f.name,
      new Map(f.levels.map((l) => [l, new Array<number>(design.arms.length).fill(0)])),
    ]),
  );
}

function add(
  design: MinimisationDesign,
  counts: MarginalCounts,
  levels: FactorLevels,
  armIndex: number,
): void {
  for (const f of design.factors) counts.get(f.name)!.get(levels[f.name]!)![armIndex]!++;
}

function imbalanceFrom(design: MinimisationDesign, counts: MarginalCounts, levels: FactorLevels): number[] {
  return design.arms.map((_, k) =>
    design.factors.reduce((g, f) => {
      const n = counts.get(f.name)!.get(levels[f.name]!)!;
      const scaled = n.map((c, j) => (c + (j === k ? 1 : 0)) / design.arms[j]!.ratio);
      return g + (f.weight ?? 1) * spread(scaled, design.imbalance);
    }, 0),
  );
}

function checkHistory(
  design: MinimisationDesign,
  history: readonly RandomisedSubject[],
): RandomisationResult<true> {
  for (const [i, s] of history.entries()) {
    if (!design.arms.some((a) => a.code === s.arm))
      return fail('invalid-argument', `history[${i}] is on arm '${s.arm}', not an arm of this design`);
    const bad = badLevels(design.factors, s.levels);
    if (bad) return fail('unknown-stratum', `history[${i}]: ${bad}`);
  }
  return ok(true);
}

function countsOf(design: MinimisationDesign, history: readonly RandomisedSubject[]): MarginalCounts {
  const counts = emptyCounts(design);
  for (const s of history)
    add(
      design,
      counts,
      s.levels,
      design.arms.findIndex((a) => a.code === s.arm),
    );
  return counts;
}

/**
 * G_k for each arm k (design order) for a new subject with `levels`, given the subjects already
 * randomised (levels and history must be valid for the design; minimise() checks them).
 */
export function minimisationImbalance(
  design: MinimisationDesign,
  history: readonly RandomisedSubject[],
  levels: FactorLevels,
): number[] {
  return imbalanceFrom(design, countsOf(design, history), levels);
}

function decide(
  design: MinimisationDesign,
  seed: Seed,
  counts: MarginalCounts,
  levels: FactorLevels,
  sequence: number,
): MinimisationDecision {
  const g = imbalanceFrom(design, counts, levels);
  const best = Math.min(...g);
  // Equal within rounding: G is a sum of a few ratios of small integers.
  const isBest = g.map((v) => Math.abs(v - best) <= 1e-9 * Math.max(1, Math.abs(best)));
  const preferred = design.arms.filter((_, k) => isBest[k]);
  const stream = streamFor(seed, `minimisation/${sequence}`);
  let arm: string;
  let overridden = false;
  if (preferred.length > 1) {
    // Ties: choose among the tied arms in proportion to their ratios.
    const weights = preferred.map((a) => a.ratio);
    let u = stream.uniformInt(weights.reduce((s, w) => s + w, 0));
    let pick = 0;
    while (u >= weights[pick]!) u -= weights[pick++]!;
    arm = preferred[pick]!.code;
  } else if (stream.uniformDouble() < design.probability) {
    arm = preferred[0]!.code;
  } else {
    const others = design.arms.filter((_, k) => !isBest[k]);
    arm = others[stream.uniformInt(others.length)]!.code;
    overridden = true;
  }
  return {
    sequence,
    arm,
    imbalance: design.arms.map((a, k) => ({ arm: a.code, total: g[k]! })),
    preferred: preferred.map((a) => a.code),
    overridden,
  };
}

/**
 * The assignment of the next subject by minimisation, given every subject already randomised by
 * this design (in order). Deterministic from the seed, the history and the subject's levels.
 */
export function minimise(
  design: MinimisationDesign,
  seedHex: string,
  history: readonly RandomisedSubject[],
  levels: FactorLevels,
): RandomisationResult<MinimisationDecision> {
  const valid = checkDesign(design);
  if (!valid.ok) return valid;
  const seed = parseSeed(seedHex);
  if (!seed.ok) return seed;
  const bad = badLevels(design.factors, levels);
  if (bad) return fail('unknown-stratum', `new subject: ${bad}`);
  const checked = checkHistory(design, history);
  if (!checked.ok) return checked;
  return ok(decide(design, seed.value, countsOf(design, history), levels, history.length + 1));
}

/**
 * Minimisation over subjects in enrolment order (to audit a run, or to simulate a design): the
 * same decisions as calling minimise() once per subject with the growing history.
 */
export function minimiseAll(
  design: MinimisationDesign,
  seedHex: string,
  subjects: readonly FactorLevels[],
): RandomisationResult<MinimisationDecision[]> {
  const valid = checkDesign(design);
  if (!valid.ok) return valid;
  const seed = parseSeed(seedHex);
  if (!seed.ok) return seed;
  const counts = emptyCounts(design);
  const decisions: MinimisationDecision[] = [];
  for (const [i, levels] of subjects.entries()) {
    const bad = badLevels(design.factors, levels);
    if (bad) return fail('unknown-stratum', `subject ${i}: ${bad}`);
    const d = decide(design, seed.value, counts, levels, i + 1);
    decisions.push(d);
    add(
      design,
      counts,
      levels,
      design.arms.findIndex((a) => a.code === d.arm),
    );
  }
  return ok(decisions);
}
