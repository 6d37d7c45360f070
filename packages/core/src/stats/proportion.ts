/**
 * Confidence intervals for a binomial proportion x / n.
 *
 * - Clopper–Pearson exact interval, as R's binom.test(x, n)$conf.int:
 *   lower = qbeta(α/2, x, n − x + 1) (0 when x = 0), upper = qbeta(1 − α/2, x + 1, n − x)
 *   (1 when x = n). Source: Clopper & Pearson (1934), Biometrika 26:404–413.
 * - Wilson score interval, as R's prop.test(x, n, correct = FALSE)$conf.int, or with Yates'
 *   continuity correction as prop.test's default (correct = TRUE). Source: Wilson (1927),
 *   JASA 22:209–212; Newcombe (1998), Stat Med 17:857–872, methods 3 and 4.
 */
import { betaQuantile } from './distributions/beta.js';
import { normalQuantile } from './distributions/normal.js';
import { badConfLevel, fail, ok, type StatResult } from './result.js';

export interface ProportionInterval {
  readonly x: number;
  readonly n: number;
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly confLevel: number;
  readonly method: 'clopper-pearson' | 'wilson' | 'wilson-corrected';
}

function checkCounts(x: number, n: number, confLevel: number): StatResult<never> | null {
  if (!Number.isInteger(n) || n < 1) return fail('too-few', `n must be a positive integer, got ${n}`);
  if (!Number.isInteger(x) || x < 0 || x > n)
    return fail('invalid-argument', `x must be an integer between 0 and n = ${n}, got ${x}`);
  const bad = badConfLevel(confLevel);
  return bad === null ? null : fail('invalid-argument', bad);
}

export function clopperPearsonInterval(
  x: number,
  n: number,
  confLevel = 0.95,
): StatResult<ProportionInterval> {
  const bad = checkCounts(x, n, confLevel);
  if (bad) return bad;
  const alpha = (1 - confLevel) / 2; // as binom.test
  const lower = x === 0 ? 0 : betaQuantile(alpha, x, n - x + 1);
  const upper = x === n ? 1 : betaQuantile(1 - alpha, x + 1, n - x);
  return ok({ x, n, estimate: x / n, lower, upper, confLevel, method: 'clopper-pearson' });
}

export interface WilsonOptions {
  readonly confLevel?: number;
  /** Yates' continuity correction, as prop.test(correct = TRUE). Default false (plain Wilson). */
  readonly correct?: boolean;
}

export function wilsonInterval(
  x: number,
  n: number,
  options: WilsonOptions = {},
): StatResult<ProportionInterval> {
  const confLevel = options.confLevel ?? 0.95;
  const correct = options.correct ?? false;
  const bad = checkCounts(x, n, confLevel);
  if (bad) return bad;
  // Transcribed from R's prop.test (one sample, null p = 0.5, two-sided).
  const estimate = x / n;
  const z = normalQuantile((1 + confLevel) / 2);
  const yates = correct ? Math.min(0.5, Math.abs(x - n * 0.5)) : 0;
  const z22n = (z * z) / (2 * n);
  let pc = estimate + yates / n;
  const upper =
    pc >= 1 ? 1 : (pc + z22n + z * Math.sqrt((pc * (1 - pc)) / n + z22n / (2 * n))) / (1 + 2 * z22n);
  pc = estimate - yates / n;
  const lower =
    pc <= 0 ? 0 : (pc + z22n - z * Math.sqrt((pc * (1 - pc)) / n + z22n / (2 * n))) / (1 + 2 * z22n);
  return ok({
    x,
    n,
    estimate,
    lower: Math.max(lower, 0),
    upper: Math.min(upper, 1),
    confLevel,
    method: correct ? 'wilson-corrected' : 'wilson',
  });
}
