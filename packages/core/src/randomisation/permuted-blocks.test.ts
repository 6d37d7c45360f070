import { describe, expect, test } from 'vitest';
import { balanceReport } from './balance.js';
import { chacha20Stream } from './chacha20.js';
import {
  type AllocationList,
  generateAllocationList,
  nextAllocation,
  type PermutedBlockDesign,
  strataOf,
  stratumOf,
} from './permuted-blocks.js';
import { fromHex } from './sha256.js';

const SEED = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const OTHER_SEED = 'f'.repeat(64);
const oneToOne: PermutedBlockDesign = {
  arms: [
    { code: 'msct', ratio: 1 },
    { code: 'control', ratio: 1 },
  ],
  blockSizes: [2, 4, 6],
  sites: ['paris', 'lyon'],
  factors: [{ name: 'lnClass', levels: ['III', 'IV'] }],
};
const twoToOne: PermutedBlockDesign = {
  arms: [
    { code: 'msct', ratio: 2 },
    { code: 'control', ratio: 1 },
  ],
  blockSizes: [3, 6, 9],
  sites: ['paris', 'lyon', 'lille'],
  factors: [
    { name: 'lnClass', levels: ['III', 'IV', 'V'] },
    { name: 'sledaiBand', levels: ['below10', '10orMore'] },
  ],
};

function listOf(design: PermutedBlockDesign, seed: string, perStratum: number): AllocationList {
  const r = generateAllocationList(design, seed, { perStratum });
  if (!r.ok) throw new Error(r.issue.message);
  return r.value;
}

/** Largest |n_i − n·r_i/T| that a permuted block design allows at any point (balance.ts). */
function bound(design: PermutedBlockDesign, armIndex: number): number {
  const t = design.arms.reduce((s, a) => s + a.ratio, 0);
  const r = design.arms[armIndex]!.ratio;
  return (Math.max(...design.blockSizes) * r * (t - r)) / t ** 2;
}

describe('allocation list from a recorded seed', () => {
  test('pinned: the seed commitment and the first blocks of each stratum for a fixed seed', () => {
    const list = listOf(oneToOne, SEED, 12);
    // SHA-256 of the seed bytes 00 01 … 1f (GNU coreutils sha256sum gives the same).
    expect(list.seedCommitment).toBe(
      'sha256:630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd',
    );
    const compact = list.strata.map((s) => [
      s.stratum.id,
      s.entries.map((e) => `${e.arm[0]}${e.blockSize}`).join(' '),
    ]);
    expect(compact).toEqual([
      ['site=paris;lnClass=III', 'c2 m2 c2 m2 c6 m6 c6 c6 m6 m6 c2 m2'],
      ['site=paris;lnClass=IV', 'm6 m6 c6 m6 c6 c6 m6 m6 m6 c6 c6 c6'],
      ['site=lyon;lnClass=III', 'c4 m4 c4 m4 m6 m6 c6 m6 c6 c6 m6 c6 m6 c6 c6 m6'],
      ['site=lyon;lnClass=IV', 'c4 c4 m4 m4 m2 c2 m2 c2 m6 m6 c6 c6 m6 c6'],
    ]);
  });
  test('the same seed gives the same list; another seed a different one', () => {
    expect(listOf(twoToOne, SEED, 40)).toEqual(listOf(twoToOne, SEED, 40));
    expect(listOf(twoToOne, OTHER_SEED, 40).strata.map((s) => s.entries.map((e) => e.arm))).not.toEqual(
      listOf(twoToOne, SEED, 40).strata.map((s) => s.entries.map((e) => e.arm)),
    );
  });
  test('a stratum list does not depend on the other strata (adding a site changes nothing)', () => {
    const more = { ...oneToOne, sites: ['paris', 'lyon', 'marseille'] };
    const a = listOf(oneToOne, SEED, 30).strata;
    const b = listOf(more, SEED, 30).strata;
    for (const s of a) expect(b.find((x) => x.stratum.id === s.stratum.id)!.entries).toEqual(s.entries);
  });
  test.each([
    ['1:1', oneToOne],
    ['2:1', twoToOne],
  ] as const)(
    '%s: every completed block holds each arm exactly in the ratio; sizes are the allowed ones',
    (_, design) => {
      const list = listOf(design, SEED, 200);
      const t = design.arms.reduce((s, a) => s + a.ratio, 0);
      expect(list.strata.length).toBe(strataOf(design).length);
      for (const s of list.strata) {
        expect(s.entries.length).toBeGreaterThanOrEqual(200);
        const blocks = new Map<number, string[]>();
        for (const e of s.entries) blocks.set(e.block, [...(blocks.get(e.block) ?? []), e.arm]);
        const sizes = new Set<number>();
        for (const [b, arms] of blocks) {
          const size = s.entries.find((e) => e.block === b)!.blockSize;
          sizes.add(size);
          expect(arms.length).toBe(size);
          for (const arm of design.arms)
            expect(arms.filter((a) => a === arm.code).length).toBe((size / t) * arm.ratio);
        }
        for (const size of sizes) expect(design.blockSizes).toContain(size);
        s.entries.forEach((e, i) => {
          expect(e.sequence).toBe(i + 1);
        });
      }
    },
  );
  test('block sizes are mixed: each allowed size is drawn about equally often', () => {
    const list = listOf(twoToOne, SEED, 600);
    const counts = new Map<number, number>();
    for (const s of list.strata)
      for (const e of s.entries)
        if (e.positionInBlock === 1) counts.set(e.blockSize, (counts.get(e.blockSize) ?? 0) + 1);
    const n = [...counts.values()].reduce((a, b) => a + b, 0);
    for (const size of twoToOne.blockSizes)
      expect(Math.abs(counts.get(size)! / n - 1 / 3)).toBeLessThan(0.05);
  });
});

