import { describe, expect, test } from 'vitest';
import { binomialTest } from '../stats/binomial-test.js';
import { balanceReport } from './balance.js';
import { chacha20Stream } from './chacha20.js';
import type { FactorLevels } from './design.js';
import {
  type MinimisationDesign,
  minimisationImbalance,
  minimise,
  minimiseAll,
  type RandomisedSubject,
} from './minimisation.js';
import { fromHex } from './sha256.js';

const SEED = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const design: MinimisationDesign = {
  arms: [
    { code: 'A', ratio: 1 },
    { code: 'B', ratio: 1 },
  ],
  factors: [
    { name: 'sex', levels: ['M', 'F'] },
    { name: 'age', levels: ['young', 'old'] },
  ],
  imbalance: 'range',
  probability: 1,
};
// Worked by hand (Pocock & Simon 1975, with two factors): the new subject is M, young.
// Among M: A has 2 (subjects 1, 3), B has 1 (subject 4). Among young: A has 1, B has 1.
const history: RandomisedSubject[] = [
  { levels: { sex: 'M', age: 'young' }, arm: 'A' },
  { levels: { sex: 'F', age: 'young' }, arm: 'B' },
  { levels: { sex: 'M', age: 'old' }, arm: 'A' },
  { levels: { sex: 'M', age: 'old' }, arm: 'B' },
];
const newcomer = { sex: 'M', age: 'young' };

describe('Pocock–Simon imbalance, worked by hand', () => {
  test('range: G_A = |3 − 1| + |2 − 1| = 3, G_B = |2 − 2| + |1 − 2| = 1', () => {
    expect(minimisationImbalance(design, history, newcomer)).toEqual([3, 1]);
  });
  test('variance: G_A = (3 − 1)²/2 + (2 − 1)²/2 = 2.5, G_B = 0 + ½ = 0.5', () => {
    expect(minimisationImbalance({ ...design, imbalance: 'variance' }, history, newcomer)).toEqual([
      2.5, 0.5,
    ]);
  });
  test('weights: age weighted 3 gives G_A = 2 + 3 = 5, G_B = 0 + 3 = 3', () => {
    const weighted = { ...design, factors: [design.factors[0]!, { ...design.factors[1]!, weight: 3 }] };
    expect(minimisationImbalance(weighted, history, newcomer)).toEqual([5, 3]);
  });
  test('ratio 2:1 scales counts by the ratio: G_A = |3/2 − 1| + |2/2 − 1| = 0.5, G_B = |1 − 2| + |½ − 2| = 2.5', () => {
    const unequal = {
      ...design,
      arms: [
        { code: 'A', ratio: 2 },
        { code: 'B', ratio: 1 },
      ],
    };
    expect(minimisationImbalance(unequal, history, newcomer)).toEqual([0.5, 2.5]);
  });
  test('p = 1 assigns the arm with the smaller G', () => {
    expect(minimise(design, SEED, history, newcomer)).toMatchObject({
      ok: true,
      value: { sequence: 5, arm: 'B', preferred: ['B'], overridden: false },
    });
  });
});

/** Subjects with random levels of three factors (site as one of them), from a fixed stream. */
function cohort(n: number): FactorLevels[] {
  const s = chacha20Stream(fromHex('cd'.repeat(32))!);
  const sites = ['paris', 'lyon', 'lille', 'nantes'];
  const classes = ['III', 'IV', 'V'];
  return Array.from({ length: n }, () => ({
    site: sites[s.uniformInt(4)]!,
    lnClass: classes[s.uniformInt(3)]!,
    sledaiBand: s.uniformInt(3) === 0 ? 'high' : 'low',
  }));
}
const trialDesign: MinimisationDesign = {
  arms: [
    { code: 'msct', ratio: 1 },
    { code: 'control', ratio: 1 },
  ],
  factors: [
    { name: 'site', levels: ['paris', 'lyon', 'lille', 'nantes'] },
    { name: 'lnClass', levels: ['III', 'IV', 'V'] },
    { name: 'sledaiBand', levels: ['low', 'high'] },
  ],
  imbalance: 'range',
  probability: 0.8,
};

