// timeOrder (the counting sort behind the log-rank test and the Cox fit) gives exactly the order of
// the stable comparator sort it replaced, on whole days (its counting path) and on any other times.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../demo/prng.js';
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
});
