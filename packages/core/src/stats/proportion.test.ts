import { afterAll, describe, expect, test } from 'vitest';
import { expectClose, worstReport } from './fixtures/expect-close.js';
import fixture from './fixtures/proportion.json' with { type: 'json' };
import { clopperPearsonInterval, wilsonInterval } from './proportion.js';

interface Case {
  x: number;
  n: number;
  clopperPearson: number[];
  clopperPearson90: number[];
  wilson: number[];
  wilsonCorrected: number[];
}
const cases = fixture.cases as unknown as Case[];

describe('proportion intervals agree with R binom.test / prop.test', () => {
  afterAll(() => console.log(worstReport('proportion')));
  test('fixture has at least 20 inputs', () => expect(cases.length).toBeGreaterThanOrEqual(20));
  test.each(cases.map((c) => [`${c.x}/${c.n}`, c] as const))('%s', (label, c) => {
    const checks = [
      ['clopper-pearson', clopperPearsonInterval(c.x, c.n), c.clopperPearson],
      ['clopper-pearson 90%', clopperPearsonInterval(c.x, c.n, 0.9), c.clopperPearson90],
      ['wilson', wilsonInterval(c.x, c.n), c.wilson],
      ['wilson corrected', wilsonInterval(c.x, c.n, { correct: true }), c.wilsonCorrected],
    ] as const;
    for (const [name, r, expected] of checks) {
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expectClose('proportion', `${label} ${name} lower`, r.value.lower, expected[0], 1e-9, 1e-15);
      expectClose('proportion', `${label} ${name} upper`, r.value.upper, expected[1], 1e-9, 1e-15);
    }
  });
  test('invalid counts are typed errors', () => {
    expect(clopperPearsonInterval(1, 0)).toMatchObject({ ok: false, issue: { code: 'too-few' } });
    expect(wilsonInterval(3, 2)).toMatchObject({ ok: false, issue: { code: 'invalid-argument' } });
    expect(clopperPearsonInterval(1, 2, 1)).toMatchObject({ ok: false, issue: { code: 'invalid-argument' } });
  });
});
