// Migration 007 and the definition versions it holds (issue #20, "Versions and amendments"), both
// dialects: existing studies get their definition as version 1 (who and when from the study's
// creation) and existing data is bound to it; an amendment stores the next version without touching
// the old one, reports the stored values it makes invalid, is audited with its reason (the audit
// verify follows it), refuses a stale study version, and new data records the new version while the
// old data keeps its own.
import { msctSleTrial, type StudyDefinition } from '@msct/core/protocol';
import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Actor,
  amendStudyDefinition,
  checkAmendment,
  createSite,
  createStudy,
  createSubject,
  createUser,
  createVisit,
  type Db,
  getDefinitionVersion,
  getStudy,
  listDefinitionVersions,
  StoreError,
  saveItems,
  verifyAuditChain,
  verifyAuditedData,
} from '../index.js';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing/databases.js';
import { migrationProvider } from './index.js';

const system: Actor = { id: null, name: 'system' };

/** The built-in trial with the C3 plausibility range narrowed to 0–3 g/L. */
function narrowedC3(): StudyDefinition {
  const d: StudyDefinition = JSON.parse(JSON.stringify(msctSleTrial));
  const labs = d.forms.find((f) => f.id === 'labs')!;
  labs.items = labs.items!.map((i) => (i.code === 'c3' ? { ...i, max: 3 } : i));
  return d;
}

