// The analysis counts what endpoints.md Clarifications 3 and 4 decide, from item-level data: a
// relapse between a PCR and a later all-C month is counted at its visit and flagged for re-treatment,
// the re-response is listed with its month, and a death after a relapse makes the patient NR.
import { describe, expect, test } from 'vitest';
import { buildDataset } from '../testing/test-dataset.js';
import { analyzeTrial } from './analyze-trial.js';

const ALL_C = { renal: 'C', mucocutaneous: 'C' } as const;

describe('Clarifications 3 and 4 in the analysis (R3, R4, R12)', () => {
  const results = analyzeTrial(
    buildDataset([
      // PCR at 6 → relapse at 9 → all C at 12 (rule set 1.0.0 reported MCR at 12, no relapse).
      {
        code: 'P1',
        site: 'A',
        visits: {
          D0: { grades: { renal: 'A' } },
          M6: { grades: { renal: 'B' } },
          M9: { grades: { renal: 'A' } },
          M12: { grades: ALL_C },
        },
      },
      // MCR at 6, relapse at 9, death on day 300: NR (Clarification 4), no relapse counted.
      {
        code: 'P2',
        site: 'A',
        visits: { D0: { grades: { renal: 'A' } }, M6: { grades: ALL_C }, M9: { grades: { renal: 'A' } } },
        died: { day: 300, cause: 'Sepsis' },
      },
      // MCR maintained.
      {
        code: 'P3',
        site: 'A',
        visits: {
          D0: { grades: { renal: 'A' } },
          M6: { grades: ALL_C },
          M9: { grades: ALL_C },
          M12: { grades: ALL_C },
        },
      },
    ]),
  );

  test('best response: P1 PCR → relapse, P2 NR (death), P3 MCR', () => {
    expect(results.listing.map((p) => [p.subject, p.label, p.relapseVisit, p.reResponseMonth])).toEqual([
      ['P1', 'PCR → relapse', 'M9', 12],
      ['P2', 'NR', null, null],
      ['P3', 'MCR', null, null],
    ]);
    expect([
      results.response.overall.MCR.x,
      results.response.overall.PCR.x,
      results.response.overall.NR.x,
    ]).toEqual([1, 1, 1]);
  });

  test('the relapse is counted at M9 among the 2 responders and flagged for re-treatment', () => {
    expect(results.relapse.responders).toBe(2);
    expect(results.relapse.byVisit.find((v) => v.visit === 'M9')?.newRelapses).toBe(1);
    expect(results.relapse.retreatment.patients).toEqual([
      { subject: 'P1', visit: 'M9', studyDay: 273, rule: 'retreatment.relapse' },
    ]);
  });
});
