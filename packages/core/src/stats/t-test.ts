/**
 * One-sample and two-sample (Welch or Student) t-tests, as R's t.test(x, mu =) and
 * t.test(x, y, var.equal =, mu =), with R's three alternatives and its confidence interval.
 *
 * Transcribed from stats:::t.test.default (R 4.2):
 * - one sample: se = sd(x)/√n, df = n − 1;
 * - Student (var.equal = TRUE): pooled v = ((nx − 1)vx + (ny − 1)vy)/(nx + ny − 2),
 *   se = √(v(1/nx + 1/ny)), df = nx + ny − 2 (a group of one contributes no variance term);
 * - Welch: se = √(vx/nx + vy/ny), df by Welch–Satterthwaite
 *   se⁴ / ((vx/nx)²/(nx − 1) + (vy/ny)²/(ny − 1));
 * - t = (estimate − mu)/se; p = pt(t) ("less"), pt(t, upper) ("greater"), 2·pt(−|t|) (two-sided);
 *   CI = mu + (t ± qt)·se with qt at conf.level (one-sided, the other limit ∓∞) or 1 − α/2.
 * R's refusals are ours: too few observations, and "data are essentially constant" when
 * se < 10·ε·max|mean|; where se = 0 and the means are 0 (R's t = NaN) we refuse too.
 * Sources: Student (1908), Biometrika 6:1–25; Welch (1947), Biometrika 34:28–35;
 * Satterthwaite (1946), Biometrics Bull 2:110–114.
 */
import { mean, sampleVariance } from './descriptive.js';
import { studentTCdf, studentTQuantile, studentTTwoSided } from './distributions/student-t.js';
import {
  type Alternative,
  badAlternative,
  badConfLevel,
  fail,
  firstNonFinite,
  ok,
  type StatResult,
} from './result.js';

export interface TTestOptions {
  readonly alternative?: Alternative;
  readonly confLevel?: number;
  /** The null value of the mean (one sample) or of the difference of means (two samples). Default 0. */
  readonly mu?: number;
}

export interface TwoSampleTTestOptions extends TTestOptions {
  /** Student's pooled-variance test when true; Welch's test (R's default) when false. */
  readonly varEqual?: boolean;
}

export interface TTest {
  readonly method: 'one-sample' | 'welch' | 'student';
  readonly alternative: Alternative;
  /** The mean of x (one sample), or of x minus the mean of y. */
  readonly estimate: number;
  /** The group means: [mean x] or [mean x, mean y]. */
  readonly means: readonly number[];
  readonly n: readonly number[];
  readonly mu: number;
  readonly t: number;
  readonly df: number;
  readonly se: number;
  readonly pValue: number;
  readonly confLevel: number;
  /** −Infinity for alternative 'less' (as R). */
  readonly ciLower: number;
  /** +Infinity for alternative 'greater' (as R). */
  readonly ciUpper: number;
}

function checkOptions(options: TTestOptions): StatResult<never> | null {
  const bad = badConfLevel(options.confLevel ?? 0.95) ?? badAlternative(options.alternative ?? 'two-sided');
  if (bad) return fail('invalid-argument', `t-test: ${bad}`);
  if (!Number.isFinite(options.mu ?? 0))
    return fail('non-finite', `t-test: mu must be finite, got ${options.mu}`);
  return null;
}

function checkSample(values: readonly number[], name: string): StatResult<never> | null {
  const bad = firstNonFinite(values);
  return bad < 0 ? null : fail('non-finite', `t-test: ${name}[${bad}] is ${values[bad]}`);
}

function finish(
  method: TTest['method'],
  means: readonly number[],
  n: readonly number[],
  estimate: number,
  se: number,
  df: number,
  options: TTestOptions,
): StatResult<TTest> {
  const alternative = options.alternative ?? 'two-sided';
  const confLevel = options.confLevel ?? 0.95;
  const mu = options.mu ?? 0;
  const t = (estimate - mu) / se;
  if (!Number.isFinite(t))
    return se === 0
      ? fail('constant-data', 't-test: the data are constant, so t is undefined')
      : fail('overflow', `t-test: estimate − mu overflows (mu = ${mu})`);
  let pValue: number;
  let lower: number;
  let upper: number;
  if (alternative === 'less') {
    pValue = studentTCdf(t, df);
    lower = Number.NEGATIVE_INFINITY;
    upper = t + studentTQuantile(confLevel, df);
  } else if (alternative === 'greater') {
    pValue = studentTCdf(t, df, false);
    lower = t - studentTQuantile(confLevel, df);
    upper = Number.POSITIVE_INFINITY;
  } else {
    pValue = studentTTwoSided(t, df);
    const q = studentTQuantile(1 - (1 - confLevel) / 2, df);
    lower = t - q;
    upper = t + q;
  }
  return ok({
    method,
    alternative,
    estimate,
    means,
    n,
    mu,
    t,
    df,
    se,
    pValue,
    confLevel,
    ciLower: mu + lower * se,
    ciUpper: mu + upper * se,
  });
}

