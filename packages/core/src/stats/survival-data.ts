/**
 * Validation and ordering shared by the right-censored survival methods (Kaplan–Meier,
 * log-rank, Cox). Times are compared exactly; R's survival additionally merges times that differ
 * only by floating-point noise (aeqSurv, timefix = TRUE), which is moot for times recorded as
 * whole days.
 */
import { ascendingOrder } from './ranks.js';
import { fail, ok, type StatResult } from './result.js';

export function checkSurvivalData(
  time: readonly number[],
  event: readonly boolean[],
  what: string,
): StatResult<{ readonly n: number; readonly events: number }> {
  if (time.length !== event.length)
    return fail('length-mismatch', `${what}: time has ${time.length} entries but event has ${event.length}`);
  if (time.length === 0) return fail('empty', `${what}: no observations`);
  let events = 0;
  for (let i = 0; i < time.length; i++) {
    const t = time[i]!;
    if (!Number.isFinite(t) || t < 0)
      return fail('non-finite', `${what}: time at index ${i} is ${t}; times must be finite and ≥ 0`);
    if (event[i]) events++;
  }
  return ok({ n: time.length, events });
}

/** Indices ordered by ascending time; at equal times events come before censorings (as survival's C code). */
export function orderByTime(time: readonly number[], event: readonly boolean[]): number[] {
  return Array.from({ length: time.length }, (_, i) => i).sort(
    (a, b) => time[a]! - time[b]! || Number(event[b]!) - Number(event[a]!),
  );
}

/**
 * Indices ordered by ascending time, ties in index order: the same order as the stable
 * `indices.sort((a, b) => time[a] - time[b])` (ranks.ts ascendingOrder). Times must be finite
 * (checkSurvivalData).
 */
export function timeOrder(time: readonly number[]): Int32Array {
  return ascendingOrder(time);
}
