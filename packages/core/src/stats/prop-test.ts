/**
 * Proportion tests by the chi-square (score) statistic, as R's prop.test for one sample
 * (prop.test(x, n, p)) and for two samples (prop.test(c(x1, x2), c(n1, n2)), H0: p1 = p2).
 *
 * Transcribed from stats::prop.test (R 4.2):
 * - Yates' correction (correct, R's default) is min(½, |x − n·p|) for one sample and
 *   min(½, |p̂1 − p̂2| / (1/n1 + 1/n2)) for two; X² = Σ (|O − E| − Y)²/E over successes and failures;
 * - two-sided p = P(χ²_df > X²) (df 1); one-sided p = Φ(±z), z = sign(p̂ − p or p̂1 − p̂2)·√X²;
 * - CI: one sample, the Wilson score interval (with continuity correction when correct);
 *   two samples, the Wald interval p̂1 − p̂2 ± (z·√Σ p̂(1 − p̂)/n + Y·Σ 1/n), clipped to [−1, 1];
 *   z at (1 + conf.level)/2 two-sided, at conf.level one-sided;
 * - R's warning "Chi-squared approximation may be incorrect" when an expected count is below 5.
 * Sources: Wilson (1927), JASA 22:209–212; Yates (1934), JRSS Suppl 1:217–235; Newcombe (1998),
 * Stat Med 17:857–872 (methods 3–4) and 17:873–890 (method 1 and its corrected form).
 */
import { chiSquareUpperTail } from './distributions/chi-square.js';
import { normalCdf, normalQuantile } from './distributions/normal.js';
import {
  type Alternative,
  badAlternative,
  badConfLevel,
  fail,
  ok,
  SMALL_EXPECTED_WARNING,
  type StatResult,
  type StatWarning,
} from './result.js';

export interface ProportionTestOptions {
  readonly alternative?: Alternative;
  /** Yates' continuity correction (R's default true). */
  readonly correct?: boolean;
  readonly confLevel?: number;
}

export interface ProportionTest {
  readonly alternative: Alternative;
  /** p̂ (one sample) or [p̂1, p̂2]. */
  readonly estimates: readonly number[];
  /** The null proportion (one sample) or the pooled proportion Σx/Σn (two samples). */
  readonly nullProportion: number;
  readonly statistic: number;
  readonly df: number;
  readonly pValue: number;
  readonly confLevel: number;
  /** CI of p (one sample) or of p1 − p2 (two samples). */
  readonly ciLower: number;
  readonly ciUpper: number;
  readonly yatesCorrection: number;
  readonly warnings: readonly StatWarning[];
}

