/**
 * Fisher's exact test for a 2 × 2 table, two-sided, as R's fisher.test(x)$p.value: the sum of the
 * hypergeometric probabilities of all tables with the observed margins that are no more likely
 * than the observed one, with R's relative tolerance 1 + 1e-7 on "no more likely".
 *
 * Transcribed from stats::fisher.test (2 × 2 branch, or = 1). Source: Fisher (1935), JRSS 98:39–82.
 */
import { logChoose } from './distributions/gamma.js';
import {
  type Alternative,
  badAlternative,
  badConfLevel,
  badCountTable,
  fail,
  ok,
  type StatResult,
} from './result.js';

export interface FisherExactTest {
  readonly pValue: number;
  /** The sample odds ratio ad/(bc); null where it is 0/0. Not R's conditional MLE. */
  readonly sampleOddsRatio: number | null;
}

export function fisherExact2x2(table: readonly (readonly number[])[]): StatResult<FisherExactTest> {
  const bad = badCountTable(table, 2, 2);
  if (bad) return fail('invalid-argument', `Fisher's exact test: ${bad}`);
  if (table.length !== 2 || table[0]!.length !== 2)
    return fail(
      'invalid-argument',
      `Fisher's exact test here is for 2 × 2 tables, got ${table.length} × ${table[0]!.length}`,
    );
  const a = table[0]![0]!;
  const b = table[0]![1]!;
  const c = table[1]![0]!;
  const d = table[1]![1]!;
  if (![a, b, c, d].every(Number.isInteger))
    return fail('invalid-argument', "Fisher's exact test: counts must be integers");
  // R: m = first column total, n = second column total, k = first row total, x = a.
  const m = a + c;
  const n = b + d;
  const k = a + b;
  const lo = Math.max(0, k - n);
  const hi = Math.min(k, m);
  const logd: number[] = [];
  for (let x = lo; x <= hi; x++) logd.push(logChoose(m, x) + logChoose(n, k - x) - logChoose(m + n, k));
  // A loop, not Math.max(...logd): the support grows with n, and a spread of >~120 000 arguments
  // overflows the call stack (issue 16).
  let maxLog = Number.NEGATIVE_INFINITY;
  for (const v of logd) if (v > maxLog) maxLog = v;
  const dens = logd.map((v) => Math.exp(v - maxLog));
  let total = 0;
  for (const v of dens) total += v;
  const observed = dens[a - lo]! / total;
  const relErr = 1 + 1e-7;
  let p = 0;
  for (const v of dens) if (v / total <= observed * relErr) p += v / total;
  const num = a * d;
  const den = b * c;
  return ok({
    pValue: p,
    sampleOddsRatio: den === 0 ? (num === 0 ? null : Number.POSITIVE_INFINITY) : num / den,
  });
}

/**
 * Fisher's exact test of a 2 × 2 table with R's full output, as
 * fisher.test(x, alternative, conf.level): the p-value for the chosen alternative, the conditional
 * maximum-likelihood estimate of the odds ratio and its exact conditional confidence interval.
 *
 * Given the margins, the top-left count follows Fisher's noncentral hypergeometric distribution
 * with the odds ratio ψ as parameter: P(X = x) ∝ C(m, x)·C(n, k − x)·ψˣ on lo ≤ x ≤ hi. The MLE
 * solves E_ψ[X] = x (0 at x = lo, ∞ at x = hi); the interval limits solve P_ψ(X ≥ x) = α and
 * P_ψ(X ≤ x) = α (α = (1 − conf.level)/2 two-sided, 1 − conf.level one-sided; 0 and ∞ at the ends
 * of the support). "less" p = P_1(X ≤ x), "greater" p = P_1(X ≥ x), two-sided as fisherExact2x2.
 * Transcribed from stats::fisher.test (R 4.2; its mle, ncp.L, ncp.U). R solves these equations
 * with uniroot at its default tolerance (about 1.2e-4 on the (0, 1) scale it searches, so its
 * printed estimate is good to about 4 digits); we bisect on log ψ to the last representable
 * value, and the tests compare with R's equations solved at tol = 1e-15 to 1e-9 and with R's own
 * output to uniroot's tolerance. Sources: Fisher (1935), JRSS 98:39–82; Cornfield (1956), Proc 3rd
 * Berkeley Symp 4:135–148 (exact limits); Agresti (2002), Categorical Data
 * Analysis, 2nd ed. (small-sample inference for 2 × 2 tables).
 */
export interface FisherExactOddsRatio {
  readonly alternative: Alternative;
  readonly pValue: number;
  /** Conditional MLE of the odds ratio: 0 when x is the least possible count, +Infinity when the most. */
  readonly oddsRatio: number;
  readonly confLevel: number;
  readonly ciLower: number;
  /** +Infinity when x is the most possible count or for alternative 'greater' (as R). */
  readonly ciUpper: number;
}

