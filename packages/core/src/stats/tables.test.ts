import { afterAll, describe, expect, test } from 'vitest';
import { chiSquareTest } from './chi-square-test.js';
import { fisherExact2x2 } from './fisher.js';
import { expectClose, type RValue, worstReport } from './fixtures/expect-close.js';
import fixture from './fixtures/tables.json' with { type: 'json' };
import { mcnemarTest } from './mcnemar.js';
import type { StatResult } from './result.js';

type Expected = Record<string, RValue> | null;
interface Case {
  table: number[][];
  mcnemar: Expected;
  mcnemarUncorrected: Expected;
  fisher: Expected;
  chisq: Expected;
  chisqUncorrected: Expected;
}
const cases = fixture.cases as unknown as Case[];

function check(
  file: string,
  where: string,
  r: StatResult<{ pValue: number; statistic?: number; df?: number }>,
  expected: Expected,
): void {
  if (expected === null) return;
  if ('error' in expected) {
    expect(r.ok, `${where}: R gives ${expected.error}`).toBe(false);
    return;
  }
  expect(r.ok, where).toBe(true);
  if (!r.ok) return;
  if ('statistic' in expected)
    expectClose(file, `${where} statistic`, r.value.statistic, expected.statistic, 1e-9, 1e-12);
  if ('df' in expected) expectClose(file, `${where} df`, r.value.df, expected.df);
  expectClose(file, `${where} pValue`, r.value.pValue, expected.pValue, 1e-9, 1e-300);
}

describe('McNemar, Fisher and chi-square tests agree with R', () => {
  afterAll(() => {
    for (const f of ['mcnemar', 'fisher', 'chisq']) console.log(worstReport(f));
  });
  test('fixture has at least 20 tables of each kind', () => {
    expect(cases.filter((c) => c.mcnemar !== null).length).toBeGreaterThanOrEqual(20);
    expect(cases.filter((c) => c.fisher !== null).length).toBeGreaterThanOrEqual(20);
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });
  test.each(cases.map((c, i) => [i, c] as const))('table %i', (i, c) => {
    if (c.mcnemar !== null) {
      check('mcnemar', `table ${i} mcnemar`, mcnemarTest(c.table), c.mcnemar);
      check(
        'mcnemar',
        `table ${i} mcnemar uncorrected`,
        mcnemarTest(c.table, { correct: false }),
        c.mcnemarUncorrected,
      );
    }
    if (c.fisher !== null) check('fisher', `table ${i} fisher`, fisherExact2x2(c.table), c.fisher);
    check('chisq', `table ${i} chisq`, chiSquareTest(c.table), c.chisq);
    check(
      'chisq',
      `table ${i} chisq uncorrected`,
      chiSquareTest(c.table, { correct: false }),
      c.chisqUncorrected,
    );
  });
});

describe('Fisher at trial scale (issue 16)', () => {
  test('a 400 000-patient table (support of 200 001 values) does not overflow the call stack', () => {
    // Balanced table: the observed table is the mode of the hypergeometric, so p = 1.
    const r = fisherExact2x2([
      [100_000, 100_000],
      [100_000, 100_000],
    ]);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.pValue).toBeCloseTo(1, 6);
  });
});
