/**
 * Standard normal CDF and quantile (R's pnorm / qnorm).
 *
 * Sources: Φ(−|z|) = ½·Q(½, z²/2) (Abramowitz & Stegun 26.2.30 with 6.5.17) — the regularized
 * incomplete gamma keeps full relative precision in the far tail. The quantile starts from
 * Acklam's rational approximation (relative error 1.15e-9) and is polished by Halley steps on
 * that CDF to double precision.
 */
import { incompleteGamma } from './gamma.js';

const SQRT_2PI = 2.5066282746310002;

/** P(Z ≤ z), or P(Z > z) when lowerTail is false. */
export function normalCdf(z: number, lowerTail = true): number {
  if (Number.isNaN(z)) return Number.NaN;
  if (z === 0) return 0.5;
  const half = 0.5 * incompleteGamma(0.5, (z * z) / 2).upper; // = Φ(−|z|)
  const isSmallTail = lowerTail ? z < 0 : z > 0;
  return isSmallTail ? half : 1 - half;
}

const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
];
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

function acklamLowerQuantile(q: number): number {
  // q in (0, 0.5]: returns the (negative or zero) quantile.
  if (q < 0.02425) {
    const r = Math.sqrt(-2 * Math.log(q));
    return (
      (((((C[0]! * r + C[1]!) * r + C[2]!) * r + C[3]!) * r + C[4]!) * r + C[5]!) /
      ((((D[0]! * r + D[1]!) * r + D[2]!) * r + D[3]!) * r + 1)
    );
  }
  const u = q - 0.5;
  const r = u * u;
  return (
    ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * u) /
    (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1)
  );
}

/** The z with P(Z ≤ z) = p (R's qnorm(p)). */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  // Solve in the smaller tail, Φ(x) = q with x < 0, then reflect.
  const q = p < 0.5 ? p : 1 - p;
  let x = acklamLowerQuantile(q);
  for (let i = 0; i < 8; i++) {
    const e = normalCdf(x) - q;
    const u = e * SQRT_2PI * Math.exp((x * x) / 2);
    const next = x - u / (1 + (x * u) / 2);
    if (next === x || !Number.isFinite(next)) break;
    const step = Math.abs(next - x);
    x = next;
    if (step <= 1e-16 * Math.abs(x)) break;
  }
  return p < 0.5 ? x : -x;
}
