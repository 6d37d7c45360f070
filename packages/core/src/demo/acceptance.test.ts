// Issue 8 acceptance: generate the demo trial, then derive every patient through msct's own
// instruments (deriveSubject: items → SLEDAI-2K, classic BILAG, endpoint history) and endpoint rules
// (adjudicate), and compare with the publication (trial.md "Published results"; Table 1 rows 1–13
// from the committed copy fixtures/table1.json). Nothing is read from the generator's intent.
import { describe, expect, it } from 'vitest';
import { demoCohortSummary, demoDataset } from './dataset.js';
import table1 from './fixtures/table1.json' with { type: 'json' };
import { generateDemoTrial } from './generate.js';

const published = table1.rows.map((r) => ({
  patient: r.patient,
  sledai: r.baseline_sledai,
  bilag: r.baseline_bilag,
  outcome: r.outcome.replace('->R', ''),
  relapse: r.outcome.endsWith('->R'),
}));

function summaryFor(seed: number) {
  const plan = generateDemoTrial({ seed });
  return { plan, summary: demoCohortSummary(demoDataset(plan)) };
}

describe('demo trial reproduces the publication (derived, never copied)', () => {
  const { plan, summary } = summaryFor(2014);

  it('cohort: 40 enrolled, 37 alive at 12 months, 13 MCR, 11 PCR, 16 NR, 3 + 4 relapses among 24', () => {
    const { subjects, ...counts } = summary;
    expect(counts).toEqual({
      enrolled: 40,
      aliveAt12Months: 37,
      deaths: 3,
      mcr: 13,
      pcr: 11,
      nr: 16,
      responders: 24,
      relapsesAt9Months: 3,
      relapsesAt12Months: 4,
    });
    // Relapses only among responders (a relapse needs a prior response).
    for (const s of subjects) if (s.relapseMonth !== null) expect(['MCR', 'PCR']).toContain(s.outcome);
    // Deaths on the days of Table 2 (days 7, 192, 256), all non-responders by imputation.
    expect(subjects.flatMap((s) => (s.deathDay === null ? [] : [s.deathDay])).sort((a, b) => a - b)).toEqual([
      7, 192, 256,
    ]);
  });

  it('patients 1–13: baseline SLEDAI-2K and classic BILAG totals and outcome equal Table 1', () => {
    for (const row of published) {
      const s = summary.subjects[row.patient - 1]!;
      expect(plan.patients[row.patient - 1]!.number).toBe(row.patient);
      expect({ patient: row.patient, sledai: s.baselineSledai, bilag: s.baselineBilag }).toEqual({
        patient: row.patient,
        sledai: row.sledai,
        bilag: row.bilag,
      });
      expect({ patient: row.patient, outcome: s.outcome, relapse: s.relapseMonth !== null }).toEqual({
        patient: row.patient,
        outcome: row.outcome,
        relapse: row.relapse,
      });
    }
  });

  it('patients 14 and 27 die on days 256 and 192 (Table 2); patient 9 stays alive (conflict noted)', () => {
    expect(summary.subjects[13]!.deathDay).toBe(256);
    expect(summary.subjects[26]!.deathDay).toBe(192);
    expect(summary.subjects[8]!.deathDay).toBeNull();
    expect(plan.notes.some((n) => n.includes('conflict on patient 9'))).toBe(true);
  });

  it('derivation raises no problems (every assessment is scored)', () => {
    for (const s of summary.subjects)
      expect({ s: s.subjectCode, problems: s.problems }).toEqual({ s: s.subjectCode, problems: [] });
  });

  it('the totals hold for other seeds too', () => {
    for (const seed of [1, 7, 42, 2012, 123456]) {
      const { subjects, ...counts } = summaryFor(seed).summary;
      expect({ seed, ...counts }).toEqual({
        seed,
        enrolled: 40,
        aliveAt12Months: 37,
        deaths: 3,
        mcr: 13,
        pcr: 11,
        nr: 16,
        responders: 24,
        relapsesAt9Months: 3,
        relapsesAt12Months: 4,
      });
      for (const row of published) {
        const s = subjects[row.patient - 1]!;
        expect([seed, row.patient, s.baselineSledai, s.baselineBilag]).toEqual([
          seed,
          row.patient,
          row.sledai,
          row.bilag,
        ]);
      }
    }
  });
});