/** One-sample t-test of mean(x) against mu (R: t.test(x, mu = mu)). */
export function oneSampleTTest(x: readonly number[], options: TTestOptions = {}): StatResult<TTest> {
  const bad = checkOptions(options) ?? checkSample(x, 'x');
  if (bad) return bad;
  const nx = x.length;
  if (nx < 2) return fail('too-few', `one-sample t-test needs at least 2 observations, got ${nx}`);
  const mx = mean(x);
  const se = Math.sqrt(sampleVariance(x, mx) / nx);
  if (!Number.isFinite(se))
    return fail('overflow', 'one-sample t-test: the spread of the data exceeds the largest double');
  if (se < 10 * Number.EPSILON * Math.abs(mx))
    return fail('constant-data', 'one-sample t-test: the data are essentially constant');
  return finish('one-sample', [mx], [nx], mx, se, nx - 1, options);
}

/**
 * Two-sample t-test of mean(x) − mean(y) against mu: Welch's (default, R's default) or Student's
 * pooled test (varEqual: true). R: t.test(x, y, var.equal = varEqual, mu = mu).
 */
export function twoSampleTTest(
  x: readonly number[],
  y: readonly number[],
  options: TwoSampleTTestOptions = {},
): StatResult<TTest> {
  const bad = checkOptions(options) ?? checkSample(x, 'x') ?? checkSample(y, 'y');
  if (bad) return bad;
  const varEqual = options.varEqual ?? false;
  const nx = x.length;
  const ny = y.length;
  const minimum = varEqual ? 1 : 2;
  if (nx < minimum)
    return fail('too-few', `two-sample t-test: x needs at least ${minimum} observation(s), got ${nx}`);
  if (ny < minimum)
    return fail('too-few', `two-sample t-test: y needs at least ${minimum} observation(s), got ${ny}`);
  if (varEqual && nx + ny < 3)
    return fail('too-few', `Student's t-test needs at least 3 observations in all, got ${nx + ny}`);
  const mx = mean(x);
  const my = mean(y);
  const vx = nx > 1 ? sampleVariance(x, mx) : 0;
  const vy = ny > 1 ? sampleVariance(y, my) : 0;
  let se: number;
  let df: number;
  if (varEqual) {
    df = nx + ny - 2;
    const v = ((nx > 1 ? (nx - 1) * vx : 0) + (ny > 1 ? (ny - 1) * vy : 0)) / df;
    se = Math.sqrt(v * (1 / nx + 1 / ny));
  } else {
    const sx2 = vx / nx;
    const sy2 = vy / ny;
    se = Math.sqrt(sx2 + sy2);
    df = se ** 4 / (sx2 ** 2 / (nx - 1) + sy2 ** 2 / (ny - 1));
    if (Number.isNaN(df)) {
      // se⁴ overflowed (R then reports df = NaN): the same ratio with both variances scaled by the larger.
      const top = Math.max(sx2, sy2);
      const u = sx2 / top;
      const w = sy2 / top;
      df = (u + w) ** 2 / (u ** 2 / (nx - 1) + w ** 2 / (ny - 1));
    }
  }
  if (!Number.isFinite(se) || !Number.isFinite(mx - my))
    return fail('overflow', 'two-sample t-test: the spread of the data exceeds the largest double');
  if (se < 10 * Number.EPSILON * Math.max(Math.abs(mx), Math.abs(my)) || se === 0)
    return fail('constant-data', 'two-sample t-test: the data are essentially constant');
  return finish(varEqual ? 'student' : 'welch', [mx, my], [nx, ny], mx - my, se, df, options);
}