describe('simulation (issue 24 acceptance): 10 000 allocations stay within the block bound in every stratum', () => {
  test.each([
    ['1:1', oneToOne],
    ['2:1', twoToOne],
  ] as const)('%s', (_, design) => {
    const list = listOf(design, SEED, 10_000);
    const strata = strataOf(design);
    const draws = chacha20Stream(fromHex('ab'.repeat(32))!); // which stratum each subject falls in
    const used = new Map<string, number>();
    const counts = new Map<string, number[]>();
    const worst = design.arms.map(() => 0);
    const assigned: { arm: string; stratum: string }[] = [];
    for (let i = 0; i < 10_000; i++) {
      const stratum = strata[draws.uniformInt(strata.length)]!;
      const n = used.get(stratum.id) ?? 0;
      const entry = nextAllocation(list, stratum.id, n);
      expect(entry.ok).toBe(true);
      if (!entry.ok) return;
      used.set(stratum.id, n + 1);
      const c = counts.get(stratum.id) ?? design.arms.map(() => 0);
      c[design.arms.findIndex((a) => a.code === entry.value.arm)]!++;
      counts.set(stratum.id, c);
      assigned.push({ arm: entry.value.arm, stratum: stratum.id });
      const total = n + 1;
      const t = design.arms.reduce((s, a) => s + a.ratio, 0);
      design.arms.forEach((a, k) => {
        const dev = Math.abs(c[k]! - (total * a.ratio) / t);
        worst[k] = Math.max(worst[k]!, dev);
        expect(dev).toBeLessThanOrEqual(bound(design, k) + 1e-9);
        if (entry.value.positionInBlock === entry.value.blockSize) expect(dev).toBeLessThan(1e-9);
      });
    }
    // The bound is reached (the check above is not vacuous).
    design.arms.forEach((_, k) => {
      expect(worst[k]).toBeCloseTo(bound(design, k), 9);
    });
    const report = balanceReport(design.arms, assigned);
    expect(report.ok).toBe(true);
    if (!report.ok) return;
    expect(report.value.overall.total).toBe(10_000);
    expect(report.value.strata.length).toBe(strata.length);
    for (const row of report.value.strata)
      expect(row.maxAbsDeviation).toBeLessThanOrEqual(bound(design, 0) + 1e-9);
  });
});

describe('refusals', () => {
  test('designs that cannot randomise say why', () => {
    const cases: [Partial<PermutedBlockDesign>, string][] = [
      [{ blockSizes: [4, 5] }, 'invalid-block-sizes'],
      [{ blockSizes: [] }, 'invalid-block-sizes'],
      [{ blockSizes: [2, 2] }, 'invalid-block-sizes'],
      [{ arms: [{ code: 'a', ratio: 1 }] }, 'invalid-arms'],
      [
        {
          arms: [
            { code: 'a', ratio: 1.5 },
            { code: 'b', ratio: 1 },
          ],
        },
        'invalid-arms',
      ],
      [{ factors: [{ name: 'x', levels: [] }] }, 'invalid-factors'],
      [{ factors: [{ name: 'x', levels: ['a;b'] }] }, 'invalid-factors'],
      [{ sites: ['paris', 'paris'] }, 'invalid-factors'],
    ];
    for (const [change, code] of cases)
      expect(generateAllocationList({ ...oneToOne, ...change }, SEED, { perStratum: 4 })).toMatchObject({
        ok: false,
        issue: { code },
      });
    expect(generateAllocationList(oneToOne, 'abc', { perStratum: 4 })).toMatchObject({
      ok: false,
      issue: { code: 'invalid-seed' },
    });
    expect(generateAllocationList(oneToOne, SEED, { perStratum: 0 })).toMatchObject({
      ok: false,
      issue: { code: 'invalid-argument' },
    });
  });
  test('stratumOf names the unknown site or level; nextAllocation refuses an exhausted list', () => {
    expect(stratumOf(oneToOne, { site: 'paris', levels: { lnClass: 'IV' } })).toMatchObject({
      ok: true,
      value: { id: 'site=paris;lnClass=IV' },
    });
    expect(stratumOf(oneToOne, { site: 'nice', levels: { lnClass: 'IV' } })).toMatchObject({
      ok: false,
      issue: { code: 'unknown-stratum' },
    });
    const r = stratumOf(oneToOne, { site: 'paris', levels: { lnClass: 'II' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issue.message).toContain("no level 'II'");
    const list = listOf(oneToOne, SEED, 2);
    const id = list.strata[0]!.stratum.id;
    const n = list.strata[0]!.entries.length;
    expect(nextAllocation(list, id, n - 1).ok).toBe(true);
    expect(nextAllocation(list, id, n)).toMatchObject({ ok: false, issue: { code: 'list-exhausted' } });
    expect(nextAllocation(list, 'site=x', 0)).toMatchObject({
      ok: false,
      issue: { code: 'unknown-stratum' },
    });
  });
  test('an unstratified design has the single stratum "all"', () => {
    expect(strataOf({ ...oneToOne, sites: [], factors: [] }).map((s) => s.id)).toEqual(['all']);
  });
});
