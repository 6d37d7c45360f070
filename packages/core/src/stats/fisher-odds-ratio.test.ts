import { afterAll, describe, expect, test } from 'vitest';
import { chiSquareTest } from './chi-square-test.js';
import { type FisherExactOddsRatio, fisherExactTest } from './fisher.js';
import {
  alternativeOf,
  expectClose,
  expectCloseOrInfinite,
  type RValue,
  worstReport,
} from './fixtures/expect-close.js';
import fixture from './fixtures/fisher-odds-ratio.json' with { type: 'json' };

interface FisherExpected {
  call: string;
  alternative: string;
  confLevel?: number;
  error?: string;
  pValue: number;
  estimate: RValue;
  conf: RValue[];
  precise: { estimate: RValue; conf: RValue[] };
}
interface ChisqExpected {
  call: string;
  correct: boolean;
  error?: string;
  statistic: number;
  df: number;
  pValue: number;
  warnings: string[];
}
interface Case {
  table: number[][];
  fisher: FisherExpected[];
  chisq: ChisqExpected[];
}
const cases = fixture.cases as unknown as Case[];

/**
 * R's fisher.test finds its estimate and limits with uniroot(tol = .Machine$double.eps^0.25) on
 * t ∈ (0, 1), searching t = ψ when ψ < 1 and t = 1/ψ when ψ > 1: the error it allows is about
 * 1.22e-4 on that t. Checks ours against R's own printed value on R's own scale.
 */
function expectWithinUniroot(where: string, ours: number, r: RValue): void {
  if (typeof r !== 'number') {
    expect(ours, where).toBe(r === 'Inf' ? Number.POSITIVE_INFINITY : Number.NaN);
    return;
  }
  const [a, b] = r <= 1 ? [ours, r] : [1 / ours, 1 / r];
  expect(Math.abs(a - b), `${where}: ours ${ours}, fisher.test ${r}`).toBeLessThanOrEqual(2.5e-4);
}

/** The noncentral hypergeometric distribution of the top-left count at ψ, as [x, P(X = x)]. */
function conditionalDistribution(table: number[][], psi: number): [number, number][] {
  const [[a, b], [c, d]] = table as [[number, number], [number, number]];
  const m = a + c;
  const n = b + d;
  const k = a + b;
  const lchoose = (N: number, K: number) => {
    let s = 0;
    for (let i = 1; i <= K; i++) s += Math.log((N - K + i) / i);
    return s;
  };
  const logs: [number, number][] = [];
  for (let x = Math.max(0, k - n); x <= Math.min(k, m); x++)
    logs.push([x, lchoose(m, x) + lchoose(n, k - x) + x * Math.log(psi)]);
  const max = Math.max(...logs.map(([, l]) => l));
  const total = logs.reduce((s, [, l]) => s + Math.exp(l - max), 0);
  return logs.map(([x, l]) => [x, Math.exp(l - max) / total]);
}

/** Checks an estimate and two-sided CI by the equations that define them (not by R). */
function checkByDefinition(where: string, table: number[][], r: FisherExactOddsRatio, alpha: number): void {
  const x = table[0]![0]!;
  const support = conditionalDistribution(table, 1).map(([s]) => s);
  const [lo, hi] = [support[0]!, support[support.length - 1]!];
  const at = (psi: number) => conditionalDistribution(table, psi);
  if (x === lo) expect(r.oddsRatio, where).toBe(0);
  else if (x === hi) expect(r.oddsRatio, where).toBe(Number.POSITIVE_INFINITY);
  else
    expect(
      at(r.oddsRatio).reduce((s, [v, p]) => s + v * p, 0),
      `${where} E[X] = x`,
    ).toBeCloseTo(x, 9);
  if (x === lo) expect(r.ciLower, where).toBe(0);
  else {
    const upperTail = at(r.ciLower).reduce((s, [v, p]) => (v >= x ? s + p : s), 0);
    expect(upperTail, `${where} P(X ≥ x) at the lower limit`).toBeCloseTo(alpha, 12);
  }
  if (x === hi) expect(r.ciUpper, where).toBe(Number.POSITIVE_INFINITY);
  else {
    const lowerTail = at(r.ciUpper).reduce((s, [v, p]) => (v <= x ? s + p : s), 0);
    expect(lowerTail, `${where} P(X ≤ x) at the upper limit`).toBeCloseTo(alpha, 12);
  }
}

describe('fisherExactTest agrees with R fisher.test (p, conditional MLE odds ratio, exact CI)', () => {
  afterAll(() => console.log(worstReport('fisher-or')));
  test('fixture has at least 20 tables', () => expect(cases.length).toBeGreaterThanOrEqual(20));
  test.each(cases.map((c, i) => [i, c] as const))('table %i', (i, c) => {
    for (const e of c.fisher) {
      const where = `table ${i} ${e.call}`;
      const r = fisherExactTest(c.table, {
        alternative: alternativeOf(e.alternative),
        confLevel: e.confLevel ?? 0.95,
      });
      expect(r.ok, where).toBe(true);
      if (!r.ok) continue;
      expect(e.error, where).toBeUndefined();
      // Independently of R: the estimate and limits satisfy the equations that define them.
      const total = c.table.flat().reduce((t, v) => t + v, 0);
      if (e.alternative === 'two.sided' && total <= 10_000)
        checkByDefinition(where, c.table, r.value, (1 - (e.confLevel ?? 0.95)) / 2);
      expectClose('fisher-or', `${where} p`, r.value.pValue, e.pValue, 1e-9, 1e-300);
      expectCloseOrInfinite('fisher-or', `${where} estimate`, r.value.oddsRatio, e.precise.estimate);
      expectCloseOrInfinite('fisher-or', `${where} lower`, r.value.ciLower, e.precise.conf[0]);
      expectCloseOrInfinite('fisher-or', `${where} upper`, r.value.ciUpper, e.precise.conf[1]);
      expectWithinUniroot(`${where} estimate`, r.value.oddsRatio, e.estimate);
      expectWithinUniroot(`${where} lower`, r.value.ciLower, e.conf[0]!);
      expectWithinUniroot(`${where} upper`, r.value.ciUpper, e.conf[1]!);
    }
  });
  test('refusals', () => {
    expect(fisherExactTest([[1, 2]])).toMatchObject({ ok: false, issue: { code: 'invalid-argument' } });
    expect(
      fisherExactTest(
        [
          [1, 2],
          [3, 4],
        ],
        { confLevel: 0 },
      ),
    ).toMatchObject({ ok: false, issue: { code: 'invalid-argument' } });
  });
});

describe('chiSquareTest carries R\'s "Chi-squared approximation may be incorrect" warning', () => {
  afterAll(() => console.log(worstReport('chisq-warnings')));
  test.each(cases.map((c, i) => [i, c] as const))('table %i', (i, c) => {
    for (const e of c.chisq) {
      const r = chiSquareTest(c.table, { correct: e.correct });
      const where = `table ${i} ${e.call}`;
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
      expectClose('chisq-warnings', `${where} X2`, r.value.statistic, e.statistic, 1e-9, 1e-12);
      expectClose('chisq-warnings', `${where} p`, r.value.pValue, e.pValue, 1e-9, 1e-300);
    }
  });
  test('the fixture has tables with and without the warning', () => {
    const w = cases.flatMap((c) => c.chisq).filter((e) => e.error === undefined);
    expect(w.some((e) => e.warnings.length > 0)).toBe(true);
    expect(w.some((e) => e.warnings.length === 0)).toBe(true);
  });
});