function checkCount(x: number, n: number, what: string): StatResult<never> | null {
  if (!Number.isInteger(n) || n < 1)
    return fail('too-few', `${what}: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(x) || x < 0 || x > n)
    return fail('invalid-argument', `${what}: x must be an integer between 0 and n = ${n}, got ${x}`);
  return null;
}

function checkOptions(options: ProportionTestOptions, what: string): StatResult<never> | null {
  const bad = badConfLevel(options.confLevel ?? 0.95) ?? badAlternative(options.alternative ?? 'two-sided');
  return bad ? fail('invalid-argument', `${what}: ${bad}`) : null;
}

/** Σ (|O − E| − Y)²/E over the k × 2 table of successes and failures, and the small-E warning. */
function chiSquare(
  x: readonly number[],
  n: readonly number[],
  p: number,
  yates: number,
): { statistic: number; warnings: StatWarning[] } {
  let statistic = 0;
  let small = false;
  for (let i = 0; i < x.length; i++) {
    const cells: [number, number][] = [
      [x[i]!, n[i]! * p],
      [n[i]! - x[i]!, n[i]! * (1 - p)],
    ];
    for (const [o, e] of cells) {
      if (e < 5) small = true;
      statistic += (Math.abs(o - e) - yates) ** 2 / e;
    }
  }
  return { statistic, warnings: small ? [SMALL_EXPECTED_WARNING] : [] };
}

/** One-sample proportion test of x/n against p (default 0.5), as prop.test(x, n, p). */
export function oneProportionTest(
  x: number,
  n: number,
  options: ProportionTestOptions & { readonly p?: number } = {},
): StatResult<ProportionTest> {
  const what = 'one-sample proportion test';
  const bad = checkCount(x, n, what) ?? checkOptions(options, what);
  if (bad) return bad;
  const p = options.p ?? 0.5;
  if (!(p > 0 && p < 1))
    return fail('invalid-argument', `${what}: p must be strictly between 0 and 1, got ${p}`);
  const alternative = options.alternative ?? 'two-sided';
  const confLevel = options.confLevel ?? 0.95;
  const estimate = x / n;
  const yates = Math.min((options.correct ?? true) ? 0.5 : 0, Math.abs(x - n * p));
  // Wilson score limits, as prop.test.
  const z = normalQuantile(alternative === 'two-sided' ? (1 + confLevel) / 2 : confLevel);
  const z22n = (z * z) / (2 * n);
  let pc = estimate + yates / n;
  const upper =
    pc >= 1 ? 1 : (pc + z22n + z * Math.sqrt((pc * (1 - pc)) / n + z22n / (2 * n))) / (1 + 2 * z22n);
  pc = estimate - yates / n;
  const lower =
    pc <= 0 ? 0 : (pc + z22n - z * Math.sqrt((pc * (1 - pc)) / n + z22n / (2 * n))) / (1 + 2 * z22n);
  const { statistic, warnings } = chiSquare([x], [n], p, yates);
  const pValue =
    alternative === 'two-sided'
      ? chiSquareUpperTail(statistic, 1)
      : normalCdf(Math.sign(estimate - p) * Math.sqrt(statistic), alternative === 'less');
  return ok({
    alternative,
    estimates: [estimate],
    nullProportion: p,
    statistic,
    df: 1,
    pValue,
    confLevel,
    ciLower: alternative === 'less' ? 0 : Math.max(lower, 0),
    ciUpper: alternative === 'greater' ? 1 : Math.min(upper, 1),
    yatesCorrection: yates,
    warnings,
  });
}

/**
 * Two-sample test of equal proportions x1/n1 vs x2/n2, as prop.test(c(x1, x2), c(n1, n2)). Refuses
 * (like R, which returns NaN) when no one or everyone had the outcome: the pooled proportion is then
 * 0 or 1 and the statistic is undefined.
 */
export function twoProportionTest(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  options: ProportionTestOptions = {},
): StatResult<ProportionTest> {
  const what = 'two-sample proportion test';
  const bad = checkCount(x1, n1, `${what} (group 1)`) ?? checkCount(x2, n2, `${what} (group 2)`);
  if (bad) return bad;
  const badOptions = checkOptions(options, what);
  if (badOptions) return badOptions;
  const alternative = options.alternative ?? 'two-sided';
  const confLevel = options.confLevel ?? 0.95;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const delta = p1 - p2;
  const inverseSum = 1 / n1 + 1 / n2;
  const yates = Math.min((options.correct ?? true) ? 0.5 : 0, Math.abs(delta) / inverseSum);
  const pooled = (x1 + x2) / (n1 + n2);
  if (pooled === 0 || pooled === 1)
    return fail(
      'constant-data',
      `${what}: ${pooled === 0 ? 'no one' : 'everyone'} had the outcome in both groups, so the statistic is undefined`,
    );
  const z = normalQuantile(alternative === 'two-sided' ? (1 + confLevel) / 2 : confLevel);
  const width = z * Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2) + yates * inverseSum;
  const { statistic, warnings } = chiSquare([x1, x2], [n1, n2], pooled, yates);
  const pValue =
    alternative === 'two-sided'
      ? chiSquareUpperTail(statistic, 1)
      : normalCdf(Math.sign(delta) * Math.sqrt(statistic), alternative === 'less');
  return ok({
    alternative,
    estimates: [p1, p2],
    nullProportion: pooled,
    statistic,
    df: 1,
    pValue,
    confLevel,
    ciLower: alternative === 'less' ? -1 : Math.max(delta - width, -1),
    ciUpper: alternative === 'greater' ? 1 : Math.min(delta + width, 1),
    yatesCorrection: yates,
    warnings,
  });
}
