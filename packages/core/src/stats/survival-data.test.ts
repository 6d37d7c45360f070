// timeOrder (the counting sort behind the log-rank test and the Cox fit) gives exactly the order of
// the stable comparator sort it replaced, on whole days (its counting path) and on any other times.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../demo/prng.js';
import { ascendingOrder } from './ranks.js';
import { timeOrder } from './survival-data.js';

const comparatorOrder = (time: readonly number[]) =>
  Array.from({ length: time.length }, (_, i) => i).sort((a, b) => time[a]! - time[b]!);

describe('timeOrder', () => {
  it('equals the stable comparator sort: whole days with many ties, fractional times, 0 and −0', () => {
    const rnd = mulberry32(24);
    const days = Array.from({ length: 5000 }, () => Math.floor(rnd() * 400));
    const fractional = Array.from({ length: 5000 }, () => Math.round(rnd() * 400) / 4);
    const huge = Array.from({ length: 300 }, (_, i) => (i % 7) * 1e9);
    for (const time of [days, fractional, huge, [0, -0, 0, 3, -0], [5], [2.5, 2.5, 1]])
      expect(Array.from(timeOrder(time))).toEqual(comparatorOrder(time));
  });
  it('ascendingOrder (behind the ranks) does so on negative whole numbers, wide ranges and non-finite values', () => {
    const rnd = mulberry32(5);
    const changes = Array.from({ length: 3000 }, () => Math.floor(rnd() * 17) - 10);
    const wide = Array.from({ length: 200 }, () => Math.floor(rnd() * 1e7) - 5e6);
    const mixed = [3, Number.NaN, 1, Number.POSITIVE_INFINITY, 1, -2];
    for (const v of [changes, wide, [], [-0, 0, -1, -0]])
      expect(Array.from(ascendingOrder(v))).toEqual(comparatorOrder(v));
    expect(Array.from(ascendingOrder(mixed))).toEqual(comparatorOrder(mixed));
  });
});
