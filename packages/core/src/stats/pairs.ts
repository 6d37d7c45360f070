/**
 * Complete pairs for paired tests: drops a pair when either side is null (R's complete.cases)
 * and refuses non-finite numbers and unequal lengths.
 */
import { fail, ok, type StatResult } from './result.js';

export interface CompletePairs {
  /** x[i] − y[i] over the complete pairs, in input order. */
  readonly differences: number[];
  readonly dropped: number;
}

export function completePairs(
  x: readonly (number | null)[],
  y: readonly (number | null)[],
): StatResult<CompletePairs> {
  if (x.length !== y.length)
    return fail('length-mismatch', `paired samples must have equal length, got ${x.length} and ${y.length}`);
  const differences: number[] = [];
  let dropped = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    if (a === null || b === null || a === undefined || b === undefined) {
      dropped++;
      continue;
    }
    if (!Number.isFinite(a) || !Number.isFinite(b))
      return fail(
        'non-finite',
        `pair ${i} is (${a}, ${b}): values must be finite numbers or null for missing`,
      );
    differences.push(a - b);
  }
  return ok({ differences, dropped });
}
