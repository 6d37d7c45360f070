/**
 * Log-gamma and the regularized incomplete gamma functions P(a, x) and Q(a, x).
 *
 * Sources: Lanczos approximation with Godfrey's g = 7, n = 9 coefficients (relative error
 * ~1e-15 on Γ); the asymptotic Stirling series for large arguments (Abramowitz & Stegun 6.1.41);
 * incomplete gamma by its power series for x < a + 1 and by Legendre's continued fraction
 * evaluated with the modified Lentz algorithm otherwise (Press et al., Numerical Recipes 3rd ed.
 * §6.2; Lentz, Appl. Optics 1976). The tail that is computed directly is the small one, so both
 * P and Q keep full relative precision far into the tails — which is what agreement with R's
 * pgamma/pchisq/pnorm at 1e-9 relative needs.
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.9189385332046728;
const EPS = 1e-16;
const TINY = 1e-300;
const MAX_ITER = 100_000;

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  if (x < 0.5) return logGamma(x + 1) - Math.log(x);
  if (x >= 15) {
    // Stirling series (A&S 6.1.41); at x = 15 the first omitted term is < 2e-16.
    const r = 1 / x;
    const r2 = r * r;
    const series =
      r *
      (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680 - r2 * (1 / 1188 - (r2 * 691) / 360360)))));
    return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + series;
  }
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln B(a, b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** ln C(n, k) for real n ≥ k ≥ 0. */
export function logChoose(n: number, k: number): number {
  if (k === 0 || k === n) return 0;
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

export interface Tails {
  /** P(a, x) = γ(a, x) / Γ(a): the lower tail. */
  readonly lower: number;
  /** Q(a, x) = 1 − P(a, x): the upper tail, computed directly where it is the small one. */
  readonly upper: number;
}

/** Regularized incomplete gamma, both tails, for a > 0 and x ≥ 0. */
export function incompleteGamma(a: number, x: number): Tails {
  if (!(a > 0) || !(x >= 0)) return { lower: Number.NaN, upper: Number.NaN };
  if (x === 0) return { lower: 0, upper: 1 };
  if (x === Number.POSITIVE_INFINITY) return { lower: 1, upper: 0 };
  const logFront = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    // Power series: P = e^{-x} x^a / Γ(a+1) · Σ x^n / ((a+1)…(a+n)).
    let ap = a;
    let del = 1 / a;
    let sum = del;
    for (let n = 0; n < MAX_ITER; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * EPS) break;
    }
    const lower = sum * Math.exp(logFront);
    return { lower, upper: 1 - lower };
  }
  // Continued fraction for Q (modified Lentz).
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  const upper = Math.exp(logFront) * h;
  return { lower: 1 - upper, upper };
}
