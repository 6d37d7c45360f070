// Issue 16: loading a trial larger than one load batch. 13 copies of the 40-patient demo plan are
// 520 subjects (> one 500-subject batch) and ~232 000 item rows (> the ~124 000 rows at which
// `items.push(...rows)` overflowed the call stack). Every subject is read back, derived and
// adjudicated, and must give the same verdict as the plan itself read in memory.
import { demoCohortSummary, demoDataset, generateDemoTrial } from '@msct/core/demo';
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadTrialDataset,
  READER_MIN_PAGES,
  SUBJECT_PAGE,
  streamTrialSubjects,
  subjectDataHash,
  visitItemsQuery,
} from './dataset.js';
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

    it('pages read ahead (a worker thread on SQLite, overlapping queries on PostgreSQL) give what one page read at once gives', async () => {
      expect(Math.ceil(trial.subjects / SUBJECT_PAGE)).toBeGreaterThan(READER_MIN_PAGES);
      const read = async (pageSize: number) => {
        const subjects = [];
        for await (const s of streamTrialSubjects(t.db, trial.studyId, { pageSize })) subjects.push(s);
        return subjects;
      };
      const paged = await read(SUBJECT_PAGE);
      const whole = await read(trial.subjects);
      expect(paged).toHaveLength(trial.subjects);
      expect(paged.map(subjectDataHash)).toEqual(whole.map(subjectDataHash));
      expect(paged).toEqual(whole);
      // A caller that stops early leaves no worker or query behind (the next read still works).
      let n = 0;
      for await (const _ of streamTrialSubjects(t.db, trial.studyId)) if (++n === 3 * SUBJECT_PAGE) break;
      expect((await read(SUBJECT_PAGE)).length).toBe(trial.subjects);
    }, 120_000);

    it('the visit and item query of a page of subjects finds visits, forms and items by index, not by scanning', async () => {
      const ids = (
        await t.db.kysely
          .selectFrom('subjects')
          .select('id')
          .where('study_id', '=', trial.studyId)
          .orderBy('subject_code')
          .limit(dialect === 'sqlite' ? SUBJECT_PAGE : 20)
          .execute()
      ).map((r) => r.id);
      const q = visitItemsQuery(t.db, ids).compile();
      if (dialect === 'sqlite') {
        const plan = t.db
          .sqlite!.prepare(`explain query plan ${q.sql}`)
          .all(...(q.parameters as unknown[])) as {
          detail: string;
        }[];
        const text = plan.map((p) => p.detail).join('\n');
        expect(text).toMatch(/SEARCH visits USING INDEX/);
        expect(text).toMatch(/SEARCH fi USING (COVERING )?INDEX/);
        expect(text).toMatch(/SEARCH iv USING INDEX/);
        expect(text).not.toMatch(/SCAN (visits|fi|iv|x)\b/);
      } else {
        await sql`analyze`.execute(t.db.kysely);
        const res = await t.db.kysely.executeQuery<{ 'QUERY PLAN': string }>(
          CompiledQuery.raw(`explain ${q.sql}`, [...q.parameters]),
        );
        const text = res.rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(text).toMatch(/Index Scan using form_instances_visit_form on form_instances/);
        expect(text).toMatch(/Index (Only )?Scan using item_values_form_item on item_values/);
        expect(text).not.toMatch(/Seq Scan on (visits|form_instances|item_values)/);
      }
    });
  });
