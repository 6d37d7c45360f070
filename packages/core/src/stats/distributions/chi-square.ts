/**
 * The chi-square distribution (R's pchisq): P(X² > x) = Q(k/2, x/2), the regularized upper
 * incomplete gamma (Abramowitz & Stegun 26.4.19).
 */
import { incompleteGamma } from './gamma.js';

/** P(X²_df > x) (R: pchisq(x, df, lower.tail = FALSE)). */
export function chiSquareUpperTail(x: number, df: number): number {
  if (Number.isNaN(x) || !(df > 0)) return Number.NaN;
  if (x <= 0) return 1;
  return incompleteGamma(df / 2, x / 2).upper;
}

/** P(X²_df ≤ x) (R: pchisq(x, df)). */
export function chiSquareCdf(x: number, df: number): number {
  if (Number.isNaN(x) || !(df > 0)) return Number.NaN;
  if (x <= 0) return 0;
  return incompleteGamma(df / 2, x / 2).lower;
}
