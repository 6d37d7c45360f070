// Repeating forms through ODM (issues #20, #23): a form the definition declares `repeating` exports
// one FormData per record with its FormRepeatKey (its FormDef Repeating="Yes"), valid against ODM
// 1.3.2; importing that file keeps each instance as its own record (dry run and write agree) and
// exporting again gives the same clinical data, record by record. Another system's file with
// ItemGroupRepeatKey instances of a repeating form gives records 1, 2, …; a repeat of a form that is
// not repeating stays refused, per ItemData, naming the form.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msctSleTrial, type StudyDefinition } from '@msct/core/protocol';
import { type Db, saveItems, verifyAuditChain } from '@msct/store';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@msct/store/testing';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOdm } from './odm-import.js';
import {
  createEmptyStudy,
  createTestStudy,
  databaseFingerprint,
  exportToFile,
  type TestStudy,
  xsdErrors,
} from './testing/test-study.js';

/** The built-in trial with a repeating concomitant-medication form at M3. */
function withConmed(): StudyDefinition {
  const d: StudyDefinition = JSON.parse(JSON.stringify(msctSleTrial));
  d.forms.push({
    id: 'conmed',
    title: 'Concomitant medication',
    visitCodes: ['M3'],
    repeating: true,
    items: [
      { code: 'drug', label: 'Drug', type: 'text' },
      { code: 'dose_mg', label: 'Dose', type: 'decimal', units: ['mg'] },
    ],
  });
  return d;
}

/** The ClinicalData of a file as `subject|event|form[repeat]|item = value`, last version of each. */
function clinicalValues(xml: string): string[] {
  const odm = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (n) => ['SubjectData', 'StudyEventData', 'FormData', 'ItemGroupData', 'ItemData'].includes(n),
  }).parse(xml).ODM;
  const out = new Map<string, string>();
  for (const sd of odm.ClinicalData.SubjectData)
    for (const se of sd.StudyEventData ?? [])
      for (const fd of se.FormData ?? [])
        for (const ig of fd.ItemGroupData ?? [])
          for (const id of ig.ItemData ?? [])
            out.set(
              `${sd.SubjectKey}|${se.StudyEventOID}[${se.StudyEventRepeatKey ?? ''}]|${fd.FormOID}[${fd.FormRepeatKey ?? ''}]|${id.ItemOID}`,
              `${id.Value ?? 'null'} ${id.MeasurementUnitRef?.MeasurementUnitOID ?? ''}`,
            );
  return [...out].map(([k, v]) => `${k} = ${v}`).sort();
}

/** `form#record item=value` of every stored value of a study's forms, sorted. */
async function storedRecords(db: Db, formCode: string): Promise<string[]> {
  const rows = await db.kysely
    .selectFrom('item_values')
    .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
    .select(['form_instances.record', 'item_values.item_code', 'item_values.value'])
    .where('form_instances.form_code', '=', formCode)
    .execute();
  return rows.map((r) => `${formCode}#${r.record} ${r.item_code}=${r.value}`).sort();
}

