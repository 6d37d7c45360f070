import { afterAll, describe, expect, test } from 'vitest';
import { coxPH } from './cox.js';
import fixture from './fixtures/cox.json' with { type: 'json' };
import { expectClose, worstReport } from './fixtures/expect-close.js';

interface Case {
  time: number[];
  event: number[];
  x: number[][];
  expected: {
    error?: string;
    coefficient: number[];
    se: number[];
    lower: number[];
    upper: number[];
    pValue: number[];
    loglik: number[];
    iterations: number;
    lr: number[];
    wald: number[];
    score: number[];
  };
}
const cases = fixture.cases as unknown as Case[];

describe('coxPH agrees with R coxph(ties = "efron")', () => {
  afterAll(() => console.log(worstReport('cox')));
  test('fixture has at least 20 inputs', () => expect(cases.length).toBeGreaterThanOrEqual(20));
  test.each(cases.map((c, i) => [i, c] as const))('case %i', (i, c) => {
    const r = coxPH(
      c.time,
      c.event.map((e) => e === 1),
      c.x,
    );
    const e = c.expected;
    if (e.error !== undefined) {
      expect(r.ok, `R: ${e.error}`).toBe(false);
      return;
    }
    expect(r.ok, r.ok ? '' : r.issue.message).toBe(true);
    if (!r.ok) return;
    const m = r.value;
    expect(m.iterations).toBe(e.iterations);
    m.coefficients.forEach((coef, j) => {
      expectClose('cox', `case ${i} coef[${j}]`, coef.coefficient, e.coefficient[j]);
      expectClose('cox', `case ${i} se[${j}]`, coef.se, e.se[j]);
      expectClose('cox', `case ${i} lower[${j}]`, coef.lower, e.lower[j]);
      expectClose('cox', `case ${i} upper[${j}]`, coef.upper, e.upper[j]);
      expectClose('cox', `case ${i} p[${j}]`, coef.pValue, e.pValue[j], 1e-9, 1e-300);
    });
    expectClose('cox', `case ${i} loglik0`, m.logLikelihood.initial, e.loglik[0]);
    expectClose('cox', `case ${i} loglik`, m.logLikelihood.final, e.loglik[1]);
    for (const [name, t, ex] of [
      ['lr', m.likelihoodRatio, e.lr],
      ['wald', m.wald, e.wald],
      ['score', m.score, e.score],
    ] as const) {
      expectClose('cox', `case ${i} ${name} statistic`, t.statistic, ex[0]);
      expectClose('cox', `case ${i} ${name} df`, t.df, ex[1]);
      expectClose('cox', `case ${i} ${name} p`, t.pValue, ex[2], 1e-9, 1e-300);
    }
  });
});
