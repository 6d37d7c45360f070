import { Readable } from 'node:stream';
import { createVisit, setVisitMissed, verifyAuditChain } from '@msct/store';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsv } from './csv-import.js';
import { readCsv } from './csv-reader.js';
import { createTestStudy, databaseFingerprint, type TestStudy } from './testing/test-study.js';

const source = (text: string) => () => Readable.from([text]);

describe('CSV reader', () => {
  it('reads quotes, doubled quotes, embedded newlines and CRLF, across chunk boundaries', async () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""",3\n"multi\nline",,z\n';
    for (const size of [1, 2, 3, 7, 1000]) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, i) =>
        text.slice(i * size, i * size + size),
      );
      const recs = [];
      for await (const r of readCsv(Readable.from(chunks))) recs.push(r);
      expect(recs).toEqual([
        { line: 1, fields: ['a', 'b', 'c'] },
        { line: 2, fields: ['x, y', 'say "hi"', '3'] },
        { line: 3, fields: ['multi\nline', '', 'z'] },
      ]);
    }
  });

  it('decodes a UTF-8 character split between two chunks', async () => {
    const bytes = Buffer.from('item,unit\ncreatinine,µmol/L\n', 'utf8');
    const cut = bytes.indexOf(0xb5); // the second byte of µ (C2 B5)
    const recs = [];
    for await (const r of readCsv(Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)])))
      recs.push(r.fields);
    expect(recs).toEqual([
      ['item', 'unit'],
      ['creatinine', 'µmol/L'],
    ]);
  });
});

for (const dialect of TEST_DIALECTS)
  describe(`CSV import on ${dialect}`, () => {
    let t: TestDatabase;
    let study: TestStudy;
    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      study = await createTestStudy(t.db, 2);
    });
    afterAll(() => t.drop());

    const [s1, s2] = ['NJDT-001', 'ZJJU-001'];

    it('names row, column and rule for each class of bad row, and writes nothing', async () => {
      const before = await databaseFingerprint(t.db);
      const csv = [
        'subject,visit,form,item,value,unit',
        `${s1},M6,labs,creatinine,90,µmol/L`,
        `${s1},M6,labs,no_such_item,1,`,
        `${s1},M6,bilag,renal,F,`,
        `${s1},M6,labs,creatinine,90,`,
        `${s1},M6,labs,albumin,300,g/L`,
        `${s1},M6,labs,albumin,35,furlongs`,
        `${s1},M6,labs,albumin,abc,g/L`,
        `NOPE-999,M6,labs,albumin,35,g/L`,
        `${s1},M99,labs,albumin,35,g/L`,
        `${s1},M6,nosuchform,x,1,`,
        `${s1},M6,labs`,
      ].join('\n');
      const r = await importCsv(t.db, study.studyId, source(csv), { format: 'long', actor: study.actor });
      expect(r.written).toBe(false);
      expect(r.invalidRows).toBe(10);
      expect(r.problems.map((p) => [p.row, p.column, p.rule])).toEqual([
        [3, 'item', 'item-unknown'],
        [4, 'value', 'code-invalid'],
        [5, 'unit', 'unit-missing'],
        [6, 'value', 'value-out-of-range'],
        [7, 'unit', 'unit-invalid'],
        [8, 'value', 'value-invalid'],
        [9, 'subject', 'subject-unknown'],
        [10, 'visit', 'visit-not-in-schedule'],
        [11, 'form', 'form-not-in-definition'],
        [12, '*', 'row-malformed'],
      ]);
      for (const p of r.problems) expect(p.message.length).toBeGreaterThan(5);
      expect(await databaseFingerprint(t.db)).toBe(before);
    });

    it("an unknown subject does not hide the row's visit, form or unit problems: all come in one report (issue #23)", async () => {
      const csv = [
        'subject,visit,form,item,value,unit',
        `NOPE-999,M99,labs,albumin,35,g/L`,
        `NOPE-999,M6,nosuchform,x,1,`,
        `NOPE-999,M6,labs,albumin,35,furlongs`,
        `NOPE-999,M6,labs,albumin,35,g/L`,
      ].join('\n');
      const r = await importCsv(t.db, study.studyId, source(csv), { format: 'long', actor: study.actor });
      expect(r.invalidRows).toBe(4);
      expect(r.problems.map((p) => [p.row, p.column, p.rule])).toEqual([
        [2, 'subject', 'subject-unknown'],
        [2, 'visit', 'visit-not-in-schedule'],
        [3, 'subject', 'subject-unknown'],
        [3, 'form', 'form-not-in-definition'],
        [4, 'subject', 'subject-unknown'],
        [4, 'unit', 'unit-invalid'],
        [5, 'subject', 'subject-unknown'],
      ]);
    });

    it('a value or unit breaking the text rule (NUL, control character, non-character, too long) is a row problem; nothing written (issue 17)', async () => {
      const before = await databaseFingerprint(t.db);
      const csv = [
        'subject,visit,form,item,value,unit',
        `${s1},M6,labs,creatinine,90,µmol/L`,
        `${s1},M6,labs,albumin,3\u00005,g/L`,
        `${s1},M6,labs,albumin,35,g/\u0007L`,
        `${s1},M6,labs,albumin,35\ufdd0,g/L`,
        `${s1},M6,labs,albumin,35\u{10ffff},g/L`,
        `${s1},M6,labs,albumin,${'9'.repeat(2001)},g/L`,
      ].join('\n');
      const r = await importCsv(t.db, study.studyId, source(csv), { format: 'long', actor: study.actor });
      expect(r.written).toBe(false);
      expect(r.problems.map((p) => [p.row, p.column, p.rule])).toEqual([
        [3, 'value', 'control-character'],
        [4, 'unit', 'control-character'],
        [5, 'value', 'noncharacter'],
        [6, 'value', 'noncharacter'],
        [7, 'value', 'max-length'],
      ]);
      expect(await databaseFingerprint(t.db)).toBe(before);
    });

    it('a visit date that is not a real date is a problem of its row, naming the date column', async () => {
      const before = await databaseFingerprint(t.db);
      const csv = [
        'subject,visit,cycle,visit_date,form,item,value,unit',
        `${s1},M6,1,2024-07-10,labs,creatinine,90,µmol/L`,
        `${s1},M6,1,2024-02-30,labs,albumin,35,g/L`,
        `${s1},M6,1,soon,labs,albumin,35,g/L`,
      ].join('\n');
      const r = await importCsv(t.db, study.studyId, source(csv), { format: 'long', actor: study.actor });
      expect(r.written).toBe(false);
      expect(r.problems.map((p) => [p.row, p.column, p.rule])).toEqual([
        [3, 'visit_date', 'value-invalid'],
        [4, 'visit_date', 'value-invalid'],
      ]);
      expect(await databaseFingerprint(t.db)).toBe(before);
    });

    it('dry-run of a valid file writes nothing; the real run writes it in one audited transaction', async () => {
      const csv = [
        'subject,visit,cycle,visit_date,form,item,value,unit',
        `${s1},M6,1,2024-07-10,labs,creatinine,90,µmol/L`,
        `${s1},M6,1,2024-07-10,bilag,renal,B,`,
        `${s2},M6,1,2024-07-12,sledai2k,seizure,0,`,
        `${s1},M3,1,,labs,creatinine,95,µmol/L`,
      ].join('\n');
      const before = await databaseFingerprint(t.db);
      const dry = await importCsv(t.db, study.studyId, source(csv), {
        format: 'long',
        actor: study.actor,
        dryRun: true,
      });
      expect(dry.problems).toEqual([]);
      expect(dry.written).toBe(false);
      expect(await databaseFingerprint(t.db)).toBe(before);
      const r = await importCsv(t.db, study.studyId, source(csv), {
        format: 'long',
        actor: study.actor,
        reason: 'site migration',
      });
      expect(r).toMatchObject({ written: true, entered: 3, changed: 1, visitsCreated: 2 });
      const change = await t.db.kysely
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'item.change')
        .where('reason', '=', 'site migration')
        .executeTakeFirstOrThrow();
      expect([change.old_value, change.new_value]).toEqual(['88 µmol/L', '95 µmol/L']);
      expect((await verifyAuditChain(t.db)).ok).toBe(true);
      const again = await importCsv(t.db, study.studyId, source(csv), { format: 'long', actor: study.actor });
      expect(again).toMatchObject({ entered: 0, changed: 0, unchanged: 4 });
    });

    it('refuses to import into a visit the site declared missed, and writes nothing', async () => {
      const subject = await t.db.kysely
        .selectFrom('subjects')
        .select('id')
        .where('subject_code', '=', s2)
        .executeTakeFirstOrThrow();
      const visit = await createVisit(t.db, study.actor, { subjectId: subject.id, visitCode: 'D7' });
      await setVisitMissed(t.db, study.actor, visit.id, visit.version, true, 'patient moved away');
      const before = await databaseFingerprint(t.db);
      const csv = ['subject,visit,form,item,value,unit', `${s2},D7,vital-signs,weight_kg,61,kg`].join('\n');
      // A problem of its row in the report (the dry run finds it too), not an error at the first one.
      for (const dryRun of [true, false]) {
        const r = await importCsv(t.db, study.studyId, source(csv), {
          format: 'long',
          actor: study.actor,
          dryRun,
        });
        expect(r).toMatchObject({ written: false, invalidRows: 1 });
        expect(r.problems).toMatchObject([{ row: 2, column: 'form', rule: 'visit-missed' }]);
        expect(r.problems[0]!.message).toMatch(/D7 \(cycle 1\) of this subject is declared missed/);
      }
      expect(await databaseFingerprint(t.db)).toBe(before);
    });

    it('skipInvalid writes the valid rows and reports the others', async () => {
      const csv = [
        'subject,visit,form,item,value,unit',
        `${s2},M9,labs,c3,0.8,g/L`,
        `${s2},M9,labs,c3,0.8,`,
      ].join('\n');
      const r = await importCsv(t.db, study.studyId, source(csv), {
        format: 'long',
        actor: study.actor,
        skipInvalid: true,
      });
      expect(r).toMatchObject({ written: true, entered: 1, invalidRows: 1 });
      expect(r.problems[0]).toMatchObject({ row: 3, column: 'unit', rule: 'unit-missing' });
    });

    it('imports a REDCap-like wide file through a mapping, naming the bad cell by its column', async () => {
      const mapping = {
        subject: 'record_id',
        visit: 'redcap_event_name',
        visits: { month_12_arm_1: 'M12' },
        columns: {
          creat: { item: 'labs.creatinine', unit: 'µmol/L' },
          c3_gl: { item: 'labs.c3', unit: 'g/L' },
          bilag_renal: 'bilag.renal',
        },
      };
      const bad = [
        'record_id,redcap_event_name,creat,c3_gl,bilag_renal,redcap_repeat_instance',
        `${s1},month_12_arm_1,80,9,Z,`,
      ].join('\n');
      const before = await databaseFingerprint(t.db);
      const r = await importCsv(t.db, study.studyId, source(bad), {
        format: 'wide',
        actor: study.actor,
        mapping,
      });
      expect(r.problems.map((p) => [p.row, p.column, p.rule])).toEqual([
        [2, 'c3_gl', 'value-out-of-range'],
        [2, 'bilag_renal', 'code-invalid'],
      ]);
      expect(await databaseFingerprint(t.db)).toBe(before);
      const good = [
        'record_id,redcap_event_name,creat,c3_gl,bilag_renal',
        `${s1},month_12_arm_1,80,0.9,C`,
        `${s2},month_12_arm_1,,1.1,E`,
      ].join('\n');
      const ok = await importCsv(t.db, study.studyId, source(good), {
        format: 'wide',
        actor: study.actor,
        mapping,
      });
      // M12 is there already: the test study enters its end-of-study form there (test-study.ts).
      expect(ok).toMatchObject({ written: true, rows: 2, entered: 5, visitsCreated: 0, formsCreated: 4 });
    });

    it('rolls back when the file changes between its check and its import', async () => {
      const checked = ['subject,visit,form,item,value,unit', `${s2},M1,labs,c3,0.7,g/L`].join('\n');
      const swapped = ['subject,visit,form,item,value,unit', `${s2},M1,labs,c3,1.7,g/L`].join('\n');
      let reads = 0;
      const before = await databaseFingerprint(t.db);
      const err = await importCsv(
        t.db,
        study.studyId,
        () => Readable.from([reads++ === 0 ? checked : swapped]),
        {
          format: 'long',
          actor: study.actor,
        },
      ).catch((e: unknown) => e);
      expect(reads).toBe(2);
      expect(err).toMatchObject({ code: 'conflict', message: expect.stringMatching(/file changed/) });
      expect(await databaseFingerprint(t.db)).toBe(before);
    });
  });
