/**
 * Multiple-comparison adjustment of p-values, as R's p.adjust(p, method) with n = length(p).
 *
 * - Holm (1979), Scand J Stat 6:65–70: p(i) ↦ min(1, cummax((n − i + 1)·p(i))) over ascending p.
 * - Benjamini & Hochberg (1995), JRSS B 57:289–300: p(i) ↦ min(1, cummin(n/i·p(i))) over
 *   descending p.
 * Transcribed from stats::p.adjust; results are returned in input order.
 */
import { fail, ok, type StatResult } from './result.js';

export type PAdjustMethod = 'holm' | 'BH';

export function adjustPValues(pValues: readonly number[], method: PAdjustMethod): StatResult<number[]> {
  const n = pValues.length;
  for (let i = 0; i < n; i++) {
    const p = pValues[i]!;
    if (!(p >= 0 && p <= 1)) return fail('invalid-argument', `p-value at index ${i} is ${p}, not in [0, 1]`);
  }
  if (n <= 1) return ok([...pValues]);
  const out = new Array<number>(n);
  if (method === 'holm') {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => pValues[a]! - pValues[b]!);
    let running = 0;
    for (let i = 0; i < n; i++) {
      const idx = order[i]!;
      running = Math.max(running, (n - i) * pValues[idx]!);
      out[idx] = Math.min(1, running);
    }
    return ok(out);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => pValues[b]! - pValues[a]!);
  let running = Number.POSITIVE_INFINITY;
  for (let k = 0; k < n; k++) {
    const idx = order[k]!;
    const rank = n - k; // i in R's `i <- lp:1L`
    running = Math.min(running, (n / rank) * pValues[idx]!);
    out[idx] = Math.min(1, running);
  }
  return ok(out);
}
