/**
 * Wilcoxon signed-rank test on paired samples, with exactly the semantics of R's
 * wilcox.test(x, y, paired = TRUE) (defaults: exact = NULL, correct = TRUE, two-sided):
 *
 * - d = x − y over complete pairs; zero differences are dropped (after noting that there were some);
 * - V = sum of the ranks of |d| (average ranks for ties) over positive d;
 * - exact null distribution when n < 50 and there are neither ties nor zeros: two-sided
 *   p = min(1, 2·P), P the smaller tail from psignrank;
 * - otherwise the normal approximation z = (V − n(n+1)/4 − sign·½) / σ with
 *   σ² = n(n+1)(2n+1)/24 − Σ(t³ − t)/48 over tie groups, p = 2·min(Φ(z), 1 − Φ(z)).
 *
 * Transcribed from stats:::wilcox.test.default (R 4.2) and R's nmath/signrank.c.
 * Source: Wilcoxon (1945), Biometrics Bull 1:80–83; tie correction: Lehmann, Nonparametrics (1975).
 */
import { normalCdf } from './distributions/normal.js';
import { completePairs } from './pairs.js';
import { averageRanks } from './ranks.js';
import { fail, ok, type StatResult } from './result.js';

export interface WilcoxonSignedRank {
  /** Number of non-zero differences (the n of the test). */
  readonly n: number;
  /** Number of zero differences dropped. */
  readonly zeros: number;
  /** R's V: sum of ranks of the positive differences. */
  readonly statistic: number;
  readonly pValue: number;
  readonly method: 'exact' | 'normal';
  readonly ties: boolean;
  /** The continuity-corrected z of the normal approximation; null for the exact test. */
  readonly z: number | null;
}

/**
 * Counts of the signed-rank statistic under H0: c[k] = #{subsets of 1..n with rank sum k}
 * (R's csignrank), exact in doubles for n < 50 (the counts stay below 2^53).
 */
export function signedRankCounts(n: number): Float64Array {
  const max = (n * (n + 1)) / 2;
  const c = new Float64Array(max + 1);
  c[0] = 1;
  for (let r = 1; r <= n; r++) {
    const top = (r * (r + 1)) / 2;
    for (let k = top; k >= r; k--) c[k] = c[k]! + c[k - r]!;
  }
  return c;
}

/** P(V ≤ q) for the signed-rank statistic (R's psignrank(q, n)); sums the smaller tail as R does. */
export function signedRankCdf(q: number, n: number, lowerTail = true): number {
  let x = Math.round(q + 1e-7); // R_forceint(q + 1e-7)
  const max = (n * (n + 1)) / 2;
  if (x < 0) return lowerTail ? 0 : 1;
  if (x >= max) return lowerTail ? 1 : 0;
  const c = signedRankCounts(n);
  const f = Math.exp(-n * Math.LN2);
  let p = 0;
  let lower = lowerTail;
  if (x <= max / 2) {
    for (let i = 0; i <= x; i++) p += c[i]! * f;
  } else {
    x = max - x;
    for (let i = 0; i < x; i++) p += c[i]! * f;
    lower = !lower;
  }
  return lower ? p : 1 - p;
}

export function wilcoxonSignedRank(
  x: readonly (number | null)[],
  y: readonly (number | null)[],
): StatResult<WilcoxonSignedRank> {
  const pairs = completePairs(x, y);
  if (!pairs.ok) return pairs;
  const all = pairs.value.differences;
  if (all.length < 1)
    return fail('too-few', 'Wilcoxon signed-rank test needs at least 1 complete pair, got 0');
  const d = all.filter((v) => v !== 0);
  const zeros = all.length - d.length;
  const n = d.length;
  if (n === 0)
    return fail(
      'constant-data',
      `Wilcoxon signed-rank test: all ${zeros} differences are zero, so p is undefined`,
    );
  const { ranks, tieSizes } = averageRanks(d.map(Math.abs));
  let statistic = 0;
  for (let i = 0; i < n; i++) if (d[i]! > 0) statistic += ranks[i]!;
  const ties = tieSizes.length !== n;
  if (n < 50 && !ties && zeros === 0) {
    const p =
      statistic > (n * (n + 1)) / 4
        ? signedRankCdf(statistic - 1, n, false)
        : signedRankCdf(statistic, n, true);
    return ok({ n, zeros, statistic, pValue: Math.min(2 * p, 1), method: 'exact', ties, z: null });
  }
  let tieTerm = 0;
  for (const t of tieSizes) tieTerm += t * t * t - t;
  const centred = statistic - (n * (n + 1)) / 4;
  const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48);
  const z = (centred - Math.sign(centred) * 0.5) / sigma;
  const pValue = 2 * Math.min(normalCdf(z), normalCdf(z, false));
  return ok({ n, zeros, statistic, pValue, method: 'normal', ties, z });
}
