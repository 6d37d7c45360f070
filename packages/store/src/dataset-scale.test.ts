// Issue 16: loading a trial larger than one load batch. 13 copies of the 40-patient demo plan are
// 520 subjects (> one 500-subject batch) and ~232 000 item rows (> the ~124 000 rows at which
// `items.push(...rows)` overflowed the call stack). Every subject is read back, derived and
// adjudicated, and must give the same verdict as the plan itself read in memory.
import { demoCohortSummary, demoDataset, generateDemoTrial } from '@msct/core/demo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrialDataset } from './dataset.js';
import { type BulkTrial, insertTrialInBulk } from './testing/bulk-trial.js';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from './testing/databases.js';

const REPLICAS = 13;

for (const dialect of TEST_DIALECTS)
  describe(`loadTrialDataset beyond one batch (${dialect})`, () => {
    let t: TestDatabase;
    let trial: BulkTrial;
    const plan = generateDemoTrial({ seed: 2014 });
    const expected = demoCohortSummary(demoDataset(plan));

    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      trial = await insertTrialInBulk(t.db, plan, REPLICAS);
    }, 120_000);
    afterAll(async () => t?.drop());

    it('loads every subject and item row and derives their endpoints', async () => {
      expect(trial.subjects).toBeGreaterThan(500);
      expect(trial.itemRows).toBeGreaterThan(130_000);
      const dataset = await loadTrialDataset(t.db, trial.studyId);
      expect(dataset.subjects).toHaveLength(trial.subjects);
      let items = 0;
      for (const s of dataset.subjects)
        for (const v of s.visits) for (const f of Object.values(v.items)) items += Object.keys(f).length;
      expect(items).toBe(trial.itemRows);

      const summary = demoCohortSummary(dataset);
      const { subjects: _s, ...counts } = summary;
      const { subjects: _e, ...one } = expected;
      expect(counts).toEqual(
        Object.fromEntries(Object.entries(one).map(([k, n]) => [k, (n as number) * REPLICAS])),
      );
      // Subject by subject: the verdict read back from the database is the plan's own.
      const byNumber = new Map(expected.subjects.map((s) => [Number(s.subjectId.replace('demo-', '')), s]));
      const byCode = new Map(summary.subjects.map((s) => [s.subjectCode, s]));
      for (let r = 0; r < REPLICAS; r++)
        for (const p of plan.patients) {
          const got = byCode.get(trial.codeOf(r, p.number));
          const want = byNumber.get(p.number)!;
          expect({ ...got, subjectId: '', subjectCode: '' }).toEqual({
            ...want,
            subjectId: '',
            subjectCode: '',
          });
        }
    }, 120_000);
  });