for (const dialect of TEST_DIALECTS)
  describe(`repeating forms through ODM on ${dialect}`, () => {
    let a: TestDatabase;
    let b: TestDatabase;
    let study: TestStudy;
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'msct-odm-repeating-'));
      [a, b] = await Promise.all([createTestDatabase(dialect), createTestDatabase(dialect)]);
      study = await createTestStudy(a.db, 1, withConmed());
      const m3 = await a.db.kysely
        .selectFrom('visits')
        .select('id')
        .where('visit_code', '=', 'M3')
        .executeTakeFirstOrThrow();
      await saveItems(a.db, study.actor, {
        visitId: m3.id,
        formCode: 'conmed',
        items: [
          { itemCode: 'drug', value: 'Hydroxychloroquine' },
          { itemCode: 'dose_mg', value: '200', unit: 'mg' },
        ],
      });
      await saveItems(a.db, study.actor, {
        visitId: m3.id,
        formCode: 'conmed',
        record: 2,
        items: [{ itemCode: 'drug', value: 'Prednisone' }],
      });
    });
    afterAll(async () => {
      await Promise.all([a.drop(), b.drop()]);
      rmSync(dir, { recursive: true, force: true });
    });

    it('exports each record with its FormRepeatKey (valid ODM 1.3.2) and round-trips record by record', async () => {
      const first = join(dir, 'first.xml');
      await exportToFile(a, study.studyId, first);
      expect(xsdErrors(first)).toBe('');
      const xml = readFileSync(first, 'utf8');
      expect(xml).toContain('<FormDef OID="F.conmed" Name="Concomitant medication" Repeating="Yes">');
      expect(xml).toMatch(/<FormDef OID="F\.labs" Name="[^"]*" Repeating="No">/);
      expect(xml).toMatch(/<FormData FormOID="F\.conmed" FormRepeatKey="1">/);
      expect(xml).toMatch(/<FormData FormOID="F\.conmed" FormRepeatKey="2">/);
      // A form that is not repeating carries no repeat key.
      expect(xml).not.toMatch(/<FormData FormOID="F\.labs" FormRepeatKey/);

      const target = await createEmptyStudy(b.db, withConmed());
      const before = await databaseFingerprint(b.db);
      const dry = await importOdm(b.db, target.studyId, xml, { actor: target.actor, dryRun: true });
      expect(dry.problems).toEqual([]);
      expect(await databaseFingerprint(b.db)).toBe(before);
      const r = await importOdm(b.db, target.studyId, xml, { actor: target.actor });
      expect(r.problems).toEqual([]);
      expect(dry.accounting).toEqual({ ...r.accounting, imported: 0, withheld: r.accounting.imported });
      expect(await storedRecords(b.db, 'conmed')).toEqual([
        'conmed#1 dose_mg=200',
        'conmed#1 drug=Hydroxychloroquine',
        'conmed#2 drug=Prednisone',
      ]);
      const second = join(dir, 'second.xml');
      await exportToFile(b, target.studyId, second);
      const x = clinicalValues(xml);
      expect(
        x.filter((l) => l.includes('|F.conmed[')).map((l) => l.replace(/\|I\.conmed\.\w+ = (\S+).*$/, ' $1')),
      ).toEqual([
        `${study.subjectCodes[0]}|SE.M3[1]|F.conmed[1] 200`,
        `${study.subjectCodes[0]}|SE.M3[1]|F.conmed[1] Hydroxychloroquine`,
        `${study.subjectCodes[0]}|SE.M3[1]|F.conmed[2] Prednisone`,
      ]);
      expect(clinicalValues(readFileSync(second, 'utf8'))).toEqual(x);
      expect((await verifyAuditChain(b.db)).ok).toBe(true);
    });

    it("another system's ItemGroupRepeatKey instances of a repeating form become records; a repeat of another form stays refused", async () => {
      const subject = study.subjectCodes[0]!;
      const xml = `<?xml version="1.0"?>
<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" ODMVersion="1.3.2" FileType="Snapshot" FileOID="x" CreationDateTime="2024-01-01T00:00:00">
  <ClinicalData StudyOID="OTHER" MetaDataVersionOID="v1">
    <SubjectData SubjectKey="${subject}">
      <StudyEventData StudyEventOID="EV_M3">
        <FormData FormOID="CM"><ItemGroupData ItemGroupOID="CM_LOG" ItemGroupRepeatKey="1">
          <ItemData ItemOID="CMTRT" Value="Mycophenolate"/>
        </ItemGroupData><ItemGroupData ItemGroupOID="CM_LOG" ItemGroupRepeatKey="2">
          <ItemData ItemOID="CMTRT" Value="Tacrolimus"/>
        </ItemGroupData><ItemGroupData ItemGroupOID="CM_LOG" ItemGroupRepeatKey="3">
          <ItemData ItemOID="CMTRT" Value="Belimumab"/>
        </ItemGroupData></FormData>
        <FormData FormOID="LAB" FormRepeatKey="1"><ItemGroupData ItemGroupOID="LAB_IG">
          <ItemData ItemOID="CREAT" Value="90"/>
        </ItemGroupData></FormData>
        <FormData FormOID="LAB" FormRepeatKey="2"><ItemGroupData ItemGroupOID="LAB_IG">
          <ItemData ItemOID="CREAT" Value="95"/>
        </ItemGroupData></FormData>
      </StudyEventData>
    </SubjectData>
  </ClinicalData>
</ODM>`;
      const oidMap = { EV_M3: 'M3', CMTRT: 'conmed.drug', CREAT: 'labs.creatinine' };
      const options = { actor: study.actor, oidMap, skipInvalid: true };
      const dry = await importOdm(a.db, study.studyId, xml, { ...options, dryRun: true });
      const r = await importOdm(a.db, study.studyId, xml, options);
      expect(dry.problems).toEqual(r.problems);
      expect(dry.accounting).toEqual({ ...r.accounting, imported: 0, withheld: r.accounting.imported });
      // Records 1 and 2 exist (changed with the import's reason), record 3 is new.
      expect(await storedRecords(a.db, 'conmed')).toEqual([
        'conmed#1 dose_mg=200',
        'conmed#1 drug=Mycophenolate',
        'conmed#2 drug=Tacrolimus',
        'conmed#3 drug=Belimumab',
      ]);
      expect(r.accounting).toMatchObject({ itemData: 5, imported: 3, refused: 2 });
      expect(r.problems.map((p) => [p.row, p.rule])).toEqual([
        [4, 'repeat-unsupported'],
        [5, 'repeat-unsupported'],
      ]);
      expect(r.problems[0]!.message).toContain(
        'form LAB repeat key 1, item group LAB_IG (no repeat key): one of 2',
      );
      expect(r.problems[0]!.message).toContain("the study's form is not repeating");
    });
  });
