import { afterAll, describe, expect, test } from 'vitest';
import { expectClose, type RValue, worstReport } from './fixtures/expect-close.js';
import fixture from './fixtures/paired-t.json' with { type: 'json' };
import { pairedTTest } from './paired-t.js';

interface Case {
  x: (number | null)[];
  y: (number | null)[];
  expected: Record<string, RValue>;
}
const cases = fixture.cases as unknown as Case[];

describe('pairedTTest agrees with R t.test(paired = TRUE)', () => {
  afterAll(() => console.log(worstReport('paired-t')));
  test('fixture has at least 20 inputs', () => expect(cases.length).toBeGreaterThanOrEqual(20));
  test.each(cases.map((c, i) => [i, c] as const))('case %i', (i, c) => {
    const r = pairedTTest(c.x, c.y);
    if ('error' in c.expected) {
      expect(r.ok, `R: ${c.expected.error}`).toBe(false);
      return;
    }
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    for (const key of ['n', 't', 'df', 'meanDifference', 'ciLower', 'ciUpper'] as const) {
      expectClose('paired-t', `case ${i} ${key}`, r.value[key], c.expected[key]);
    }
    expectClose('paired-t', `case ${i} pValue`, r.value.pValue, c.expected.pValue, 1e-9, 1e-300);
  });
  test('unequal lengths and non-finite values are typed errors', () => {
    expect(pairedTTest([1, 2], [1])).toMatchObject({ ok: false, issue: { code: 'length-mismatch' } });
    expect(pairedTTest([1, Number.NaN], [1, 2])).toMatchObject({ ok: false, issue: { code: 'non-finite' } });
  });
});
