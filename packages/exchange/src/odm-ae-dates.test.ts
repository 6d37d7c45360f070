// ODM import checks AE dates against the subject's stored dates like the API (issue #18 item 8):
// a problem 'date-implausible' on the AE's own ItemData, nothing written.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSubjectRecord } from '@msct/store';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOdm } from './odm-import.js';
import { createTestStudy, databaseFingerprint, exportToFile, type TestStudy } from './testing/test-study.js';

for (const dialect of TEST_DIALECTS)
  describe(`ODM import of AE dates on ${dialect}`, () => {
    let t: TestDatabase;
    let study: TestStudy;
    let dir: string;
    let xml: string;
    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      study = await createTestStudy(t.db);
      dir = mkdtempSync(join(tmpdir(), 'msct-odm-ae-'));
      const subject = await t.db.kysely
        .selectFrom('subjects')
        .select('id')
        .where('subject_code', '=', study.subjectCodes[0]!)
        .executeTakeFirstOrThrow();
      await createSubjectRecord(t.db, study.actor, 'adverse_events', subject.id, {
        term: 'Headache',
        onset_date: '2024-02-01',
        resolution_date: null,
        ctcae_grade: 1,
        serious: 0,
        seriousness_json: '[]',
        relatedness: 'not_related',
        action_taken: null,
        outcome: null,
        infusion_id: null,
        death_date: null,
        death_cause: null,
      } as Parameters<typeof createSubjectRecord<'adverse_events'>>[4]);
      const file = join(dir, 'with-ae.xml');
      await exportToFile(t, study.studyId, file);
      xml = readFileSync(file, 'utf8');
    });
    afterAll(async () => {
      await t.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    const withOnset = (onset: string) =>
      xml.replace(/(ItemOID="[^"]*ONSET_DATE" Value=")2024-02-01"/, `$1${onset}"`);

    it.each([
      ['in the future', '2030-01-01', 'not_in_future'],
      ['after the last contact (completed 2025-01-09)', '2025-06-01', 'after_last_contact'],
      ['before the first study date', '2023-01-01', 'before_first_study_date'],
    ])(
      'an onset %s is refused as date-implausible on its ItemData; nothing written',
      async (_n, onset, rule) => {
        const file = withOnset(onset);
        expect(file).not.toBe(xml);
        const before = await databaseFingerprint(t.db);
        const r = await importOdm(t.db, study.studyId, file, { actor: study.actor });
        expect(r.written).toBe(false);
        const p = r.problems.filter((x) => x.rule === 'date-implausible');
        expect(p).toHaveLength(1);
        expect(p[0]!.column).toContain('ONSET_DATE');
        expect(p[0]!.message).toContain(`(${rule})`);
        expect(await databaseFingerprint(t.db)).toBe(before);
      },
    );

    it('the exported file itself (plausible dates) imports without a date problem', async () => {
      const r = await importOdm(t.db, study.studyId, xml, { actor: study.actor, dryRun: true });
      expect(r.problems.filter((x) => x.rule === 'date-implausible')).toEqual([]);
    });
  });
