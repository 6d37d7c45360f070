import { afterAll, describe, expect, test } from 'vitest';
import { alternativeOf, expectClose, type RValue, worstReport } from './fixtures/expect-close.js';
import fixture from './fixtures/two-proportions.json' with { type: 'json' };
import { twoProportionTest } from './prop-test.js';
import { riskDifference } from './risk-difference.js';

interface Expected {
  call: string;
  alternative: string;
  correct: boolean;
  error?: string;
  statistic: number;
  pValue: number;
  conf: RValue[];
  warnings: string[];
}
interface Case {
  x: [number, number];
  n: [number, number];
  propTest: Expected[];
  newcombe: { call: string; confLevel: number; value: [number, number, number] }[];
}
const cases = fixture.cases as unknown as Case[];

describe('twoProportionTest agrees with R prop.test(c(x1, x2), c(n1, n2))', () => {
  afterAll(() => {
    console.log(worstReport('prop.test (2 samples)'));
    console.log(worstReport('newcombe'));
  });
  test('fixture has at least 15 inputs', () => expect(cases.length).toBeGreaterThanOrEqual(15));
  test.each(cases.map((c) => [`${c.x[0]}/${c.n[0]} vs ${c.x[1]}/${c.n[1]}`, c] as const))(
    '%s',
    (label, c) => {
      for (const e of c.propTest) {
        const where = `${label} ${e.call}`;
        const r = twoProportionTest(c.x[0], c.n[0], c.x[1], c.n[1], {
          alternative: alternativeOf(e.alternative),
          correct: e.correct,
        });
        if (e.error !== undefined) {
          expect(r.ok, `${where}: R gives ${e.error}`).toBe(false);
          continue;
        }
        expect(r.ok, where).toBe(true);
        if (!r.ok) continue;
        expect(
          r.value.warnings.map((w) => w.message),
          where,
        ).toEqual(e.warnings);
        expectClose('prop.test (2 samples)', `${where} X2`, r.value.statistic, e.statistic, 1e-9, 1e-15);
        expectClose('prop.test (2 samples)', `${where} p`, r.value.pValue, e.pValue, 1e-9, 1e-300);
        expectClose('prop.test (2 samples)', `${where} lower`, r.value.ciLower, e.conf[0], 1e-9, 1e-15);
        expectClose('prop.test (2 samples)', `${where} upper`, r.value.ciUpper, e.conf[1], 1e-9, 1e-15);
      }
      for (const e of c.newcombe) {
        const r = riskDifference(c.x[0], c.n[0], c.x[1], c.n[1], { confLevel: e.confLevel });
        expect(r.ok, e.call).toBe(true);
        if (!r.ok) continue;
        expectClose('newcombe', `${e.call} D`, r.value.difference, e.value[0], 1e-9, 1e-15);
        expectClose('newcombe', `${e.call} lower`, r.value.ciLower, e.value[1], 1e-9, 1e-15);
        expectClose('newcombe', `${e.call} upper`, r.value.ciUpper, e.value[2], 1e-9, 1e-15);
      }
    },
  );
});

describe('riskDifference reproduces Newcombe (1998) Stat Med 17:873–890, Table II, method 10', () => {
  // The paper's worked examples, to the 4 decimals it prints. [x1, n1, x2, n2, lower, upper]
  const published: [number, number, number, number, number, number][] = [
    [56, 70, 48, 80, 0.0524, 0.3339], // example (a)
    [9, 10, 3, 10, 0.1705, 0.809], // example (b)
    [0, 10, 0, 20, -0.1611, 0.2775], // example (e)
    [0, 10, 0, 10, -0.2775, 0.2775], // example (f)
  ];
  test.each(published)('%i/%i − %i/%i: %f to %f', (x1, n1, x2, n2, lower, upper) => {
    const r = riskDifference(x1, n1, x2, n2);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.ciLower).toBeCloseTo(lower, 4);
    expect(r.value.ciUpper).toBeCloseTo(upper, 4);
  });
  test('refusals', () => {
    expect(riskDifference(1, 0, 1, 2)).toMatchObject({ ok: false, issue: { code: 'too-few' } });
    expect(riskDifference(1, 2, 3, 2)).toMatchObject({ ok: false, issue: { code: 'invalid-argument' } });
    expect(twoProportionTest(0, 5, 0, 7)).toMatchObject({ ok: false, issue: { code: 'constant-data' } });
  });
});
