import { afterAll, expect, describe as suite, test } from 'vitest';
import { describe } from './descriptive.js';
import fixture from './fixtures/descriptive.json' with { type: 'json' };
import { expectClose, type RValue, worstReport } from './fixtures/expect-close.js';

interface Case {
  x: number[];
  expected: Record<string, RValue>;
}
const cases = fixture.cases as unknown as Case[];

suite('describe agrees with R (mean, sd, median, quantile type 7, IQR, range)', () => {
  afterAll(() => console.log(worstReport('descriptive')));
  test('fixture has at least 20 inputs', () => expect(cases.length).toBeGreaterThanOrEqual(20));
  test.each(cases.map((c, i) => [i, c] as const))('case %i', (i, c) => {
    const r = describe(c.x);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    for (const key of ['n', 'mean', 'sd', 'se', 'median', 'q1', 'q3', 'iqr', 'min', 'max'] as const) {
      expectClose('descriptive', `case ${i} ${key}`, r.value[key], c.expected[key], 1e-9, 1e-15);
    }
  });
  test('empty and non-finite input are typed errors', () => {
    expect(describe([])).toMatchObject({ ok: false, issue: { code: 'empty' } });
    expect(describe([1, Number.NaN])).toMatchObject({ ok: false, issue: { code: 'non-finite' } });
  });
});
