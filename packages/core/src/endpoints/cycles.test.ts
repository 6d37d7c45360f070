import { describe, expect, test } from 'vitest';
import { history } from '../testing/test-histories.js';
import { adjudicate } from './adjudicate.js';

describe('re-treatment cycles', () => {
  test('MCR → relapse at 9 in cycle 1, re-treated on day 300, MCR in cycle 2 from its own day 0', () => {
    const a = adjudicate(
      history({
        baseline: 'ren:A',
        visits: { M6: 'ren:C', M9: 'ren:A' },
        cycles: [
          {
            cycle: 2,
            day0: 300,
            baseline: 'ren:A',
            visits: { M3: 'ren:B', M6: 'ren:C', M9: 'ren:C', M12: 'ren:C' },
          },
        ],
      }),
    );
    expect(a.cycles.map((c) => [c.cycle, c.label])).toEqual([
      [1, 'MCR → relapse'],
      [2, 'MCR'],
    ]);
    expect(a.primary).toBe(a.cycles[0]);
    expect(a.primary.retreatment.flagged).toBe(true);
    // Cycle 2's response is dated in study days (300 + 182) but counted from its own day 0.
    expect(a.cycles[1]?.response).toMatchObject({ visitCode: 'M6', studyDay: 482, month: 6 });
  });

  test('cycle 2 new A/B are judged against cycle 2 baseline', () => {
    const a = adjudicate(
      history({
        baseline: 'ren:A',
        visits: { M6: 'ren:C', M9: 'ren:C', M12: 'ren:C' },
        cycles: [
          {
            cycle: 2,
            day0: 400,
            baseline: 'ren:C hae:A',
            visits: { M6: 'ren:B hae:C', M9: 'ren:B hae:C', M12: 'ren:B hae:C' },
          },
        ],
      }),
    );
    // Cycle 2: renal C at its baseline → B is one new B (no flare) → PCR route 2, not MCR.
    expect(a.cycles[1]).toMatchObject({ outcome: 'PCR', pcrRoutes: [2] });
  });

  test('cycle-1 assessments after cycle 2 starts are ignored and reported', () => {
    const h = history({ baseline: 'ren:A', visits: { M6: 'ren:C', M9: 'ren:C' } });
    h.cycles = [{ cycle: 2, day0StudyDay: 300, baseline: { ...h.baseline, studyDay: 300, visitCode: 'D0' } }];
    h.assessments = [
      ...h.assessments,
      { visitCode: 'M12', studyDay: 365, date: '2024-12-31', grades: h.baseline.grades, cycle: 1 },
    ];
    const a = adjudicate(h);
    expect(a.primary.imputation?.reason).toBe('retreated');
    expect(a.dataIssues.map((d) => d.text)).toEqual([
      'M12 (day 365) ignored: after cycle 2 started (day 300).',
    ]);
  });

  test('assessments dated after death are ignored as data errors', () => {
    const a = adjudicate(history({ baseline: 'ren:A', visits: { M3: 'ren:B', M6: 'ren:C' }, deathDay: 150 }));
    expect(a.primary.imputation?.reason).toBe('death');
    expect(a.dataIssues[0]).toMatchObject({ rule: 'data.ignored-assessment', visitCode: 'M6' });
    expect(a.death).toMatchObject({ studyDay: 150 });
  });
});
