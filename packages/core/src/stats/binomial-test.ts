/**
 * Exact binomial test of H0: P(success) = p, as R's binom.test(x, n, p, alternative, conf.level):
 * - "less": P(X ≤ x); "greater": P(X ≥ x);
 * - two-sided: the probability of all outcomes no more likely than x, with R's relative
 *   tolerance 1 + 1e-7 on "no more likely" (the tail on x's side plus the outcomes on the other
 *   side of n·p with density ≤ d(x)·(1 + 1e-7)), capped at 1;
 * - Clopper–Pearson interval (two-sided at α/2 each side; one-sided with the other limit 0 or 1).
 * Transcribed from stats::binom.test (R 4.2). Source: Clopper & Pearson (1934), Biometrika
 * 26:404–413 (the interval); the two-sided p is R's own rule, transcribed.
 */
import { betaQuantile } from './distributions/beta.js';
import { binomialCdf, binomialPmf } from './distributions/binomial.js';
import { type Alternative, badAlternative, badConfLevel, fail, ok, type StatResult } from './result.js';

export interface BinomialTest {
  readonly x: number;
  readonly n: number;
  /** The null probability of success. */
  readonly p: number;
  readonly estimate: number;
  readonly alternative: Alternative;
  readonly pValue: number;
  readonly confLevel: number;
  readonly ciLower: number;
  readonly ciUpper: number;
}

export interface BinomialTestOptions {
  /** Null probability of success; default 0.5. */
  readonly p?: number;
  readonly alternative?: Alternative;
  readonly confLevel?: number;
}

export function binomialTest(
  x: number,
  n: number,
  options: BinomialTestOptions = {},
): StatResult<BinomialTest> {
  const p = options.p ?? 0.5;
  const alternative = options.alternative ?? 'two-sided';
  const confLevel = options.confLevel ?? 0.95;
  if (!Number.isInteger(n) || n < 1)
    return fail('too-few', `binomial test: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(x) || x < 0 || x > n)
    return fail('invalid-argument', `binomial test: x must be an integer between 0 and n = ${n}, got ${x}`);
  if (!(p >= 0 && p <= 1)) return fail('invalid-argument', `binomial test: p must be in [0, 1], got ${p}`);
  const bad = badConfLevel(confLevel) ?? badAlternative(alternative);
  if (bad) return fail('invalid-argument', `binomial test: ${bad}`);

  let pValue: number;
  if (alternative === 'less') pValue = binomialCdf(x, n, p);
  else if (alternative === 'greater') pValue = binomialCdf(x - 1, n, p, false);
  else if (p === 0) pValue = x === 0 ? 1 : 0;
  else if (p === 1) pValue = x === n ? 1 : 0;
  else {
    const relErr = 1 + 1e-7;
    const d = binomialPmf(x, n, p);
    const m = n * p;
    if (x === m) pValue = 1;
    else if (x < m) {
      let y = 0;
      for (let i = Math.ceil(m); i <= n; i++) if (binomialPmf(i, n, p) <= d * relErr) y++;
      pValue = binomialCdf(x, n, p) + binomialCdf(n - y, n, p, false);
    } else {
      let y = 0;
      for (let i = 0; i <= Math.floor(m); i++) if (binomialPmf(i, n, p) <= d * relErr) y++;
      pValue = binomialCdf(y - 1, n, p) + binomialCdf(x - 1, n, p, false);
    }
  }
  const lowerLimit = (alpha: number) => (x === 0 ? 0 : betaQuantile(alpha, x, n - x + 1));
  const upperLimit = (alpha: number) => (x === n ? 1 : betaQuantile(1 - alpha, x + 1, n - x));
  let ciLower: number;
  let ciUpper: number;
  if (alternative === 'less') {
    ciLower = 0;
    ciUpper = upperLimit(1 - confLevel);
  } else if (alternative === 'greater') {
    ciLower = lowerLimit(1 - confLevel);
    ciUpper = 1;
  } else {
    const alpha = (1 - confLevel) / 2;
    ciLower = lowerLimit(alpha);
    ciUpper = upperLimit(alpha);
  }
  return ok({
    x,
    n,
    p,
    estimate: x / n,
    alternative,
    pValue: Math.min(1, pValue),
    confLevel,
    ciLower,
    ciUpper,
  });
}
