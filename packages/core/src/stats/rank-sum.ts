/**
 * Wilcoxon rank-sum (Mann–Whitney) test of two independent samples, with exactly the semantics of
 * R's wilcox.test(x, y) (defaults exact = NULL, correct = TRUE, mu = 0; alternatives as R):
 *
 * - W = Σ ranks of x in the pooled sample (average ranks for ties) − nx(nx + 1)/2;
 * - exact null distribution (pwilcox) when nx < 50 and ny < 50 and there are no ties: two-sided
 *   p = min(1, 2·P), P the tail on W's side of nx·ny/2; "greater" P(W ≥ w), "less" P(W ≤ w);
 * - otherwise the normal approximation z = (W − nx·ny/2 − c)/σ,
 *   σ² = (nx·ny/12)·((N + 1) − Σ(t³ − t)/(N(N − 1))), with the continuity correction
 *   c = sign·½ (two-sided), +½ ("greater"), −½ ("less") when correct, else 0;
 * - when the exact test was asked for (small samples) but ties prevent it, R warns
 *   "cannot compute exact p-value with ties" and uses the approximation: the same warning is in
 *   `warnings` here.
 * Transcribed from stats:::wilcox.test.default (R 4.2) and nmath/wilcox.c (cwilcox, pwilcox).
 * Sources: Wilcoxon (1945), Biometrics Bull 1:80–83; Mann & Whitney (1947), Ann Math Stat
 * 18:50–60; tie correction: Lehmann, Nonparametrics (1975).
 */
import { normalCdf } from './distributions/normal.js';
import { averageRanks } from './ranks.js';
import {
  type Alternative,
  badAlternative,
  fail,
  firstNonFinite,
  ok,
  type StatResult,
  type StatWarning,
} from './result.js';

export interface WilcoxonRankSum {
  readonly nx: number;
  readonly ny: number;
  /** R's W: the rank sum of x minus its minimum nx(nx + 1)/2 (the Mann–Whitney U of x). */
  readonly statistic: number;
  readonly pValue: number;
  readonly alternative: Alternative;
  readonly method: 'exact' | 'normal';
  readonly ties: boolean;
  /** The (continuity-corrected, if asked) z of the normal approximation; null for the exact test. */
  readonly z: number | null;
  readonly warnings: readonly StatWarning[];
}

export interface WilcoxonRankSumOptions {
  readonly alternative?: Alternative;
  /** Continuity correction of the normal approximation (R's default true). */
  readonly correct?: boolean;
}

/**
 * Counts of the rank-sum statistic under H0: c[w] = number of nx-subsets of the ranks 1..nx+ny
 * whose rank sum minus nx(nx+1)/2 is w (R's cwilcox). Built by adding one rank at a time — only
 * additions of non-negative numbers, so there is no cancellation; exact in doubles while the
 * counts stay below 2^53 and within rounding beyond (R's cwilcox is also a double recursion).
 */
export function rankSumCounts(nx: number, ny: number): Float64Array {
  const n = nx + ny;
  const maxSum = nx * n; // loose upper bound of a rank sum
  // dp[j][s]: number of j-subsets of the ranks seen so far with sum s.
  const dp = Array.from({ length: nx + 1 }, () => new Float64Array(maxSum + 1));
  dp[0]![0] = 1;
  for (let r = 1; r <= n; r++) {
    for (let j = Math.min(r, nx); j >= 1; j--) {
      const row = dp[j]!;
      const prev = dp[j - 1]!;
      // A j-subset of ranks 1..r that contains r sums to between r + j(j−1)/2 and j·r − j(j−1)/2.
      const top = j * r - (j * (j - 1)) / 2;
      const bottom = r + (j * (j - 1)) / 2;
      for (let s = top; s >= bottom; s--) row[s]! += prev[s - r]!;
    }
  }
  const offset = (nx * (nx + 1)) / 2;
  return dp[nx]!.slice(offset, offset + nx * ny + 1);
}

