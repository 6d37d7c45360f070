import { afterAll, describe, expect, test } from 'vitest';
import { alternativeOf, expectCloseOrInfinite, type RValue, worstReport } from './fixtures/expect-close.js';
import fixture from './fixtures/t-test.json' with { type: 'json' };
import { oneSampleTTest, twoSampleTTest } from './t-test.js';

interface Expected {
  call: string;
  alternative: string;
  confLevel: number;
  mu: number;
  varEqual?: boolean;
  error?: string;
  statistic: number;
  df: number;
  pValue: number;
  conf: RValue[];
  estimate: number[];
}
interface Case {
  x: number[];
  y: number[];
  twoSample: Expected[];
  oneSample: Expected[];
}
const cases = fixture.cases as unknown as Case[];
const F = 't-test';

describe('t-tests agree with R t.test (Welch, Student, one-sample; every alternative)', () => {
  afterAll(() => console.log(worstReport(F)));
  test('fixture has at least 15 inputs, each with 13 two-sample and 6 one-sample calls', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
    for (const c of cases) expect([c.twoSample.length, c.oneSample.length]).toEqual([13, 6]);
  });
  test.each(cases.map((c, i) => [i, c] as const))('case %i', (i, c) => {
    const runs = [
      ...c.twoSample.map(
        (e) =>
          [
            e,
            twoSampleTTest(c.x, c.y, {
              alternative: alternativeOf(e.alternative),
              varEqual: e.varEqual!,
              confLevel: e.confLevel,
              mu: e.mu,
            }),
          ] as const,
      ),
      ...c.oneSample.map(
        (e) =>
          [
            e,
            oneSampleTTest(c.x, {
              alternative: alternativeOf(e.alternative),
              confLevel: e.confLevel,
              mu: e.mu,
            }),
          ] as const,
      ),
    ];
    for (const [e, r] of runs) {
      const where = `case ${i} ${e.call}`;
      if (e.error !== undefined) {
        expect(r.ok, `${where}: R stops with "${e.error}"`).toBe(false);
        continue;
      }
      expect(r.ok, `${where}: ${r.ok ? '' : r.issue.message}`).toBe(true);
      if (!r.ok) continue;
      expectCloseOrInfinite(F, `${where} t`, r.value.t, e.statistic);
      expectCloseOrInfinite(F, `${where} df`, r.value.df, e.df);
      expectCloseOrInfinite(F, `${where} p`, r.value.pValue, e.pValue, 1e-9, 1e-300);
      expectCloseOrInfinite(F, `${where} lower`, r.value.ciLower, e.conf[0]);
      expectCloseOrInfinite(F, `${where} upper`, r.value.ciUpper, e.conf[1]);
      expect(r.value.means.length).toBe(e.estimate.length);
      r.value.means.forEach((m, j) => {
        expectCloseOrInfinite(F, `${where} mean ${j}`, m, e.estimate[j]);
      });
    }
  });
  test('refusals say what is wrong', () => {
    expect(twoSampleTTest([1, 2], [3, Number.NaN])).toMatchObject({
      ok: false,
      issue: { code: 'non-finite' },
    });
    expect(oneSampleTTest([1, 2, 3], { confLevel: 1 })).toMatchObject({
      ok: false,
      issue: { code: 'invalid-argument' },
    });
    expect(oneSampleTTest([1, 2, 3], { alternative: 'two.sided' as unknown as 'two-sided' })).toMatchObject({
      ok: false,
      issue: { code: 'invalid-argument' },
    });
    // se = 0 with both means 0: R's t is NaN (mu = 0); we refuse rather than return NaN.
    expect(twoSampleTTest([0, 0], [0, 0, 0])).toMatchObject({ ok: false, issue: { code: 'constant-data' } });
    expect(oneSampleTTest([0, 0, 0])).toMatchObject({ ok: false, issue: { code: 'constant-data' } });
  });
});
