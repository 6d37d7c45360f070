// Issue #23, "Import must never lose or bend data silently": each path that lost or bent data, on
// the real import (dry run and write, both dialects). Files are hand-built in the shape of other
// systems' exports (testing/foreign-odm.ts).
import { Readable } from 'node:stream';
import { createVisit, saveItems, setFormStatus } from '@msct/store';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsv } from './csv-import.js';
import { importOdm } from './odm-import.js';
import { encoded, eventWith, FOREIGN_OID_MAP, foreignOdm, item } from './testing/foreign-odm.js';
import { createTestStudy, databaseFingerprint, type TestStudy } from './testing/test-study.js';

const oidMap = FOREIGN_OID_MAP;

for (const dialect of TEST_DIALECTS)
  describe(`ODM import loses and bends nothing on ${dialect}`, () => {
    let t: TestDatabase;
    let study: TestStudy;
    let s0 = '';
    let s1 = '';
    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      study = await createTestStudy(t.db);
      [s0, s1] = study.subjectCodes as [string, string];
    });
    afterAll(() => t.drop());

    /** The stored value of one item of a subject's visit (cycle 1 unless given). */
    async function stored(subject: string, visit: string, form: string, itemCode: string, cycle = 1) {
      const r = await t.db.kysely
        .selectFrom('item_values')
        .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
        .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
        .innerJoin('subjects', 'subjects.id', 'visits.subject_id')
        .select(['item_values.value', 'item_values.unit'])
        .where('subjects.subject_code', '=', subject)
        .where('visits.visit_code', '=', visit)
        .where('visits.cycle', '=', cycle)
        .where('form_instances.form_code', '=', form)
        .where('item_values.item_code', '=', itemCode)
        .executeTakeFirst();
      return r ? `${r.value}${r.unit ? ` ${r.unit}` : ''}` : undefined;
    }

    it('refuses repeated item groups and forms msct cannot hold, each of their ItemData named, nothing written', async () => {
      const xml = foreignOdm(
        s0,
        eventWith('SE_M6', 'F_LAB', 'IG_LAB', item('I_C3', '0.8', 'MU_GL'), { group: '1' }) +
          eventWith('SE_M6', 'F_LAB', 'IG_LAB', item('I_C3', '0.9', 'MU_GL'), { group: '2' }) +
          eventWith('SE_M6', 'F_BILAG', 'IG_BILAG', item('I_RENAL', 'B') + item('I_GENERAL', 'A'), {
            form: '1',
          }) +
          eventWith('SE_M6', 'F_BILAG', 'IG_BILAG', item('I_RENAL', 'C'), { form: '2' }),
      );
      const before = await databaseFingerprint(t.db);
      for (const dryRun of [true, false]) {
        const r = await importOdm(t.db, study.studyId, xml, { actor: study.actor, oidMap, dryRun });
        expect(r.written).toBe(false);
        expect(r.values).toBe(5);
        // Every refused ItemData has its problem (the first form repeat's two values, each), so the
        // report counts 5 invalid rows and refuses 5 ItemData.
        expect(r.problems.map((p) => [p.row, p.rule])).toEqual([
          [1, 'repeat-unsupported'],
          [2, 'repeat-unsupported'],
          [3, 'repeat-unsupported'],
          [4, 'repeat-unsupported'],
          [5, 'repeat-unsupported'],
        ]);
        expect(r.invalidRows).toBe(5);
        expect(r.accounting).toMatchObject({ itemData: 5, refused: 5, imported: 0 });
        expect(r.problems[1]!.message).toContain(
          `subject ${s0}, event SE_M6 (no repeat key), form F_LAB (no repeat key), item group IG_LAB repeat key 2`,
        );
        expect(r.problems[3]!.message).toContain('form F_BILAG repeat key 1, item group IG_BILAG');
        expect(r.problems[3]!.message).toContain('none of its 2 values is imported');
        expect(r.problems[4]!.message).toContain('form F_BILAG repeat key 2, item group IG_BILAG');
        expect(r.problems[0]!.column).toBe(`${s0}/SE_M6/F_LAB/IG_LAB[1]/I_C3`);
        expect(r.problems[3]!.column).toBe(`${s0}/SE_M6/F_BILAG[1]/IG_BILAG/I_GENERAL`);
      }
      // Skipping invalid rows writes none of a repeat either (never the last one of them).
      const r = await importOdm(t.db, study.studyId, xml, { actor: study.actor, oidMap, skipInvalid: true });
      expect(r).toMatchObject({ entered: 0, changed: 0, invalidRows: 5 });
      expect(await databaseFingerprint(t.db)).toBe(before);
    });

    it('keeps every repeat of an adverse event (FormRepeatKey), msct’s own repeating record', async () => {
      const ae = (term: string, onset: string) =>
        [
          item('I.AE.TERM', term),
          item('I.AE.ONSET_DATE', onset),
          item('I.AE.CTCAE_GRADE', '1'),
          item('I.AE.RELATEDNESS', 'not_related'),
        ].join('');
      const xml = foreignOdm(
        s1,
        eventWith('SE.SUBJECT', 'F.AE', 'IG.AE', ae('Nausea', '2024-02-02'), { form: '1' }) +
          eventWith('SE.SUBJECT', 'F.AE', 'IG.AE', ae('Rash', '2024-02-03'), { form: '2' }) +
          eventWith('SE.SUBJECT', 'F.AE', 'IG.AE', ae('Fever', '2024-02-04'), { form: '3' }),
      );
      const dry = await importOdm(t.db, study.studyId, xml, { actor: study.actor, dryRun: true });
      expect(dry.problems).toEqual([]);
      expect(dry.adverseEvents.entered).toBe(3);
      const r = await importOdm(t.db, study.studyId, xml, { actor: study.actor });
      expect(r).toMatchObject({ written: true, adverseEvents: { entered: 3 } });
      const terms = await t.db.kysely
        .selectFrom('adverse_events')
        .innerJoin('subjects', 'subjects.id', 'adverse_events.subject_id')
        .select('adverse_events.term')
        .where('subjects.subject_code', '=', s1)
        .orderBy('adverse_events.term')
        .execute();
      expect(terms.map((x) => x.term)).toEqual(['Fever', 'Nausea', 'Rash']);
    });

    it('a repeated visit is a cycle only by the definition (repeatsInCycles, maxCycles 2)', async () => {
      const before = await databaseFingerprint(t.db);
      // The unscheduled event's repeat key 2 is within the plan's 2 cycles: before, it was read as cycle 2.
      const xml = foreignOdm(
        s0,
        eventWith('SE_M6', 'F_LAB', 'IG_LAB', item('I_C3', '0.7', 'MU_GL'), { event: '3' }) +
          eventWith('SE_SCR', 'F_BILAG', 'IG_BILAG', item('I_RENAL', 'B'), { event: '2' }) +
          eventWith('SE_UNS', 'F_BILAG', 'IG_BILAG', item('I_RENAL', 'C'), { event: '2' }),
      );
      for (const dryRun of [true, false]) {
        const r = await importOdm(t.db, study.studyId, xml, { actor: study.actor, oidMap, dryRun });
        expect(r.written).toBe(false);
        // A subject's repeats are reported before its values' problems.
        expect(r.problems.map((p) => [p.row, p.rule])).toEqual([
          // Another system's occurrences of an unscheduled event are not cycles: a reported problem.
          [3, 'repeat-unsupported'],
          [1, 'cycle-beyond-plan'],
          [2, 'visit-not-repeated-in-cycles'],
        ]);
        expect(r.problems[1]!.message).toContain("beyond the study's 2 treatment cycles");
        expect(r.problems[0]!.message).toContain(
          'event SE_UNS repeat key 2: an occurrence of an event mapped to the unscheduled visit',
        );
        expect(r.problems[0]!.message).toContain('counts occurrences, not treatment cycles');
        expect(r.problems[2]!.message).toContain('visit SCR does not repeat in treatment cycles');
      }
      expect(await databaseFingerprint(t.db)).toBe(before);
      // Cycle 2 of a visit that repeats in cycles is one.
      const ok = await importOdm(
        t.db,
        study.studyId,
        foreignOdm(s0, eventWith('SE_M6', 'F_LAB', 'IG_LAB', item('I_C3', '0.7', 'MU_GL'), { event: '2' })),
        { actor: study.actor, oidMap },
      );
      expect(ok).toMatchObject({ written: true, entered: 1 });
      expect(await stored(s0, 'M6', 'labs', 'c3', 2)).toBe('0.7 g/L');
    });

    it('another system’s form called AE is not taken for msct’s adverse events', async () => {
      const foreignAe = eventWith(
        'SE_M12',
        'AE',
        'IG_AE',
        [item('AETERM', 'Headache'), item('AESTDTC', '2024-03-01')].join(''),
      );
      const before = await databaseFingerprint(t.db);
      const r = await importOdm(t.db, study.studyId, foreignOdm(s0, foreignAe), {
        actor: study.actor,
        oidMap,
      });
      expect(r.written).toBe(false);
      expect(r.adverseEvents.entered).toBe(0);
      expect(r.problems.map((p) => p.rule)).toEqual(['form-not-in-definition', 'form-not-in-definition']);
      expect(r.problems[0]!.message).toContain('"AE" is not a form');
      expect(await databaseFingerprint(t.db)).toBe(before);
      // Mapped, its items go where the mapping says, as ordinary values.
      const mapped = await importOdm(
        t.db,
        study.studyId,
        foreignOdm(s0, eventWith('SE_M12', 'AE', 'IG_AE', item('AETERM', 'moved abroad'))),
        { actor: study.actor, oidMap: { ...oidMap, AETERM: 'end-of-study.withdrawal_reason' } },
      );
      expect(mapped).toMatchObject({ written: true, entered: 1, adverseEvents: { entered: 0 } });
      expect(await stored(s0, 'M12', 'end-of-study', 'withdrawal_reason')).toBe('moved abroad');
    });

    it('reads typed values (ItemDataFloat with its MeasurementUnitOID, ItemDataString)', async () => {
      const xml = foreignOdm(
        s1,
        eventWith(
          'SE_M9',
          'F_LAB',
          'IG_LAB',
          '<ItemDataFloat ItemOID="I_C3" MeasurementUnitOID="MU_GL"> 0.65 </ItemDataFloat>' +
            '<ItemDataString ItemOID="I_RENAL">D</ItemDataString>' +
            '<ItemDataString ItemOID="I_GENERAL"></ItemDataString>',
        ),
      );
      const dry = await importOdm(t.db, study.studyId, xml, { actor: study.actor, oidMap, dryRun: true });
      expect(dry).toMatchObject({ rows: 3, values: 3, problems: [] });
      const r = await importOdm(t.db, study.studyId, xml, { actor: study.actor, oidMap });
      expect(r).toMatchObject({ written: true, entered: 3 });
      expect(await stored(s1, 'M9', 'labs', 'c3')).toBe('0.65 g/L');
      expect(await stored(s1, 'M9', 'bilag', 'renal')).toBe('D');
      expect(await stored(s1, 'M9', 'bilag', 'general')).toBe('null');
    });

    it('honours the declared encoding and the byte order mark; refuses undecodable bytes', async () => {
      const file = (text: string, encoding: string) =>
        foreignOdm(s1, eventWith('SE_M12', 'F_EOS', 'IG_EOS', item('I_WDR', text)), { encoding });
      const cases: [string, Buffer, string][] = [
        ['ISO-8859-1', encoded(file('Déménagé à Zürich', 'ISO-8859-1'), 'latin1'), 'Déménagé à Zürich'],
        [
          'windows-1252',
          // 0x80 is € in windows-1252 (¤ in ISO-8859-1 is the byte written here, then replaced).
          Buffer.from(
            encoded(file('Kosten 10 ¤ erstattet', 'windows-1252'), 'latin1').map((b) =>
              b === 0xa4 ? 0x80 : b,
            ),
          ),
          'Kosten 10 € erstattet',
        ],
        [
          'UTF-16LE with BOM',
          encoded(file('搬到北京 – Zürich', 'UTF-16'), 'utf16le', true),
          '搬到北京 – Zürich',
        ],
        ['UTF-16BE with BOM', encoded(file('Ærø → Malmö', 'UTF-16'), 'utf16be', true), 'Ærø → Malmö'],
        ['UTF-16LE without BOM', encoded(file('Łódź', 'UTF-16'), 'utf16le'), 'Łódź'],
        ['UTF-8 with BOM', Buffer.from(`\ufeff${file('Ñandú', 'UTF-8')}`, 'utf8'), 'Ñandú'],
      ];
      for (const [name, bytes, expected] of cases) {
        // One byte at a time: a character and the declaration may be cut anywhere.
        const chunks = [...bytes].map((b) => Buffer.from([b]));
        const r = await importOdm(t.db, study.studyId, () => Readable.from(chunks), {
          actor: study.actor,
          oidMap: { ...oidMap, I_WDR: 'end-of-study.withdrawal_reason' },
        });
        expect(r.problems, name).toEqual([]);
        expect(r.written, name).toBe(true);
        expect(await stored(s1, 'M12', 'end-of-study', 'withdrawal_reason'), name).toBe(expected);
      }
      // A Latin-1 byte in a file declared (by default) UTF-8: refused with where, nothing written.
      const before = await databaseFingerprint(t.db);
      const bad = encoded(file('Zürich', 'UTF-8'), 'latin1');
      const r = await importOdm(t.db, study.studyId, () => Readable.from([bad]), {
        actor: study.actor,
        oidMap,
        skipInvalid: true,
      });
      expect(r.written).toBe(false);
      expect(r.problems).toMatchObject([{ rule: 'encoding-invalid', column: 'line 10' }]);
      expect(r.problems[0]!.message).toContain(`offset ${bad.indexOf(0xfc)}`);
      expect(await databaseFingerprint(t.db)).toBe(before);
    });

    it('--skip-invalid creates no site and no subject for a file whose every row is invalid', async () => {
      const xml = foreignOdm(
        'OC-NEW-001',
        eventWith('SE_M6', 'F_BILAG', 'IG_BILAG', item('I_RENAL', 'Q') + item('I_GENERAL', 'Z')),
        { siteRef: 'LOC.OC_SITE', adminLocation: { oid: 'LOC.OC_SITE', name: 'Site from OpenClinica' } },
      );
      const before = await databaseFingerprint(t.db);
      const r = await importOdm(t.db, study.studyId, xml, { actor: study.actor, oidMap, skipInvalid: true });
      expect(r).toMatchObject({ subjectsCreated: 0, entered: 0, invalidRows: 2 });
      expect(await databaseFingerprint(t.db)).toBe(before);
      // One valid value: then the subject (and its site) come with it.
      const one = xml.replace('Value="Z"', 'Value="A"');
      const ok = await importOdm(t.db, study.studyId, one, { actor: study.actor, oidMap, skipInvalid: true });
      expect(ok).toMatchObject({ subjectsCreated: 1, entered: 1, invalidRows: 1 });
    });

    it('the dry run refuses what the write refuses: a signed form (ODM and CSV)', async () => {
      const subject = await t.db.kysely
        .selectFrom('subjects')
        .select('id')
        .where('subject_code', '=', s0)
        .executeTakeFirstOrThrow();
      const visit = await createVisit(t.db, study.actor, { subjectId: subject.id, visitCode: 'M9' });
      const { form } = await saveItems(t.db, study.actor, {
        visitId: visit.id,
        formCode: 'labs',
        items: [{ itemCode: 'c3', value: '0.8', unit: 'g/L' }],
      });
      await setFormStatus(t.db, study.actor, form.id, form.version, 'signed');
      const before = await databaseFingerprint(t.db);
      const xml = foreignOdm(s0, eventWith('SE_M9', 'F_LAB', 'IG_LAB', item('I_C3', '0.9', 'MU_GL')));
      for (const dryRun of [true, false]) {
        const r = await importOdm(t.db, study.studyId, xml, { actor: study.actor, oidMap, dryRun });
        expect(r.written, `dryRun ${dryRun}`).toBe(false);
        expect(r.problems, `dryRun ${dryRun}`).toMatchObject([{ row: 1, rule: 'form-signed' }]);
        expect(r.problems[0]!.message).toContain('form labs of visit M9 (cycle 1) is signed');
        const csv = `subject,visit,form,item,value,unit\n${s0},M9,labs,c3,0.9,g/L\n`;
        const c = await importCsv(t.db, study.studyId, () => Readable.from([csv]), {
          format: 'long',
          actor: study.actor,
          dryRun,
        });
        expect(c.written).toBe(false);
        expect(c.problems).toMatchObject([{ row: 2, column: 'form', rule: 'form-signed' }]);
      }
      expect(await databaseFingerprint(t.db)).toBe(before);
    });
  });
