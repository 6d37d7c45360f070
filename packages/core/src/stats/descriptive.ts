/**
 * Descriptive summary of one numeric sample: n, mean, SD, SE, median, quartiles (R's default
 * quantile type 7), IQR, min and max — the "n, mean ± SD, median (IQR), range" line of every table.
 *
 * Mirrors R: mean(x), sd(x) (n − 1 denominator), sd(x)/sqrt(n), median(x),
 * quantile(x, c(.25, .75), type = 7), IQR(x), min(x), max(x).
 * Source for type 7: Hyndman & Fan (1996), Am Stat 50:361–365, definition 7.
 */
import { fail, firstNonFinite, ok, type StatResult } from './result.js';

export interface DescriptiveSummary {
  readonly n: number;
  readonly mean: number;
  /** Sample SD (denominator n − 1); null when n = 1 (R: NA). */
  readonly sd: number | null;
  /** Standard error of the mean, sd / √n; null when n = 1. */
  readonly se: number | null;
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  readonly iqr: number;
  readonly min: number;
  readonly max: number;
}

/**
 * R's quantile(x, p, type = 7) on an ascending-sorted, non-empty sample:
 * h = (n − 1)p + 1, Q = x[⌊h⌋] + (h − ⌊h⌋)(x[⌈h⌉] − x[⌊h⌋]), written as R computes it:
 * (1 − g)·x[lo] + g·x[hi], and only when the two order statistics differ.
 */
export function quantileType7(sorted: readonly number[], p: number): number {
  const index = 1 + Math.max(sorted.length - 1, 0) * p;
  const lo = Math.floor(index);
  const hi = Math.ceil(index);
  const qLo = sorted[lo - 1]!;
  const qHi = sorted[hi - 1]!;
  if (index > lo && qHi !== qLo) {
    const g = index - lo;
    return (1 - g) * qLo + g * qHi;
  }
  return qLo;
}

/** Two-pass mean with the correction step R's mean() applies. */
export function mean(values: readonly number[]): number {
  const n = values.length;
  let s = 0;
  for (const v of values) s += v;
  s /= n;
  let t = 0;
  for (const v of values) t += v - s;
  return s + t / n;
}

/** Sample variance with denominator n − 1 (R's var), two-pass about the mean. */
export function sampleVariance(values: readonly number[], m = mean(values)): number {
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return ss / (values.length - 1);
}

export function describe(values: readonly number[]): StatResult<DescriptiveSummary> {
  const n = values.length;
  if (n === 0) return fail('empty', 'describe needs at least one value, got none');
  const bad = firstNonFinite(values);
  if (bad >= 0)
    return fail('non-finite', `describe: value at index ${bad} is ${values[bad]}, not a finite number`);
  const sorted = [...values].sort((a, b) => a - b);
  const m = mean(values);
  const sd = n > 1 ? Math.sqrt(sampleVariance(values, m)) : null;
  const q1 = quantileType7(sorted, 0.25);
  const q3 = quantileType7(sorted, 0.75);
  const half = Math.floor(n / 2);
  // R's median: the middle value, or the mean of the two middle values.
  const median = n % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
  return ok({
    n,
    mean: m,
    sd,
    se: sd === null ? null : sd / Math.sqrt(n),
    median,
    q1,
    q3,
    iqr: q3 - q1,
    min: sorted[0]!,
    max: sorted[n - 1]!,
  });
}
