// Missing-data codes survive the ODM round trip (issue #20 "missing-data codes such as ND/NK/NA",
// issue #22), both dialects: a value entered as ND and a value first entered as NK then corrected are
// exported as IsNull ItemData carrying the code in an Annotation Flag (FlagValue of msct's code list
// CL.MSCT.MISSING_CODE, declared in the metadata), the file is valid ODM 1.3.2 (xmllint), and the
// import into an empty database stores the codes again (value null, missing_code set), so a second
// export gives the same ItemData; a code the target's definition does not allow is refused by row.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msctSleTrial, type StudyDefinition } from '@msct/core/protocol';
import { listItems, saveItems } from '@msct/store';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOdm } from './odm-import.js';
import { createEmptyStudy, createTestStudy, exportToFile, xsdErrors } from './testing/test-study.js';

/** The built-in trial with labs.c3 and labs.c4 allowed ND/NK (c3 also NA). */
function withMissingCodes(): StudyDefinition {
  const d: StudyDefinition = JSON.parse(JSON.stringify(msctSleTrial));
  const labs = d.forms.find((f) => f.id === 'labs')!;
  labs.items = labs.items!.map((i) =>
    i.code === 'c3'
      ? { ...i, missingCodes: ['ND', 'NK', 'NA'] }
      : i.code === 'c4'
        ? { ...i, missingCodes: ['ND', 'NK'] }
        : i,
  );
  return d;
}

/** Every stored labs value as `subject|visit|item = value|unit|code`. */
async function labValues(t: TestDatabase): Promise<string[]> {
  const rows = await t.db.kysely
    .selectFrom('item_values')
    .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
    .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
    .innerJoin('subjects', 'subjects.id', 'visits.subject_id')
    .select([
      'subjects.subject_code',
      'visits.visit_code',
      'item_values.item_code',
      'item_values.value',
      'item_values.unit',
      'item_values.missing_code',
    ])
    .where('form_instances.form_code', '=', 'labs')
    .execute();
  return rows
    .map((r) => `${r.subject_code}|${r.visit_code}|${r.item_code} = ${r.value}|${r.unit}|${r.missing_code}`)
    .sort();
}

for (const dialect of TEST_DIALECTS)
  describe(`missing-data codes through ODM on ${dialect}`, () => {
    let a: TestDatabase;
    let b: TestDatabase;
    let dir: string;
    let subject: string;
    beforeAll(async () => {
      [a, b] = await Promise.all([createTestDatabase(dialect), createTestDatabase(dialect)]);
      const study = await createTestStudy(a.db, 2, withMissingCodes());
      subject = study.subjectCodes[0]!;
      dir = mkdtempSync(join(tmpdir(), 'msct-odm-missing-'));
      const d0 = await a.db.kysely
        .selectFrom('visits')
        .innerJoin('subjects', 'subjects.id', 'visits.subject_id')
        .select('visits.id')
        .where('subjects.subject_code', '=', subject)
        .where('visits.visit_code', '=', 'D0')
        .executeTakeFirstOrThrow();
      // c4 not done at D0 (a first entry as a code) …
      await saveItems(a.db, study.actor, {
        visitId: d0.id,
        formCode: 'labs',
        items: [{ itemCode: 'c4', value: null, missingCode: 'ND' }],
      });
      // … and c3's 0.62 replaced by "not known" (a change: version and reason).
      const labs = await a.db.kysely
        .selectFrom('form_instances')
        .select('id')
        .where('visit_id', '=', d0.id)
        .where('form_code', '=', 'labs')
        .executeTakeFirstOrThrow();
      const c3 = (await listItems(a.db, labs.id)).find((i) => i.item_code === 'c3')!;
      await saveItems(a.db, study.actor, {
        visitId: d0.id,
        formCode: 'labs',
        items: [{ itemCode: 'c3', value: null, missingCode: 'NK', expectedVersion: c3.version }],
        reason: 'sample haemolysed, result withdrawn',
      });
    });
    afterAll(async () => {
      await Promise.all([a.drop(), b.drop()]);
      rmSync(dir, { recursive: true, force: true });
    });

    it('export writes the codes as Flags (valid ODM 1.3.2), import stores them again', async () => {
      const first = join(dir, 'first.xml');
      await exportToFile(
        a,
        (await a.db.kysely.selectFrom('studies').select('id').executeTakeFirstOrThrow()).id,
        first,
      );
      expect(xsdErrors(first)).toBe('');
      const xml = readFileSync(first, 'utf8');
      expect(xml).toContain('<CodeList OID="CL.MSCT.MISSING_CODE" Name="Missing-data code" DataType="text">');
      expect(xml.match(/<FlagValue CodeListOID="CL.MSCT.MISSING_CODE">ND<\/FlagValue>/g)).toHaveLength(1);
      expect(xml.match(/<FlagValue CodeListOID="CL.MSCT.MISSING_CODE">NK<\/FlagValue>/g)).toHaveLength(1);

      const target = await createEmptyStudy(b.db, withMissingCodes());
      const r = await importOdm(b.db, target.studyId, xml, { actor: target.actor });
      expect(r.problems).toEqual([]);
      expect(r.written).toBe(true);
      const there = await labValues(b);
      expect(there).toContain(`${subject}|D0|c4 = null|null|ND`);
      expect(there).toContain(`${subject}|D0|c3 = null|null|NK`);
      expect(there).toEqual(await labValues(a));

      // A second export carries the same codes.
      const second = join(dir, 'second.xml');
      await exportToFile(b, target.studyId, second);
      const again = readFileSync(second, 'utf8');
      expect(again.match(/<FlagValue CodeListOID="CL.MSCT.MISSING_CODE">(ND|NK)<\/FlagValue>/g)).toHaveLength(
        2,
      );
    });

    it('a code the target study does not allow is refused at its row, nothing written', async () => {
      const xml = readFileSync(join(dir, 'first.xml'), 'utf8');
      const file = join(dir, 'other.xml');
      writeFileSync(file, xml);
      const c = await createTestDatabase(dialect);
      try {
        // The built-in trial as it stands allows no missing-data code.
        const target = await createEmptyStudy(c.db);
        const r = await importOdm(c.db, target.studyId, xml, { actor: target.actor });
        expect(r.written).toBe(false);
        const coded = r.problems.filter(
          (p) => p.column.endsWith('/I.labs.c3') || p.column.endsWith('/I.labs.c4'),
        );
        expect(coded.map((p) => p.message)).toEqual([
          expect.stringContaining('takes no missing-data code'),
          expect.stringContaining('takes no missing-data code'),
        ]);
      } finally {
        await c.drop();
      }
    });
  });
