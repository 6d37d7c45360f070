import { afterAll, describe, expect, test } from 'vitest';
import { expectClose, worstReport } from './fixtures/expect-close.js';
import fixture from './fixtures/two-arm-survival.json' with { type: 'json' };
import { compareArmsSurvival } from './two-arm-survival.js';

interface Case {
  time: number[];
  event: number[];
  arm: string[];
  logRank: {
    call: string;
    error?: string;
    observed: number[];
    expected: number[];
    chiSquare: number;
    pValue: number;
  };
  cox: {
    call: string;
    error?: string;
    coefficient: number;
    se: number;
    hazardRatio: number;
    lower: number;
    upper: number;
    pValue: number;
  };
}
const cases = fixture.cases as unknown as Case[];
const F = 'two-arm-survival';

describe('compareArmsSurvival agrees with R survdiff and coxph(~ arm, ties = "efron")', () => {
  afterAll(() => console.log(worstReport(F)));
  test('fixture has tied times, an all-censored refusal and trial-sized arms', () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
    expect(cases.some((c) => c.logRank.error !== undefined)).toBe(true);
    expect(cases.some((c) => c.time.length >= 300)).toBe(true);
  });
  test.each(cases.map((c, i) => [i, c] as const))('case %i', (i, c) => {
    const r = compareArmsSurvival(
      c.time,
      c.event.map((e) => e === 1),
      c.arm,
      { reference: 'control' },
    );
    if (c.logRank.error !== undefined || c.cox.error !== undefined) {
      expect(r.ok, `case ${i}: R gives ${c.logRank.error ?? c.cox.error}`).toBe(false);
      return;
    }
    expect(r.ok, r.ok ? '' : r.issue.message).toBe(true);
    if (!r.ok) return;
    const lr = r.value.logRank;
    expect(lr.groups.map((g) => g.group)).toEqual(['control', 'treatment']);
    lr.groups.forEach((g, j) => {
      expectClose(F, `case ${i} O[${j}]`, g.observed, c.logRank.observed[j]);
      expectClose(F, `case ${i} E[${j}]`, g.expected, c.logRank.expected[j]);
    });
    expectClose(F, `case ${i} ${c.logRank.call} chisq`, lr.chiSquare, c.logRank.chiSquare);
    expectClose(F, `case ${i} ${c.logRank.call} p`, lr.pValue, c.logRank.pValue, 1e-9, 1e-300);
    const cx = r.value.cox;
    expectClose(F, `case ${i} ${c.cox.call} coef`, cx.coefficient, c.cox.coefficient);
    expectClose(F, `case ${i} ${c.cox.call} se`, cx.se, c.cox.se);
    expectClose(F, `case ${i} ${c.cox.call} HR`, cx.hazardRatio, c.cox.hazardRatio);
    expectClose(F, `case ${i} ${c.cox.call} lower`, cx.lower, c.cox.lower);
    expectClose(F, `case ${i} ${c.cox.call} upper`, cx.upper, c.cox.upper);
    expectClose(F, `case ${i} ${c.cox.call} p`, cx.pValue, c.cox.pValue, 1e-9, 1e-300);
    expect(r.value.experimental).toBe('treatment');
  });
  test('the reference arm decides the direction of the hazard ratio', () => {
    const c = cases[0]!;
    const event = c.event.map((e) => e === 1);
    const a = compareArmsSurvival(c.time, event, c.arm, { reference: 'control' });
    const b = compareArmsSurvival(c.time, event, c.arm, { reference: 'treatment' });
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) expect(a.value.cox.hazardRatio * b.value.cox.hazardRatio).toBeCloseTo(1, 12);
  });
  test('refusals', () => {
    expect(
      compareArmsSurvival([1, 2, 3], [true, true, true], ['a', 'b', 'c'], { reference: 'a' }),
    ).toMatchObject({
      ok: false,
      issue: { code: 'invalid-argument' },
    });
    expect(compareArmsSurvival([1, 2], [true, true], ['a', 'b'], { reference: 'x' })).toMatchObject({
      ok: false,
      issue: { code: 'invalid-argument' },
    });
    expect(compareArmsSurvival([1, 2], [true, true], ['a'], { reference: 'a' })).toMatchObject({
      ok: false,
      issue: { code: 'length-mismatch' },
    });
  });
});
