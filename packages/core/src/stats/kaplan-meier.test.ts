import { afterAll, describe, expect, test } from 'vitest';
import { expectClose, type RValue, worstReport } from './fixtures/expect-close.js';
import fixture from './fixtures/kaplan-meier.json' with { type: 'json' };
import { kaplanMeier, type SurvivalConfType, survivalAt } from './kaplan-meier.js';

type Curve = Record<
  'time' | 'nRisk' | 'nEvent' | 'nCensor' | 'survival' | 'stdErr' | 'lower' | 'upper',
  RValue[]
>;
interface Fit extends Curve {
  median: Record<'estimate' | 'lower' | 'upper', RValue>;
  at: Curve;
}
type Case = { time: number[]; event: number[] } & Record<SurvivalConfType, Fit>;
const cases = fixture.cases as unknown as Case[];
const confTypes: SurvivalConfType[] = ['log-log', 'log', 'plain'];
const columns = ['time', 'nRisk', 'nEvent', 'nCensor', 'survival', 'stdErr', 'lower', 'upper'] as const;

describe('kaplanMeier agrees with R survfit (Greenwood, log-log/log/plain CIs, median, risk table)', () => {
  afterAll(() => console.log(worstReport('kaplan-meier')));
  test('fixture has at least 20 inputs', () => expect(cases.length).toBeGreaterThanOrEqual(20));
  test.each(cases.map((c, i) => [i, c] as const))('case %i', (i, c) => {
    const event = c.event.map((e) => e === 1);
    for (const confType of confTypes) {
      const r = kaplanMeier(c.time, event, { confType });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const fit = r.value;
      const expected = c[confType];
      for (const col of columns) {
        expect(fit[col].length, `case ${i} ${confType} ${col} length`).toBe(expected[col].length);
        fit[col].forEach((v, j) => {
          expectClose('kaplan-meier', `case ${i} ${confType} ${col}[${j}]`, v, expected[col][j], 1e-9, 1e-15);
        });
      }
      for (const key of ['estimate', 'lower', 'upper'] as const) {
        expectClose(
          'kaplan-meier',
          `case ${i} ${confType} median ${key}`,
          fit.median[key],
          expected.median[key],
        );
      }
      const at = survivalAt(fit, expected.at.time as number[]);
      expect(at.ok).toBe(true);
      if (!at.ok) return;
      for (const col of columns) {
        at.value.forEach((row, j) => {
          expectClose(
            'kaplan-meier',
            `case ${i} ${confType} at ${col}[${j}]`,
            row[col],
            expected.at[col][j],
            1e-9,
            1e-15,
          );
        });
      }
    }
  });
  test('invalid input is a typed error', () => {
    expect(kaplanMeier([], [])).toMatchObject({ ok: false, issue: { code: 'empty' } });
    expect(kaplanMeier([1, 2], [true])).toMatchObject({ ok: false, issue: { code: 'length-mismatch' } });
    expect(kaplanMeier([1, Number.NaN], [true, false])).toMatchObject({
      ok: false,
      issue: { code: 'non-finite' },
    });
  });
});
