import { afterAll, describe, expect, test } from 'vitest';
import { alternativeOf, expectClose, worstReport } from './fixtures/expect-close.js';
import fixture from './fixtures/rank-sum.json' with { type: 'json' };
import { rankSumCdf, wilcoxonRankSum } from './rank-sum.js';

interface Expected {
  call: string;
  alternative: string;
  correct: boolean;
  error?: string;
  statistic: number;
  pValue: number;
  method: 'exact' | 'normal';
  warnings: string[];
}
interface Case {
  x: number[];
  y: number[];
  tests: Expected[];
}
const cases = fixture.cases as unknown as Case[];
const F = 'rank-sum';

describe('wilcoxonRankSum agrees with R wilcox.test(x, y)', () => {
  afterAll(() => console.log(worstReport(F)));
  test('fixture covers exact, normal, ties (with the warning) and an all-tied refusal', () => {
    const all = cases.flatMap((c) => c.tests);
    expect(cases.length).toBeGreaterThanOrEqual(15);
    expect(all.some((e) => e.method === 'exact')).toBe(true);
    expect(all.some((e) => e.method === 'normal' && e.warnings.length === 0)).toBe(true);
    expect(all.some((e) => e.warnings?.includes('cannot compute exact p-value with ties'))).toBe(true);
    expect(all.some((e) => e.error !== undefined)).toBe(true);
  });
  test.each(cases.map((c, i) => [i, c] as const))('case %i', (i, c) => {
    for (const e of c.tests) {
      const where = `case ${i} ${e.call}`;
      const r = wilcoxonRankSum(c.x, c.y, { alternative: alternativeOf(e.alternative), correct: e.correct });
      // Deliberate difference: when every value is tied σ = 0, and R's one-sided corrected p is
      // pnorm(±0.5/0) = 1, an artefact of dividing by zero; msct refuses in every variant.
      const allTied = new Set([...c.x, ...c.y]).size === 1;
      if (e.error !== undefined || allTied) {
        expect(r.ok, `${where}: R gives ${e.error ?? `p = ${e.pValue} from z = ±∞`}`).toBe(false);
        if (!r.ok) expect(r.issue.code).toBe('constant-data');
        continue;
      }
      expect(r.ok, where).toBe(true);
      if (!r.ok) continue;
      expect(r.value.method, where).toBe(e.method);
      expect(
        r.value.warnings.map((w) => w.message),
        where,
      ).toEqual(e.warnings);
      expectClose(F, `${where} W`, r.value.statistic, e.statistic);
      expectClose(F, `${where} p`, r.value.pValue, e.pValue, 1e-9, 1e-300);
    }
  });
  test('the exact distribution is symmetric and sums to 1 (pwilcox)', () => {
    expect(rankSumCdf(12, 5, 5)).toBeCloseTo(0.5, 15);
    expect(rankSumCdf(3, 5, 5) + rankSumCdf(21, 5, 5, false)).toBeCloseTo(2 * rankSumCdf(3, 5, 5), 15);
    expect(rankSumCdf(-1, 3, 4)).toBe(0);
    expect(rankSumCdf(12, 3, 4)).toBe(1);
    // 1/C(7, 3) = 1/35: only {1, 2, 3} gives W = 0.
    expect(rankSumCdf(0, 3, 4)).toBeCloseTo(1 / 35, 15);
  });
  test('refusals', () => {
    expect(wilcoxonRankSum([], [1])).toMatchObject({ ok: false, issue: { code: 'too-few' } });
    expect(wilcoxonRankSum([1, Number.POSITIVE_INFINITY], [1])).toMatchObject({
      ok: false,
      issue: { code: 'non-finite' },
    });
  });
});
