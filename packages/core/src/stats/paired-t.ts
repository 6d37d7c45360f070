/**
 * Paired t-test of x − y against 0, two-sided, as R's t.test(x, y, paired = TRUE).
 *
 * Transcribed from stats:::t.test.default: d = x − y over complete pairs; t = mean(d) / se,
 * se = sd(d)/√n, df = n − 1, p = 2·pt(−|t|, df), CI = (t ∓ qt(1 − α/2, df))·se.
 * Source: Student (1908), Biometrika 6:1–25.
 */
import { mean, sampleVariance } from './descriptive.js';
import { studentTQuantile, studentTTwoSided } from './distributions/student-t.js';
import { completePairs } from './pairs.js';
import { badConfLevel, fail, ok, type StatResult } from './result.js';

export interface PairedTTest {
  /** Number of complete pairs used. */
  readonly n: number;
  readonly meanDifference: number;
  readonly sdDifference: number;
  readonly t: number;
  readonly df: number;
  readonly pValue: number;
  readonly confLevel: number;
  readonly ciLower: number;
  readonly ciUpper: number;
}

/**
 * x[i] and y[i] belong to one patient; a pair with null on either side is dropped (R's
 * complete.cases), as the analysis plan's "available pairs" rule asks.
 */
export function pairedTTest(
  x: readonly (number | null)[],
  y: readonly (number | null)[],
  options: { readonly confLevel?: number } = {},
): StatResult<PairedTTest> {
  const confLevel = options.confLevel ?? 0.95;
  const badLevel = badConfLevel(confLevel);
  if (badLevel) return fail('invalid-argument', badLevel);
  const pairs = completePairs(x, y);
  if (!pairs.ok) return pairs;
  const d = pairs.value.differences;
  const n = d.length;
  if (n < 2) return fail('too-few', `paired t-test needs at least 2 complete pairs, got ${n}`);
  const md = mean(d);
  const sd = Math.sqrt(sampleVariance(d, md));
  const se = sd / Math.sqrt(n);
  // R: stop("data are essentially constant") when se < 10·eps·|mean|; se = 0 with mean 0 gives NaN.
  if (se < 10 * Number.EPSILON * Math.abs(md) || se === 0)
    return fail('constant-data', 'paired t-test: the differences are constant, so t is undefined');
  const t = md / se;
  const df = n - 1;
  const q = studentTQuantile(1 - (1 - confLevel) / 2, df);
  return ok({
    n,
    meanDifference: md,
    sdDifference: sd,
    t,
    df,
    pValue: studentTTwoSided(t, df),
    confLevel,
    ciLower: (t - q) * se,
    ciUpper: (t + q) * se,
  });
}
