import { afterAll, describe, expect, test } from 'vitest';
import { expectClose, worstReport } from './fixtures/expect-close.js';
import fixture from './fixtures/p-adjust.json' with { type: 'json' };
import { adjustPValues } from './p-adjust.js';

interface Case {
  p: number[];
  holm: number[];
  BH: number[];
}
const cases = fixture.cases as unknown as Case[];

describe('adjustPValues agrees with R p.adjust', () => {
  afterAll(() => console.log(worstReport('p-adjust')));
  test('fixture has at least 20 inputs', () => expect(cases.length).toBeGreaterThanOrEqual(20));
  test.each(cases.map((c, i) => [i, c] as const))('case %i', (i, c) => {
    for (const method of ['holm', 'BH'] as const) {
      const r = adjustPValues(c.p, method);
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      for (const [j, v] of r.value.entries()) {
        expectClose('p-adjust', `case ${i} ${method}[${j}]`, v, c[method][j], 1e-12, 1e-300);
      }
    }
  });
  test('a p-value outside [0, 1] is a typed error', () => {
    expect(adjustPValues([0.1, 1.2], 'holm')).toMatchObject({
      ok: false,
      issue: { code: 'invalid-argument' },
    });
  });
});
