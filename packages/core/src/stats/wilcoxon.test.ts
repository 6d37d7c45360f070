import { afterAll, describe, expect, test } from 'vitest';
import { expectClose, type RValue, worstReport } from './fixtures/expect-close.js';
import fixture from './fixtures/wilcoxon.json' with { type: 'json' };
import { wilcoxonSignedRank } from './wilcoxon.js';

interface Case {
  x: (number | null)[];
  y: (number | null)[];
  expected: Record<string, RValue>;
}
const cases = fixture.cases as unknown as Case[];

describe('wilcoxonSignedRank agrees with R wilcox.test(paired = TRUE)', () => {
  afterAll(() => console.log(worstReport('wilcoxon')));
  test('fixture has at least 20 inputs', () => expect(cases.length).toBeGreaterThanOrEqual(20));
  test.each(cases.map((c, i) => [i, c] as const))('case %i', (i, c) => {
    const r = wilcoxonSignedRank(c.x, c.y);
    if ('error' in c.expected) {
      expect(r.ok, `R: ${c.expected.error}`).toBe(false);
      return;
    }
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.method).toBe(c.expected.method);
    expectClose('wilcoxon', `case ${i} V`, r.value.statistic, c.expected.statistic);
    expectClose('wilcoxon', `case ${i} pValue`, r.value.pValue, c.expected.pValue, 1e-9, 1e-300);
  });
});
