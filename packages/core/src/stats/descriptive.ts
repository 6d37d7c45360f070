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

/**
 * A power of two S ≥ max|x| (capped at 2^1023), so every x / S is exact and lies in [−2, 2]: the
 * scaled sums below cannot overflow. Issue #18 item 12: mean(c(1e308, 1e308)) must be 1e308, not NaN
 * (R accumulates in long double; scaling by a power of two is the exact double-precision equivalent).
 */
function scaleOf(values: readonly number[]): number {
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  if (max === 0) return 1;
  return 2 ** Math.min(Math.ceil(Math.log2(max)), 1023);
}

function twoPassMean(values: readonly number[], scale: number): number {
  const n = values.length;
  let s = 0;
  for (const v of values) s += v / scale;
  s /= n;
  let t = 0;
  for (const v of values) t += v / scale - s;
  return s + t / n;
}

/**
 * Two-pass mean with the correction step R's mean() applies; when a sum overflows (|x| near the
 * largest double), the same on x / S and times S (exact scaling, `scaleOf`). Finite for finite input.
 */
export function mean(values: readonly number[]): number {
  const m = twoPassMean(values, 1);
  if (Number.isFinite(m)) return m;
  const scale = scaleOf(values);
  return twoPassMean(values, scale) * scale;
}

/** Σ (x − m)² / (n − 1) of x / scale, about the mean of x / scale. */
function scaledVariance(values: readonly number[], scale: number): number {
  const m = twoPassMean(values, scale);
  let ss = 0;
  for (const v of values) ss += (v / scale - m) * (v / scale - m);
  return ss / (values.length - 1);
}

/**
 * Sample variance with denominator n − 1 (R's var), two-pass about the mean. Infinity only when the
 * variance itself exceeds the largest double (e.g. c(1e308, −1e308)); use `sampleSd` for the SD.
 */
export function sampleVariance(values: readonly number[], m = mean(values)): number {
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  const r = ss / (values.length - 1);
  if (Number.isFinite(r)) return r;
  const scale = scaleOf(values);
  return scaledVariance(values, scale) * scale * scale;
}

/** Sample SD, finite whenever the SD itself is representable (sd(c(1e308, −1e308)) = 1.414e308). */
export function sampleSd(values: readonly number[], m = mean(values)): number {
  const v = sampleVariance(values, m);
  if (Number.isFinite(v)) return Math.sqrt(v);
  const scale = scaleOf(values);
  return Math.sqrt(scaledVariance(values, scale)) * scale;
}

export function describe(values: readonly number[]): StatResult<DescriptiveSummary> {
  const n = values.length;
  if (n === 0) return fail('empty', 'describe needs at least one value, got none');
  const bad = firstNonFinite(values);
  if (bad >= 0)
    return fail('non-finite', `describe: value at index ${bad} is ${values[bad]}, not a finite number`);
  const sorted = [...values].sort((a, b) => a - b);
  const m = mean(values);
  const sd = n > 1 ? sampleSd(values, m) : null;
  const q1 = quantileType7(sorted, 0.25);
  const q3 = quantileType7(sorted, 0.75);
  const half = Math.floor(n / 2);
  // R's median: the middle value, or the mean of the two middle values (without overflow).
  const median = n % 2 === 1 ? sorted[half]! : mean([sorted[half - 1]!, sorted[half]!]);
  const summary: DescriptiveSummary = {
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
  };
  // The only non-finite results left are true values beyond the largest double (an SD or IQR of
  // values spanning ±1.7e308): a typed failure, never NaN or Infinity in a table.
  for (const [key, v] of Object.entries(summary))
    if (v !== null && !Number.isFinite(v))
      return fail('overflow', `describe: the ${key} exceeds the largest finite double (${Number.MAX_VALUE})`);
  return ok(summary);
}
