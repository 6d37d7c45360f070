// Migration 024 and the records of a repeating form (issues #20, #23), both dialects: existing forms
// become record 1 with their values, reviews and foreign keys intact; a repeating form takes records
// 1, 2, … at one visit, any other form only record 1 (`form-not-repeating`); each record's creation is
// audited with its number and the audit verification replays it (and finds a record number changed
// around the trail); the migration's down refuses while a visit holds a second record.
import { msctSleTrial, type StudyDefinition } from '@msct/core/protocol';
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Actor,
  createSite,
  createStudy,
  createSubject,
  createUser,
  createVisit,
  type Db,
  EntryRefusalError,
  saveItems,
  verifyAuditChain,
  verifyAuditedData,
} from '../index.js';
import { migrateToLatest } from '../migrate.js';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing/databases.js';
import { migrationProvider } from './index.js';

const system: Actor = { id: null, name: 'system' };

/** The built-in trial with a repeating concomitant-medication form at M3. */
export function withConmed(): StudyDefinition {
  const d: StudyDefinition = JSON.parse(JSON.stringify(msctSleTrial));
  d.forms.push({
    id: 'conmed',
    title: 'Concomitant medication',
    visitCodes: ['M3'],
    repeating: true,
    items: [
      { code: 'drug', label: 'Drug', type: 'text', required: true },
      { code: 'dose_mg', label: 'Dose', type: 'decimal', units: ['mg'] },
    ],
  });
  return d;
}

