/**
 * Student's t distribution (R's pt / qt) through the incomplete beta:
 * P(|T| > t) = I_{ν/(ν+t²)}(ν/2, ½) (Abramowitz & Stegun 26.7.1 with 26.5.27).
 */
import { betaQuantile, incompleteBeta } from './beta.js';

/** Two-sided tail probability P(|T_ν| ≥ |t|) (R: 2 * pt(-abs(t), df)). */
export function studentTTwoSided(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  const t2 = t * t;
  const denom = df + t2;
  return incompleteBeta(df / denom, t2 / denom, df / 2, 0.5).lower;
}

/** P(T_ν ≤ t), or P(T_ν > t) when lowerTail is false (R's pt). */
export function studentTCdf(t: number, df: number, lowerTail = true): number {
  const half = studentTTwoSided(t, df) / 2;
  const isSmallTail = lowerTail ? t < 0 : t > 0;
  return isSmallTail ? half : 1 - half;
}

/** The t with P(T_ν ≤ t) = p (R's qt(p, df)). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p >= 0 && p <= 1) || !(df > 0)) return Number.NaN;
  if (p === 0.5) return 0;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const tail = p < 0.5 ? p : 1 - p; // one-sided tail beyond |t|
  // P(|T| ≥ t) = 2·tail = I_x(ν/2, ½) with x = ν/(ν+t²); equivalently the upper tail of
  // Beta(½, ν/2) at y = t²/(ν+t²) equals 2·tail. Solving for y keeps precision when ν is large.
  const y = betaQuantile(2 * tail, 0.5, df / 2, false);
  const t = Math.sqrt((df * y) / (1 - y));
  return p < 0.5 ? -t : t;
}
