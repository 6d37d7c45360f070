import fc from 'fast-check';
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

suite('describe never returns NaN for finite input (issue #18 item 12)', () => {
  test('c(1e308, 1e308): mean 1e308, sd 0 (was NaN)', () => {
    const r = describe([1e308, 1e308]);
    expect(r.ok && [r.value.mean, r.value.sd, r.value.median, r.value.iqr]).toEqual([1e308, 0, 1e308, 0]);
  });

  test('property: every field finite (or sd/se null for n = 1), or a typed overflow when a true spread exceeds the largest double', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 60 }),
        (x) => {
          const r = describe(x);
          if (!r.ok) {
            expect(r.issue.code).toBe('overflow');
            // Only possible when the values span more than the largest double.
            expect(Math.max(...x) - Math.min(...x)).toBe(Number.POSITIVE_INFINITY);
            return;
          }
          for (const [k, v] of Object.entries(r.value)) {
            if ((k === 'sd' || k === 'se') && x.length === 1) expect(v).toBeNull();
            else expect(Number.isFinite(v), `${k} = ${v} for ${JSON.stringify(x)}`).toBe(true);
          }
          expect(r.value.mean).toBeGreaterThanOrEqual(r.value.min);
          expect(r.value.mean).toBeLessThanOrEqual(r.value.max);
        },
      ),
      { numRuns: 2000, seed: 18 },
    );
  });

  test('property: huge values of one sign keep mean, median and quartiles between min and max', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e307, max: Number.MAX_VALUE, noNaN: true }), {
          minLength: 2,
          maxLength: 30,
        }),
        (x) => {
          const r = describe(x);
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          for (const k of ['mean', 'median', 'q1', 'q3'] as const) {
            expect(r.value[k]).toBeGreaterThanOrEqual(r.value.min);
            expect(r.value[k]).toBeLessThanOrEqual(r.value.max);
          }
        },
      ),
      { numRuns: 500, seed: 12 },
    );
  });
});
