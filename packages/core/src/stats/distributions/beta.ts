/**
 * The regularized incomplete beta function I_x(a, b) (both tails) and its inverse, the beta
 * quantile — the engine under Student's t, Clopper–Pearson limits and (via qbeta) R's
 * binom.test confidence interval.
 *
 * Sources: continued fraction for I_x(a, b) (Abramowitz & Stegun 26.5.8) evaluated by the modified
 * Lentz algorithm (Press et al., Numerical Recipes 3rd ed. §6.4), using the symmetry
 * I_x(a, b) = 1 − I_{1−x}(b, a) so the fraction always converges fast; the caller passes both x
 * and y = 1 − x so no precision is lost forming 1 − x. The quantile is found by bisection on x
 * until no representable midpoint remains, always against the smaller tail probability, so
 * results keep relative precision deep in the tails (R's qbeta is accurate to the same level).
 */
import { logBeta, type Tails } from './gamma.js';

const EPS = 1e-16;
const TINY = 1e-300;
const MAX_ITER = 100_000;

function continuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITER; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/**
 * I_x(a, b) and 1 − I_x(a, b) for a, b > 0, with y = 1 − x supplied by the caller (exactly, if
 * it can: e.g. t²/(ν + t²) rather than 1 − ν/(ν + t²)).
 */
export function incompleteBeta(x: number, y: number, a: number, b: number): Tails {
  if (!(a > 0) || !(b > 0) || !(x >= 0) || !(y >= 0)) return { lower: Number.NaN, upper: Number.NaN };
  if (x === 0) return { lower: 0, upper: 1 };
  if (y === 0) return { lower: 1, upper: 0 };
  const logFront = a * Math.log(x) + b * Math.log(y) - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) {
    const lower = (Math.exp(logFront) * continuedFraction(x, a, b)) / a;
    return { lower, upper: 1 - lower };
  }
  const upper = (Math.exp(logFront) * continuedFraction(y, b, a)) / b;
  return { lower: 1 - upper, upper };
}

/**
 * The beta quantile: x with I_x(a, b) = p (lowerTail) or 1 − I_x(a, b) = p (upper tail), as R's
 * qbeta(p, a, b, lower.tail). p in [0, 1].
 */
export function betaQuantile(p: number, a: number, b: number, lowerTail = true): number {
  if (!(p >= 0 && p <= 1) || !(a > 0) || !(b > 0)) return Number.NaN;
  // Work with the lower-tail probability when it is the smaller one, else with the upper tail.
  const pLower = lowerTail ? p : 1 - p;
  if (pLower <= 0) return 0;
  if (pLower >= 1) return 1;
  const useUpper = lowerTail ? p > 0.5 : p <= 0.5;
  const target = useUpper ? (lowerTail ? 1 - p : p) : lowerTail ? p : 1 - p;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 2200; i++) {
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    const t = incompleteBeta(mid, 1 - mid, a, b);
    // Lower tail increases with x; upper tail decreases.
    const below = useUpper ? t.upper > target : t.lower < target;
    if (below) lo = mid;
    else hi = mid;
  }
  return lo + (hi - lo) / 2;
}
