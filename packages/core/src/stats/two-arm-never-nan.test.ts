// Issue 24: the two-arm functions return a result or a typed refusal, never NaN — checked on
// arbitrary finite inputs, including huge, tiny and tied values (fast-check, fixed seeds).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { binomialTest } from './binomial-test.js';
import { fisherExactTest } from './fisher.js';
import { oneProportionTest, twoProportionTest } from './prop-test.js';
import { rankSumCdf, wilcoxonRankSum } from './rank-sum.js';
import type { StatResult } from './result.js';
import { riskDifference } from './risk-difference.js';
import { oneSampleTTest, twoSampleTTest } from './t-test.js';

/** Every number inside an ok result is not NaN (±Infinity only where documented: CI limits, OR). */
function expectNoNaN(r: StatResult<object>, what: string): void {
  if (!r.ok) {
    expect(r.issue.message.length, what).toBeGreaterThan(0);
    return;
  }
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'number') expect(Number.isNaN(v), `${what}: ${path} is NaN`).toBe(false);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  walk(r.value, 'value');
  if ('pValue' in r.value) {
    const p = (r.value as { pValue: number }).pValue;
    expect(p >= 0 && p <= 1 + 1e-12, `${what}: p = ${p}`).toBe(true);
  }
}

const sample = fc.array(
  fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: -3, max: 3 }),
    fc.double({ min: -1e-300, max: 1e-300, noNaN: true }),
  ),
  { minLength: 0, maxLength: 25 },
);
const alternative = fc.constantFrom('two-sided' as const, 'less' as const, 'greater' as const);

describe('never NaN', () => {
  test('t-tests', () => {
    fc.assert(
      fc.property(sample, sample, alternative, fc.boolean(), (x, y, alt, varEqual) => {
        expectNoNaN(twoSampleTTest(x, y, { alternative: alt, varEqual }), 'two-sample t');
        expectNoNaN(oneSampleTTest(x, { alternative: alt }), 'one-sample t');
      }),
      { numRuns: 1500, seed: 24 },
    );
  });
  test('Wilcoxon rank-sum', () => {
    fc.assert(
      fc.property(sample, sample, alternative, fc.boolean(), (x, y, alt, correct) => {
        expectNoNaN(wilcoxonRankSum(x, y, { alternative: alt, correct }), 'rank-sum');
      }),
      { numRuns: 1500, seed: 24 },
    );
  });
  test('binomial, proportion, risk difference, Fisher', () => {
    const count = fc.integer({ min: 0, max: 60 });
    fc.assert(
      fc.property(
        count,
        count,
        count,
        count,
        alternative,
        fc.double({ min: 0, max: 1, noNaN: true }),
        (a, b, c, d, alt, p) => {
          const n1 = a + b;
          const n2 = c + d;
          expectNoNaN(binomialTest(a, n1, { p, alternative: alt }), 'binomial');
          expectNoNaN(oneProportionTest(a, n1, { p, alternative: alt }), 'one proportion');
          expectNoNaN(twoProportionTest(a, n1, c, n2, { alternative: alt }), 'two proportions');
          expectNoNaN(riskDifference(a, n1, c, n2), 'risk difference');
          expectNoNaN(
            fisherExactTest(
              [
                [a, b],
                [c, d],
              ],
              { alternative: alt },
            ),
            'fisher',
          );
        },
      ),
      { numRuns: 1500, seed: 24 },
    );
  });
  test('the exact rank-sum distribution sums to 1 for every size up to 12 × 12', () => {
    for (let m = 1; m <= 12; m++) for (let n = 1; n <= 12; n++) expect(rankSumCdf(m * n, m, n)).toBe(1);
  });
});
