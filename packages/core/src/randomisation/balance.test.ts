import { describe, expect, test } from 'vitest';
import { balanceReport } from './balance.js';

const arms = [
  { code: 'msct', ratio: 2 },
  { code: 'control', ratio: 1 },
];

describe('balanceReport', () => {
  test('counts and deviations from the 2:1 ratio, overall, by stratum and by factor level', () => {
    const r = balanceReport(arms, [
      { arm: 'msct', stratum: 's1', levels: { site: 'paris' } },
      { arm: 'msct', stratum: 's1', levels: { site: 'paris' } },
      { arm: 'control', stratum: 's1', levels: { site: 'paris' } },
      { arm: 'control', stratum: 's2', levels: { site: 'lyon' } },
    ]);
    expect(r).toEqual({
      ok: true,
      value: {
        overall: {
          group: 'overall',
          total: 4,
          counts: [
            { arm: 'msct', n: 2, deviation: 2 - 8 / 3 },
            { arm: 'control', n: 2, deviation: 2 - 4 / 3 },
          ],
          maxAbsDeviation: 2 - 4 / 3,
        },
        strata: [
          {
            group: 's1',
            total: 3,
            counts: [
              { arm: 'msct', n: 2, deviation: 0 },
              { arm: 'control', n: 1, deviation: 0 },
            ],
            maxAbsDeviation: 0,
          },
          {
            group: 's2',
            total: 1,
            counts: [
              { arm: 'msct', n: 0, deviation: -2 / 3 },
              { arm: 'control', n: 1, deviation: 1 - 1 / 3 },
            ],
            maxAbsDeviation: 1 - 1 / 3,
          },
        ],
        margins: [
          {
            group: 'site=lyon',
            total: 1,
            counts: [
              { arm: 'msct', n: 0, deviation: -2 / 3 },
              { arm: 'control', n: 1, deviation: 1 - 1 / 3 },
            ],
            maxAbsDeviation: 1 - 1 / 3,
          },
          {
            group: 'site=paris',
            total: 3,
            counts: [
              { arm: 'msct', n: 2, deviation: 0 },
              { arm: 'control', n: 1, deviation: 0 },
            ],
            maxAbsDeviation: 0,
          },
        ],
      },
    });
  });
  test('an arm that is not in the design is refused', () => {
    expect(balanceReport(arms, [{ arm: 'placebo' }])).toMatchObject({
      ok: false,
      issue: { code: 'invalid-argument' },
    });
  });
});
