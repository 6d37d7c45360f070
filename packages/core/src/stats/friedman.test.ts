import { afterAll, describe, expect, test } from 'vitest';
import { expectClose, type RValue, worstReport } from './fixtures/expect-close.js';
import fixture from './fixtures/friedman.json' with { type: 'json' };
import { friedmanTest } from './friedman.js';

interface Case {
  y: (number | null)[][];
  expected: Record<string, RValue>;
}
const cases = fixture.cases as unknown as Case[];

describe('friedmanTest agrees with R friedman.test', () => {
  afterAll(() => console.log(worstReport('friedman')));
  test('fixture has at least 20 inputs', () => expect(cases.length).toBeGreaterThanOrEqual(20));
  test.each(cases.map((c, i) => [i, c] as const))('case %i', (i, c) => {
    const r = friedmanTest(c.y);
    if ('error' in c.expected) {
      expect(r.ok, `R: ${c.expected.error}`).toBe(false);
      return;
    }
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expectClose('friedman', `case ${i} statistic`, r.value.statistic, c.expected.statistic);
    expectClose('friedman', `case ${i} df`, r.value.df, c.expected.df);
    expectClose('friedman', `case ${i} pValue`, r.value.pValue, c.expected.pValue, 1e-9, 1e-300);
  });
});
