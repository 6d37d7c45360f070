// The derived-results cache (issue 16) on both databases: it answers what a fresh computation from
// the stored items answers — verdicts, analysis and the exact snapshot hash — after every kind of
// write, and re-derives only the subjects an audited write touched.
import { generateDemoTrial } from '@msct/core/demo';
import {
  type Actor,
  createSite,
  createUser,
  listForms,
  listItems,
  loadTrialDataset,
  saveItems,
} from '@msct/store';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@msct/store/testing';
import { type BulkTrial, insertTrialInBulk } from '@msct/store/testing/bulk-trial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeStudy } from '../report/analyze-study.js';
import { DerivedStudyCache } from './derived-study.js';
import { subjectEndpoints } from './subject-endpoints.js';

const plan = generateDemoTrial({ seed: 2014 });

for (const dialect of TEST_DIALECTS)
  describe(`DerivedStudyCache (${dialect})`, () => {
    let t: TestDatabase;
    let trial: BulkTrial;
    let cache: DerivedStudyCache;
    let actor: Actor;

    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      trial = await insertTrialInBulk(t.db, plan, 2);
      cache = new DerivedStudyCache(t.db);
      actor = { id: trial.userId, name: 'bulk fixture' };
    }, 60_000);
    afterAll(async () => t?.drop());

    /** The cache's answer next to a fresh computation from the store. */
    async function compare(opts: { pseudonymise: boolean; siteIds?: string[] }) {
      const sel = await cache.select(trial.studyId, opts);
      const load = { pseudonymise: opts.pseudonymise, ...(opts.siteIds ? { siteIds: opts.siteIds } : {}) };
      const fresh = await loadTrialDataset(t.db, trial.studyId, load);
      expect(sel.snapshot.hash).toBe(fresh.snapshot.hash);
      const endpoints = await subjectEndpoints(t.db, trial.studyId, plan.study.definition, load);
      expect(endpoints.snapshot.hash).toBe(fresh.snapshot.hash);
      expect(
        sel.subjects.map((s) => [s.subjectCode, s.record.adjudication?.primary.label ?? null, s.problems]),
      ).toEqual(
        endpoints.subjects.map((s) => [s.subjectCode, s.adjudication?.primary.label ?? null, s.problems]),
      );
      const analysis = sel.analysis();
      const direct = await analyzeStudy(t.db, trial.studyId, load);
      expect({ ...analysis, snapshot: analysis.snapshot.hash }).toEqual({
        ...direct,
        snapshot: direct.snapshot.hash,
      });
      return { sel, analysis };
    }

    it('first computation derives every subject; the next is served from the cache', async () => {
      await compare({ pseudonymise: false });
      expect(cache.stats).toMatchObject({ rebuilds: 1, derived: 80 });
      const before = { ...cache.stats };
      const again = await cache.select(trial.studyId, { pseudonymise: false });
      expect(cache.stats.derived).toBe(before.derived);
      expect(cache.stats.hits).toBe(before.hits + 1);
      // Analysis results are kept too: the same object's content, with the new reading time.
      expect(again.analysis().listing).toBe(again.analysis().listing);
    });

    it('the pseudonymised and site-scoped views have their own exact snapshots', async () => {
      await compare({ pseudonymise: true });
      const site = (
        await t.db.kysely
          .selectFrom('sites')
          .select('id')
          .where('study_id', '=', trial.studyId)
          .orderBy('code')
          .executeTakeFirstOrThrow()
      ).id;
      const { sel } = await compare({ pseudonymise: false, siteIds: [site] });
      expect(sel.subjects.length).toBeGreaterThan(0);
      expect(sel.subjects.length).toBeLessThan(80);
    });

    it('an audited change to one item re-derives that subject only, and the results follow it', async () => {
      const before = await cache.select(trial.studyId, { pseudonymise: false });
      const code = trial.codeOf(1, 1);
      const subject = await t.db.kysely
        .selectFrom('subjects')
        .select('id')
        .where('subject_code', '=', code)
        .executeTakeFirstOrThrow();
      const d0 = await t.db.kysely
        .selectFrom('visits')
        .select('id')
        .where('subject_id', '=', subject.id)
        .where('visit_code', '=', 'D0')
        .executeTakeFirstOrThrow();
      const form = (await listForms(t.db, d0.id)).find((f) => f.form_code === 'sledai2k')!;
      const seizure = (await listItems(t.db, form.id)).find((i) => i.item_code === 'seizure')!;
      expect(seizure.value).toBe('0');
      const derived = cache.stats.derived;
      await saveItems(t.db, actor, {
        visitId: d0.id,
        formCode: 'sledai2k',
        items: [{ itemCode: 'seizure', value: '1', expectedVersion: seizure.version }],
        reason: 'source document check: seizure on the day of the baseline visit',
      });
      const { sel, analysis } = await compare({ pseudonymise: false });
      expect(cache.stats.derived).toBe(derived + 1);
      expect(sel.snapshot.hash).not.toBe(before.snapshot.hash);
      const row = (a: typeof analysis) => a.listing.find((r) => r.subject === code)!;
      expect(row(analysis).baselineSledai).toBe(row(before.analysis()).baselineSledai! + 8); // seizure weighs 8
    });

    it('a new user changes nothing derived; a new site rebuilds the view', async () => {
      const s0 = { ...cache.stats };
      await createUser(t.db, actor, { username: 'another.user', displayName: 'Another', passwordHash: 'x' });
      await compare({ pseudonymise: false });
      expect(cache.stats.derived).toBe(s0.derived);
      expect(cache.stats.rebuilds).toBe(s0.rebuilds);
      await createSite(t.db, actor, { studyId: trial.studyId, code: 'ZZ-NEW', name: 'A new centre' });
      const { analysis } = await compare({ pseudonymise: false });
      expect(cache.stats.rebuilds).toBe(s0.rebuilds + 1);
      expect(analysis.response.bySite.map((s) => s.group)).toContain('ZZ-NEW');
    });

    it('keeps views within its subject budget, least recently used dropped first', async () => {
      const small = new DerivedStudyCache(t.db, 100);
      await small.select(trial.studyId, { pseudonymise: false });
      await small.select(trial.studyId, { pseudonymise: true }); // 160 > 100: the identified view goes
      expect(small.stats.rebuilds).toBe(2);
      await small.select(trial.studyId, { pseudonymise: true });
      expect(small.stats).toMatchObject({ rebuilds: 2, hits: 1 });
      await small.select(trial.studyId, { pseudonymise: false });
      expect(small.stats.rebuilds).toBe(3);
    });
  });