for (const dialect of TEST_DIALECTS)
  describe(`migration 024-repeating-form-records on ${dialect}`, () => {
    let t: TestDatabase;
    let db: Db;
    let coord: Actor;
    let visitId: string;
    let subjectId: string;
    let labsFormId: string;
    const migrator = () => new Migrator({ db: db.kysely, provider: migrationProvider });
    /** SQLite: where each child table's b-tree starts (a rebuilt table starts elsewhere). */
    const childRootPages = async () =>
      (
        await sql<{ name: string; rootpage: number }>`select name, rootpage from sqlite_master
          where name in ('item_values', 'form_reviews', 'item_verifications') order by name`.execute(
          db.kysely,
        )
      ).rows;
    let childPagesBefore: { name: string; rootpage: number }[] = [];

    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      db = t.db;
      const c = await createUser(db, system, { username: 'coord', displayName: 'C', passwordHash: 'x' });
      coord = { id: c.id, name: c.username };
      const studyId = (
        await createStudy(db, system, { code: 'MSCT', title: 'MSCT', definition: withConmed() })
      ).id;
      const site = await createSite(db, system, { studyId, code: 'A', name: 'A' });
      subjectId = (await createSubject(db, coord, { studyId, siteId: site.id })).id;
      visitId = (await createVisit(db, coord, { subjectId, visitCode: 'M3', visitDate: '2024-04-10' })).id;
      const saved = await saveItems(db, coord, {
        visitId,
        formCode: 'labs',
        items: [{ itemCode: 'c3', value: '0.9', unit: 'g/L' }],
      });
      labsFormId = saved.form.id;
      await saveItems(db, coord, {
        visitId,
        formCode: 'conmed',
        items: [{ itemCode: 'drug', value: 'HCQ' }],
      });
      // The data as before 024: taken down to 023 (no record column), then up again.
      expect((await migrator().migrateTo('023-attachments')).error).toBeUndefined();
      const columns = (await db.kysely.introspection.getTables()).find(
        (x) => x.name === 'form_instances',
      )!.columns;
      expect(columns.map((x) => x.name)).not.toContain('record');
      // Up as `msct migrate` runs it (SQLite: foreign keys off, only form_instances rebuilt).
      if (dialect === 'sqlite') childPagesBefore = await childRootPages();
      expect((await migrateToLatest(db)).error).toBeUndefined();
    });
    afterAll(() => t.drop());

    const keepsEverything = async () => {
      const forms = await db.kysely
        .selectFrom('form_instances')
        .select(['form_code', 'record'])
        .orderBy('form_code')
        .execute();
      expect(forms.map((f) => [f.form_code, Number(f.record)])).toEqual([
        ['conmed', 1],
        ['labs', 1],
      ]);
      const values = await db.kysely
        .selectFrom('item_values')
        .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
        .select(['form_instances.form_code', 'item_values.item_code', 'item_values.value'])
        .orderBy('item_values.item_code')
        .execute();
      expect(values).toEqual([
        { form_code: 'labs', item_code: 'c3', value: '0.9' },
        { form_code: 'conmed', item_code: 'drug', value: 'HCQ' },
      ]);
      if (dialect === 'sqlite') {
        for (const child of ['item_values', 'form_reviews', 'item_verifications']) {
          const fks = (
            await sql<{ table: string }>`select "table" from pragma_foreign_key_list(${child})`.execute(
              db.kysely,
            )
          ).rows.map((r) => r.table);
          expect(fks).toContain('form_instances');
        }
        expect((await sql`pragma foreign_key_check`.execute(db.kysely)).rows).toEqual([]);
      }
      // A value of a form that does not exist is refused by the foreign key.
      await expect(
        db.kysely
          .insertInto('item_values')
          .values({
            id: 'orphan',
            form_instance_id: 'no-such-form',
            item_code: 'x',
            value: '1',
            unit: null,
            updated_at: '2024-01-01',
            updated_by: coord.id!,
            version: 1,
            definition_version: 1,
            missing_code: null,
          })
          .execute(),
      ).rejects.toThrow(/foreign key/i);
      // One record per (visit, form, record).
      await expect(
        db.kysely
          .insertInto('form_instances')
          .values({
            id: 'dup',
            visit_id: visitId,
            subject_id: subjectId,
            form_code: 'labs',
            status: 'incomplete',
            signed_by: null,
            signed_at: null,
            signature_meaning: null,
            created_at: '2024-01-01',
            version: 1,
            definition_version: 1,
            record: 1,
          })
          .execute(),
      ).rejects.toThrow(/unique|duplicate/i);
    };

    it('keeps every form as record 1 with its values, and every foreign key declared and enforced', async () => {
      await keepsEverything();
      if (dialect === 'sqlite') {
        // The children were not copied: the same b-trees, still referencing form_instances.
        expect(childPagesBefore).toHaveLength(3);
        expect(await childRootPages()).toEqual(childPagesBefore);
      }
      if (dialect === 'sqlite')
        expect((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db.kysely)).rows).toEqual([
          { foreign_keys: 1 },
        ]);
    });

    it('the same when a migrator runs bare with foreign keys on (SQLite: the children rebuilt too), down and up', async () => {
      expect((await migrator().migrateTo('023-attachments')).error).toBeUndefined();
      const columns = (await db.kysely.introspection.getTables()).find(
        (x) => x.name === 'form_instances',
      )!.columns;
      expect(columns.map((x) => x.name)).not.toContain('record');
      expect((await migrator().migrateToLatest()).error).toBeUndefined();
      await keepsEverything();
    });

    it('a repeating form takes a second record at the visit; any other form refuses one, naming the rule', async () => {
      const second = await saveItems(db, coord, {
        visitId,
        formCode: 'conmed',
        record: 2,
        items: [
          { itemCode: 'drug', value: 'Prednisone' },
          { itemCode: 'dose_mg', value: '10', unit: 'mg' },
        ],
      });
      expect(Number(second.form.record)).toBe(2);
      // Record 1 is untouched: the second record is its own form instance.
      const conmed = await db.kysely
        .selectFrom('form_instances')
        .innerJoin('item_values', 'item_values.form_instance_id', 'form_instances.id')
        .select(['form_instances.record', 'item_values.item_code', 'item_values.value'])
        .where('form_code', '=', 'conmed')
        .orderBy('form_instances.record')
        .orderBy('item_values.item_code')
        .execute();
      expect(conmed.map((r) => [Number(r.record), r.item_code, r.value])).toEqual([
        [1, 'drug', 'HCQ'],
        [2, 'dose_mg', '10'],
        [2, 'drug', 'Prednisone'],
      ]);
      // Changing record 2 needs its own version and a reason, and leaves record 1 alone.
      await saveItems(db, coord, {
        visitId,
        formCode: 'conmed',
        record: 2,
        reason: 'transcription error',
        items: [{ itemCode: 'drug', value: 'Prednisolone', expectedVersion: 1 }],
      });
      const refusal = await saveItems(db, coord, {
        visitId,
        formCode: 'labs',
        record: 2,
        items: [{ itemCode: 'c3', value: '1.0', unit: 'g/L' }],
      }).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(EntryRefusalError);
      expect(refusal).toMatchObject({
        rule: 'form-not-repeating',
        field: 'record',
        message:
          'record: form "labs" of study MSCT is not repeating, so a visit holds one record of it (record 1), not record 2',
      });
      expect(
        (await db.kysely.selectFrom('form_instances').select('id').where('form_code', '=', 'labs').execute())
          .length,
      ).toBe(1);
    });

    it('the trail records each record number and the verification replays it', async () => {
      const created = await db.kysely
        .selectFrom('audit_events')
        .select('new_value')
        .where('action', '=', 'form.create')
        .orderBy('seq')
        .execute();
      expect(created.map((e) => e.new_value)).toEqual(['labs', 'conmed', 'conmed record 2']);
      expect((await verifyAuditChain(db)).ok).toBe(true);
      const clean = await verifyAuditedData(db);
      expect(clean.findings).toEqual([]);
      // A record number changed around the trail is found.
      await db.kysely
        .updateTable('form_instances')
        .set({ record: 3 })
        .where('form_code', '=', 'conmed')
        .where('record', '=', 2)
        .execute();
      const r = await verifyAuditedData(db);
      expect(r.findings.map((f) => [f.table, f.field])).toEqual([['form_instances', 'record']]);
      await db.kysely
        .updateTable('form_instances')
        .set({ record: 2 })
        .where('form_code', '=', 'conmed')
        .where('record', '=', 3)
        .execute();
    });

    it('down refuses while a visit holds a second record (the schema before cannot keep it)', async () => {
      const r = await migrator().migrateTo('023-attachments');
      expect(String(r.error)).toContain('forms hold more than one record per visit');
      expect(labsFormId).toBeTruthy();
      const columns = (await db.kysely.introspection.getTables()).find(
        (x) => x.name === 'form_instances',
      )!.columns;
      expect(columns.map((x) => x.name)).toContain('record');
    });
  });