/** P(W ≤ q) (or P(W > q)) for the rank-sum statistic, summing the smaller tail as R's pwilcox. */
export function rankSumCdf(
  q: number,
  nx: number,
  ny: number,
  lowerTail = true,
  counts?: Float64Array,
): number {
  let x = Math.floor(q + 1e-7);
  if (x < 0) return lowerTail ? 0 : 1;
  if (x >= nx * ny) return lowerTail ? 1 : 0;
  const c = counts ?? rankSumCounts(nx, ny);
  let total = 0;
  for (const v of c) total += v;
  let p = 0;
  let lower = lowerTail;
  if (x <= (nx * ny) / 2) {
    for (let i = 0; i <= x; i++) p += c[i]! / total;
  } else {
    x = nx * ny - x;
    for (let i = 0; i < x; i++) p += c[i]! / total;
    lower = !lower;
  }
  return lower ? p : 1 - p;
}

export function wilcoxonRankSum(
  x: readonly number[],
  y: readonly number[],
  options: WilcoxonRankSumOptions = {},
): StatResult<WilcoxonRankSum> {
  const alternative = options.alternative ?? 'two-sided';
  const correct = options.correct ?? true;
  const badAlt = badAlternative(alternative);
  if (badAlt) return fail('invalid-argument', `Wilcoxon rank-sum test: ${badAlt}`);
  for (const [name, v] of [
    ['x', x],
    ['y', y],
  ] as const) {
    if (v.length < 1) return fail('too-few', `Wilcoxon rank-sum test: ${name} has no observations`);
    const bad = firstNonFinite(v);
    if (bad >= 0) return fail('non-finite', `Wilcoxon rank-sum test: ${name}[${bad}] is ${v[bad]}`);
  }
  const nx = x.length;
  const ny = y.length;
  const { ranks, tieSizes } = averageRanks([...x, ...y]);
  let rankSumX = 0;
  for (let i = 0; i < nx; i++) rankSumX += ranks[i]!;
  const statistic = rankSumX - (nx * (nx + 1)) / 2;
  const ties = tieSizes.length !== nx + ny;
  const exactWanted = nx < 50 && ny < 50;
  if (exactWanted && !ties) {
    const counts = rankSumCounts(nx, ny);
    let pValue: number;
    if (alternative === 'greater') pValue = rankSumCdf(statistic - 1, nx, ny, false, counts);
    else if (alternative === 'less') pValue = rankSumCdf(statistic, nx, ny, true, counts);
    else {
      const p =
        statistic > (nx * ny) / 2
          ? rankSumCdf(statistic - 1, nx, ny, false, counts)
          : rankSumCdf(statistic, nx, ny, true, counts);
      pValue = Math.min(2 * p, 1);
    }
    return ok({ nx, ny, statistic, pValue, alternative, method: 'exact', ties, z: null, warnings: [] });
  }
  const n = nx + ny;
  let tieTerm = 0;
  for (const t of tieSizes) tieTerm += t * t * t - t;
  const sigma = Math.sqrt(((nx * ny) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (!(sigma > 0))
    return fail('constant-data', 'Wilcoxon rank-sum test: all observations are tied, so p is undefined');
  const centred = statistic - (nx * ny) / 2;
  const correction = !correct
    ? 0
    : alternative === 'two-sided'
      ? Math.sign(centred) * 0.5
      : alternative === 'greater'
        ? 0.5
        : -0.5;
  const z = (centred - correction) / sigma;
  const pValue =
    alternative === 'less'
      ? normalCdf(z)
      : alternative === 'greater'
        ? normalCdf(z, false)
        : 2 * Math.min(normalCdf(z), normalCdf(z, false));
  const warnings: StatWarning[] = exactWanted
    ? [{ code: 'exact-with-ties', message: 'cannot compute exact p-value with ties' }]
    : [];
  return ok({ nx, ny, statistic, pValue, alternative, method: 'normal', ties, z, warnings });
}
