/**
 * The binomial distribution (R's dbinom / pbinom), through the log-gamma function and the
 * incomplete beta: P(X ≤ k) = I_{1−p}(n − k, k + 1) (Abramowitz & Stegun 26.5.24), computed on the
 * smaller tail so both tails keep relative precision.
 */
import { incompleteBeta } from './beta.js';
import { logChoose } from './gamma.js';

/** P(X = k) for X ~ Bin(n, p) (R: dbinom(k, n, p)); k, n integers. */
export function binomialPmf(k: number, n: number, p: number): number {
  if (k < 0 || k > n) return 0;
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  return Math.exp(logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

/** P(X ≤ k), or P(X > k) when lowerTail is false (R: pbinom(k, n, p, lower.tail)). */
export function binomialCdf(k: number, n: number, p: number, lowerTail = true): number {
  const q = Math.floor(k + 1e-7);
  if (q < 0) return lowerTail ? 0 : 1;
  if (q >= n) return lowerTail ? 1 : 0;
  if (p === 0) return lowerTail ? 1 : 0;
  if (p === 1) return lowerTail ? 0 : 1;
  // P(X ≤ q) = I_{1−p}(n − q, q + 1) = 1 − I_p(q + 1, n − q).
  const t = incompleteBeta(p, 1 - p, q + 1, n - q);
  return lowerTail ? t.upper : t.lower;
}