for (const dialect of TEST_DIALECTS)
  describe(`migration 007-definition-versions and amendments on ${dialect}`, () => {
    let t: TestDatabase;
    let db: Db;
    let admin: Actor;
    let coord: Actor;
    let studyId: string;
    let subjectId: string;

    const versionsOf = async (table: 'visits' | 'form_instances' | 'item_values') =>
      (await db.kysely.selectFrom(table).select('definition_version').execute()).map((r) =>
        Number(r.definition_version),
      );

    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      db = t.db;
      const a = await createUser(db, system, { username: 'admin', displayName: 'A', passwordHash: 'x' });
      admin = { id: a.id, name: a.username };
      const c = await createUser(db, system, { username: 'coord', displayName: 'C', passwordHash: 'x' });
      coord = { id: c.id, name: c.username };
      studyId = (await createStudy(db, admin, { code: 'MSCT', title: 'MSCT', definition: msctSleTrial })).id;
      const site = await createSite(db, admin, { studyId, code: 'A', name: 'A' });
      subjectId = (await createSubject(db, coord, { studyId, siteId: site.id })).id;
      const m3 = await createVisit(db, coord, { subjectId, visitCode: 'M3', visitDate: '2024-04-10' });
      await saveItems(db, coord, {
        visitId: m3.id,
        formCode: 'labs',
        items: [
          { itemCode: 'c3', value: '4.5', unit: 'g/L' },
          { itemCode: 'c4', value: '0.2', unit: 'g/L' },
        ],
      });
      // Existing data as before 007: every later migration taken down to 006 (007's down drops, up backfills).
      const migrator = new Migrator({ db: db.kysely, provider: migrationProvider });
      expect((await migrator.migrateTo('006-definition-duplicate-visits')).error).toBeUndefined();
      const columns = (await db.kysely.introspection.getTables()).find(
        (x) => x.name === 'item_values',
      )!.columns;
      expect(columns.map((x) => x.name)).not.toContain('definition_version');
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
    });
    afterAll(() => t.drop());

    it('backfills: the current definition is version 1, by its creator, and existing data is bound to it', async () => {
      const s = await getStudy(db, studyId);
      expect(Number(s.definition_version)).toBe(1);
      const versions = await listDefinitionVersions(db, studyId);
      expect(versions).toEqual([
        expect.objectContaining({ version: 1, createdBy: admin.id, createdByName: 'admin', reason: null }),
      ]);
      expect(versions[0]!.createdAt).toBe(s.created_at);
      expect(await getDefinitionVersion(db, studyId, 1)).toBe(s.definition_json);
      expect(await versionsOf('visits')).toEqual([1]);
      expect(await versionsOf('form_instances')).toEqual([1]);
      expect(await versionsOf('item_values')).toEqual([1, 1]);
    });

    it('reports, without writing, the stored value a narrowed range makes invalid', async () => {
      const c = await checkAmendment(db, studyId, narrowedC3());
      expect([c.fromVersion, c.toVersion]).toEqual([1, 2]);
      expect(c.report.narrowed.map((x) => x.message)).toEqual(['item labs.c3: range 0–5 → 0–3 g/L']);
      expect(c.report.invalidValues).toEqual([
        expect.objectContaining({
          visitCode: 'M3',
          formCode: 'labs',
          itemCode: 'c3',
          value: '4.5',
          rule: 'value-out-of-range',
        }),
      ]);
      expect(c.report.valuesChecked).toBe(2);
      expect((await listDefinitionVersions(db, studyId)).length).toBe(1);
    });

    it('applies: version 2 stored with its reason, version 1 kept, values untouched, audited and verifiable', async () => {
      const before = await getStudy(db, studyId);
      await expect(
        amendStudyDefinition(db, admin, {
          studyId,
          definition: narrowedC3(),
          reason: 'stale',
          expectedVersion: Number(before.version) - 1,
        }),
      ).rejects.toMatchObject({ code: 'conflict' });
      await expect(
        amendStudyDefinition(db, admin, {
          studyId,
          definition: narrowedC3(),
          reason: ' ',
          expectedVersion: Number(before.version),
        }),
      ).rejects.toBeInstanceOf(StoreError);
      const r = await amendStudyDefinition(db, admin, {
        studyId,
        definition: narrowedC3(),
        reason: 'Amendment 1: C3 assay upper limit',
        expectedVersion: Number(before.version),
      });
      expect(r.toVersion).toBe(2);
      expect(r.report.invalidValuesTotal).toBe(1);
      const after = await getStudy(db, studyId);
      expect([Number(after.definition_version), Number(after.version)]).toEqual([
        2,
        Number(before.version) + 1,
      ]);
      expect(JSON.parse(after.definition_json)).toEqual(narrowedC3());
      expect(await getDefinitionVersion(db, studyId, 1)).toBe(before.definition_json);
      expect(
        (await listDefinitionVersions(db, studyId)).map((v) => [v.version, v.createdByName, v.reason]),
      ).toEqual([
        [1, 'admin', null],
        [2, 'admin', 'Amendment 1: C3 assay upper limit'],
      ]);
      const values = await db.kysely
        .selectFrom('item_values')
        .select(['item_code', 'value'])
        .orderBy('item_code')
        .execute();
      expect(values).toEqual([
        { item_code: 'c3', value: '4.5' },
        { item_code: 'c4', value: '0.2' },
      ]);
      const events = await db.kysely
        .selectFrom('audit_events')
        .select(['field', 'reason', 'actor_name', 'old_value', 'new_value'])
        .where('action', '=', 'study.definition.amend')
        .execute();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        field: 'definition',
        reason: 'Amendment 1: C3 assay upper limit',
        actor_name: 'admin',
      });
      expect(JSON.parse(events[0]!.new_value!)).toMatchObject({ definitionVersion: 2, invalidValues: 1 });
      expect(JSON.parse(events[0]!.old_value!)).toMatchObject({ definitionVersion: 1 });
      expect((await verifyAuditChain(db)).ok).toBe(true);
      const data = await verifyAuditedData(db);
      expect(data.findings).toEqual([]);
    });

    it('new data records version 2; a changed value is bound to the version it was changed under', async () => {
      const m6 = await createVisit(db, coord, { subjectId, visitCode: 'M6', visitDate: '2024-07-10' });
      expect(Number(m6.definition_version)).toBe(2);
      await saveItems(db, coord, {
        visitId: m6.id,
        formCode: 'labs',
        items: [{ itemCode: 'c3', value: '1.1', unit: 'g/L' }],
      });
      const m3 = await db.kysely
        .selectFrom('visits')
        .select('id')
        .where('visit_code', '=', 'M3')
        .executeTakeFirstOrThrow();
      await saveItems(db, coord, {
        visitId: m3.id,
        formCode: 'labs',
        reason: 'transcription error',
        items: [{ itemCode: 'c3', value: '2.5', unit: 'g/L', expectedVersion: 1 }],
      });
      const rows = await db.kysely
        .selectFrom('item_values')
        .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
        .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
        .select([
          'visits.visit_code',
          'item_values.item_code',
          'item_values.definition_version',
          'form_instances.definition_version as form_version',
        ])
        .orderBy('visits.visit_code')
        .orderBy('item_values.item_code')
        .execute();
      expect(
        rows.map((r) => [r.visit_code, r.item_code, Number(r.definition_version), Number(r.form_version)]),
      ).toEqual([
        ['M3', 'c3', 2, 1],
        ['M3', 'c4', 1, 1],
        ['M6', 'c3', 2, 2],
      ]);
    });
  });
