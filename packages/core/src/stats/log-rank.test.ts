import { afterAll, describe, expect, test } from 'vitest';
import { expectClose, type RValue, worstReport } from './fixtures/expect-close.js';
import fixture from './fixtures/log-rank.json' with { type: 'json' };
import { logRankTest } from './log-rank.js';

interface Case {
  time: number[];
  event: number[];
  group: number[];
  expected: {
    error?: string;
    observed: number[];
    expected: number[];
    n: number[];
    chiSquare: number;
    df: number;
    pValue: RValue;
    variance: number[][];
  };
}
const cases = fixture.cases as unknown as Case[];

describe('logRankTest agrees with R survdiff', () => {
  afterAll(() => console.log(worstReport('log-rank')));
  test('fixture has at least 20 inputs', () => expect(cases.length).toBeGreaterThanOrEqual(20));
  test.each(cases.map((c, i) => [i, c] as const))('case %i', (i, c) => {
    const r = logRankTest(
      c.time,
      c.event.map((e) => e === 1),
      c.group,
    );
    const e = c.expected;
    if (e.error !== undefined) {
      expect(r.ok, `R: ${e.error}`).toBe(false);
      return;
    }
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    r.value.groups.forEach((g, j) => {
      expect(g.n).toBe(e.n[j]);
      expect(g.observed).toBe(e.observed[j]);
      expectClose('log-rank', `case ${i} expected[${j}]`, g.expected, e.expected[j]);
      r.value.variance[j]!.forEach((v, h) => {
        expectClose('log-rank', `case ${i} var[${j}][${h}]`, v, e.variance[j]![h], 1e-9, 1e-12);
      });
    });
    expect(r.value.df).toBe(e.df);
    expectClose('log-rank', `case ${i} chisq`, r.value.chiSquare, e.chiSquare);
    expectClose('log-rank', `case ${i} pValue`, r.value.pValue, e.pValue, 1e-9, 1e-300);
  });
});
