import { afterAll, describe, expect, test } from 'vitest';
import { binomialTest } from './binomial-test.js';
import fixture from './fixtures/binomial.json' with { type: 'json' };
import { alternativeOf, expectClose, type RValue, worstReport } from './fixtures/expect-close.js';
import { oneProportionTest } from './prop-test.js';

interface Expected {
  call: string;
  alternative: string;
  p: number;
  correct?: boolean;
  confLevel: number;
  error?: string;
  statistic: number;
  df?: number;
  pValue: number;
  conf: RValue[];
  warnings: string[];
}
interface Case {
  x: number;
  n: number;
  binomTest: Expected[];
  propTest: Expected[];
}
const cases = fixture.cases as unknown as Case[];

describe('binomialTest agrees with R binom.test; oneProportionTest with prop.test(x, n, p)', () => {
  afterAll(() => {
    console.log(worstReport('binom.test'));
    console.log(worstReport('prop.test (1 sample)'));
  });
  test('fixture has at least 15 inputs', () => expect(cases.length).toBeGreaterThanOrEqual(15));
  test.each(cases.map((c) => [`${c.x}/${c.n}`, c] as const))('%s', (label, c) => {
    for (const e of c.binomTest) {
      const where = `${label} ${e.call}`;
      const r = binomialTest(c.x, c.n, { p: e.p, alternative: alternativeOf(e.alternative) });
      expect(r.ok, where).toBe(true);
      if (!r.ok) continue;
      expectClose('binom.test', `${where} p`, r.value.pValue, e.pValue, 1e-9, 1e-300);
      expectClose('binom.test', `${where} lower`, r.value.ciLower, e.conf[0], 1e-9, 1e-15);
      expectClose('binom.test', `${where} upper`, r.value.ciUpper, e.conf[1], 1e-9, 1e-15);
    }
    for (const e of c.propTest) {
      const where = `${label} ${e.call}`;
      const r = oneProportionTest(c.x, c.n, {
        p: e.p,
        alternative: alternativeOf(e.alternative),
        correct: e.correct!,
      });
      expect(r.ok, where).toBe(true);
      if (!r.ok) continue;
      expect(
        r.value.warnings.map((w) => w.message),
        where,
      ).toEqual(e.warnings);
      expectClose('prop.test (1 sample)', `${where} X2`, r.value.statistic, e.statistic, 1e-9, 1e-15);
      expectClose('prop.test (1 sample)', `${where} p`, r.value.pValue, e.pValue, 1e-9, 1e-300);
      expectClose('prop.test (1 sample)', `${where} lower`, r.value.ciLower, e.conf[0], 1e-9, 1e-15);
      expectClose('prop.test (1 sample)', `${where} upper`, r.value.ciUpper, e.conf[1], 1e-9, 1e-15);
    }
  });
  test('refusals', () => {
    expect(binomialTest(3, 0)).toMatchObject({ ok: false, issue: { code: 'too-few' } });
    expect(binomialTest(3, 2)).toMatchObject({ ok: false, issue: { code: 'invalid-argument' } });
    expect(binomialTest(1, 2, { p: 1.5 })).toMatchObject({ ok: false, issue: { code: 'invalid-argument' } });
    expect(oneProportionTest(1, 2, { p: 0 })).toMatchObject({
      ok: false,
      issue: { code: 'invalid-argument' },
    });
  });
});