export function fisherExactTest(
  table: readonly (readonly number[])[],
  options: { readonly alternative?: Alternative; readonly confLevel?: number } = {},
): StatResult<FisherExactOddsRatio> {
  const alternative = options.alternative ?? 'two-sided';
  const confLevel = options.confLevel ?? 0.95;
  const badOption = badConfLevel(confLevel) ?? badAlternative(alternative);
  if (badOption) return fail('invalid-argument', `Fisher's exact test: ${badOption}`);
  const two = fisherExact2x2(table); // validates the table and gives the two-sided p
  if (!two.ok) return two;
  const a = table[0]![0]!;
  const m = a + table[1]![0]!;
  const n = table[0]![1]! + table[1]![1]!;
  const k = a + table[0]![1]!;
  const lo = Math.max(0, k - n);
  const hi = Math.min(k, m);
  const size = hi - lo + 1;
  const logdc = new Float64Array(size);
  for (let i = 0; i < size; i++) logdc[i] = logChoose(m, lo + i) + logChoose(n, k - lo - i);
  /**
   * Sums of the noncentral hypergeometric weights at log ψ = theta: total, Σ s·w, Σ_{s ≤ a} w and
   * Σ_{s ≥ a} w. The log-density is concave in s, so only the window around the mode where
   * exp(v − max) does not underflow to 0 is visited: the sums are those over the whole support
   * (the skipped terms are exactly 0 in double precision), at a cost that grows with the spread of
   * the distribution, not with the table's total (issue 16 scale: 100 000 patients).
   */
  const sums = (theta: number) => {
    const v = (i: number) => logdc[i]! + theta * (lo + i);
    // The first i whose successor is lower: the mode (v increases, then decreases).
    let left = 0;
    let right = size - 1;
    while (left < right) {
      const mid = (left + right) >> 1;
      if (v(mid + 1) > v(mid)) left = mid + 1;
      else right = mid;
    }
    let max = v(left);
    let i0 = left;
    let i1 = left;
    while (i0 > 0 && v(i0 - 1) - max > -746) i0--;
    while (i1 < size - 1 && v(i1 + 1) - max > -746) i1++;
    for (let i = i0; i <= i1; i++) if (v(i) > max) max = v(i);
    let total = 0;
    let first = 0;
    let below = 0;
    let above = 0;
    for (let i = i0; i <= i1; i++) {
      const w = Math.exp(v(i) - max);
      const s = lo + i;
      total += w;
      first += w * s;
      if (s <= a) below += w;
      if (s >= a) above += w;
    }
    return { mean: first / total, lowerTail: below / total, upperTail: above / total };
  };
  const meanAt = (theta: number) => sums(theta).mean;
  const lowerTailAt = (theta: number) => sums(theta).lowerTail;
  const upperTailAt = (theta: number) => sums(theta).upperTail;
  /** ψ with f(log ψ) = target, f increasing in log ψ; 1 exactly when f(0) = target. */
  const solve = (f: (theta: number) => number, target: number): number => {
    const at0 = f(0);
    if (at0 === target) return 1;
    let lower = at0 < target ? 0 : -1;
    let upper = at0 < target ? 1 : 0;
    while (f(upper) < target && upper < 1e4) upper = upper * 2 + 1;
    while (f(lower) > target && lower > -1e4) lower = lower * 2 - 1;
    for (let i = 0; i < 2000; i++) {
      const mid = lower + (upper - lower) / 2;
      // |Δ log ψ| ≤ 2e-16 is a relative error in ψ below double precision.
      if (upper - lower <= 2e-16 || mid <= lower || mid >= upper) break;
      if (f(mid) < target) lower = mid;
      else upper = mid;
    }
    return Math.exp(lower + (upper - lower) / 2);
  };
  const oddsRatio = a === lo ? 0 : a === hi ? Number.POSITIVE_INFINITY : solve(meanAt, a);
  // P(X ≥ a) increases with ψ: the lower limit; P(X ≤ a) decreases: the upper limit.
  const lowerLimit = (alpha: number) => (a === lo ? 0 : solve(upperTailAt, alpha));
  const upperLimit = (alpha: number) =>
    a === hi ? Number.POSITIVE_INFINITY : solve((t) => -lowerTailAt(t), -alpha);
  let ciLower: number;
  let ciUpper: number;
  if (alternative === 'less') {
    ciLower = 0;
    ciUpper = upperLimit(1 - confLevel);
  } else if (alternative === 'greater') {
    ciLower = lowerLimit(1 - confLevel);
    ciUpper = Number.POSITIVE_INFINITY;
  } else {
    const alpha = (1 - confLevel) / 2;
    ciLower = lowerLimit(alpha);
    ciUpper = upperLimit(alpha);
  }
  const pValue =
    alternative === 'less' ? lowerTailAt(0) : alternative === 'greater' ? upperTailAt(0) : two.value.pValue;
  return ok({ alternative, pValue, oddsRatio, confLevel, ciLower, ciUpper });
}