describe('minimisation with a random element (p = 0.8), 2000 subjects', () => {
  const subjects = cohort(2000);
  const run = minimiseAll(trialDesign, SEED, subjects);
  if (!run.ok) throw new Error(run.issue.message);
  const decisions = run.value;

  test('pinned: the first 16 assignments for the fixed seed and cohort', () => {
    expect(
      decisions
        .slice(0, 16)
        .map((d) => (d.arm === 'msct' ? 'm' : 'c'))
        .join(''),
    ).toBe('mccmmccmmcmcccmm');
  });
  test('replay: minimiseAll makes the same decisions as minimise() with the growing history', () => {
    const history: RandomisedSubject[] = [];
    for (let i = 0; i < 60; i++) {
      const d = minimise(trialDesign, SEED, history, subjects[i]!);
      expect(d.ok).toBe(true);
      if (!d.ok) return;
      expect(d.value).toEqual(decisions[i]);
      history.push({ levels: subjects[i]!, arm: d.value.arm });
    }
  });
  test('the preferred arm is overridden with probability 1 − p (binomial test, fixed seed)', () => {
    const decisive = decisions.filter((d) => d.preferred.length === 1);
    const overridden = decisive.filter((d) => d.overridden).length;
    expect(decisive.length).toBe(1591);
    expect(overridden).toBe(305);
    const t = binomialTest(overridden, decisive.length, { p: 0.2 });
    expect(t.ok && t.value.pValue > 0.01).toBe(true);
  });
  test('every margin is balanced far better than the ±2√n·½ of simple randomisation', () => {
    const report = balanceReport(
      trialDesign.arms,
      decisions.map((d, i) => ({ arm: d.arm, levels: subjects[i]! })),
    );
    expect(report.ok).toBe(true);
    if (!report.ok) return;
    expect(report.value.margins.length).toBe(9);
    const worst = Math.max(...report.value.margins.map((m) => m.maxAbsDeviation));
    expect(worst).toBe(1);
    // Simple randomisation: |n_A − n/2| has SD √n/2 (≈ 11 for the 500 subjects of a site).
    expect(worst).toBeLessThanOrEqual(3);
  });
});

describe('ties and refusals', () => {
  test('ties are broken in proportion to the ratio: at a tie a 2:1 design chooses A about 2/3 of the time', () => {
    // Sex (M): A 2, B 1 → G contributions A |3/2 − 1| = ½, B |1 − 2| = 1; age (young): A 3, B 1 →
    // A |4/2 − 1| = 1, B |3/2 − 2| = ½: G_A = G_B = 1.5.
    const tied: RandomisedSubject[] = [
      { levels: { sex: 'M', age: 'young' }, arm: 'A' },
      { levels: { sex: 'M', age: 'young' }, arm: 'A' },
      { levels: { sex: 'M', age: 'old' }, arm: 'B' },
      { levels: { sex: 'F', age: 'young' }, arm: 'A' },
      { levels: { sex: 'F', age: 'young' }, arm: 'B' },
    ];
    const unequal: MinimisationDesign = {
      ...design,
      arms: [
        { code: 'A', ratio: 2 },
        { code: 'B', ratio: 1 },
      ],
      probability: 0.9,
    };
    let a = 0;
    for (let i = 0; i < 3000; i++) {
      const seed = i.toString(16).padStart(64, '0');
      const d = minimise(unequal, seed, tied, newcomer);
      expect(d.ok && d.value.preferred.length).toBe(2);
      if (d.ok && d.value.arm === 'A') a++;
    }
    expect(a).toBe(1985);
    const t = binomialTest(a, 3000, { p: 2 / 3 });
    expect(t.ok && t.value.pValue > 0.01).toBe(true);
  });
  test('bad designs and subjects are typed errors', () => {
    expect(minimise({ ...design, probability: 0.5 }, SEED, [], newcomer)).toMatchObject({
      ok: false,
      issue: { code: 'invalid-argument' },
    });
    expect(minimise({ ...design, imbalance: 'sd' as 'range' }, SEED, [], newcomer)).toMatchObject({
      ok: false,
      issue: { code: 'invalid-argument' },
    });
    expect(minimise(design, SEED, [], { sex: 'M', age: 'middle' })).toMatchObject({
      ok: false,
      issue: { code: 'unknown-stratum' },
    });
    expect(minimise(design, SEED, [], { sex: 'M' })).toMatchObject({
      ok: false,
      issue: { code: 'unknown-stratum' },
    });
    expect(minimise(design, SEED, [{ levels: newcomer, arm: 'C' }], newcomer)).toMatchObject({
      ok: false,
      issue: { code: 'invalid-argument' },
    });
    expect(minimise(design, 'zz', [], newcomer)).toMatchObject({
      ok: false,
      issue: { code: 'invalid-seed' },
    });
    expect(
      minimise({ ...design, factors: [{ name: 'sex', levels: ['M', 'F'], weight: 0 }] }, SEED, [], {
        sex: 'M',
      }),
    ).toMatchObject({ ok: false, issue: { code: 'invalid-factors' } });
  });
});
