import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAuditChain } from '@msct/store';
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
} from './testing/test-study.js';

/** The ClinicalData of a file as `subject|event[repeat]|item = value unit`, last version of each. */
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
              `${sd.SubjectKey}|${sd.SiteRef.LocationOID}|${se.StudyEventOID}[${se.StudyEventRepeatKey ?? ''}]|${id.ItemOID}`,
              `${id.Value ?? 'null'} ${id.MeasurementUnitRef?.MeasurementUnitOID ?? ''}`,
            );
  return [...out].map(([k, v]) => `${k} = ${v}`).sort();
}

for (const dialect of TEST_DIALECTS)
  describe(`ODM import on ${dialect}`, () => {
    let a: TestDatabase;
    let b: TestDatabase;
    let study: TestStudy;
    let dir: string;
    beforeAll(async () => {
      [a, b] = await Promise.all([createTestDatabase(dialect), createTestDatabase(dialect)]);
      study = await createTestStudy(a.db);
      dir = mkdtempSync(join(tmpdir(), 'msct-odm-rt-'));
    });
    afterAll(async () => {
      await Promise.all([a.drop(), b.drop()]);
      rmSync(dir, { recursive: true, force: true });
    });

    it('round-trips: export → import into an empty database → export gives the same clinical data', async () => {
      const first = join(dir, 'first.xml');
      await exportToFile(a, study.studyId, first);
      const target = await createEmptyStudy(b.db);
      const before = await databaseFingerprint(b.db);
      const dry = await importOdm(b.db, target.studyId, readFileSync(first, 'utf8'), {
        actor: target.actor,
        dryRun: true,
      });
      expect(dry.problems).toEqual([]);
      expect(await databaseFingerprint(b.db)).toBe(before);
      const r = await importOdm(b.db, target.studyId, readFileSync(first, 'utf8'), { actor: target.actor });
      expect(r.written).toBe(true);
      expect(r.entered).toBeGreaterThan(100);
      // The empty study gets every subject of the file, counted in the report.
      expect(r.subjectsCreated).toBe(3);
      const second = join(dir, 'second.xml');
      await exportToFile(b, target.studyId, second);
      const x = clinicalValues(readFileSync(first, 'utf8'));
      expect(x.length).toBeGreaterThan(100);
      expect(clinicalValues(readFileSync(second, 'utf8'))).toEqual(x);
      expect((await verifyAuditChain(b.db)).ok).toBe(true);
    });

    it('imports ODM from another system by OID mapping, and refuses a file with one bad value', async () => {
      const foreign = (renal: string) => `<?xml version="1.0"?>
<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" ODMVersion="1.3.2" FileType="Snapshot" FileOID="x" CreationDateTime="2024-01-01T00:00:00">
  <Study OID="OTHER"><GlobalVariables><StudyName>x</StudyName><StudyDescription>x</StudyDescription><ProtocolName>x</ProtocolName></GlobalVariables>
    <BasicDefinitions><MeasurementUnit OID="U1" Name="mg/dL"><Symbol><TranslatedText>mg/dL</TranslatedText></Symbol></MeasurementUnit></BasicDefinitions>
  </Study>
  <ClinicalData StudyOID="OTHER" MetaDataVersionOID="v1">
    <SubjectData SubjectKey="${study.subjectCodes[0]}">
      <StudyEventData StudyEventOID="EV_MONTH6">
        <FormData FormOID="LAB"><ItemGroupData ItemGroupOID="LAB_IG">
          <ItemData ItemOID="CREAT" Value="1.1"><MeasurementUnitRef MeasurementUnitOID="U1"/></ItemData>
          <ItemData ItemOID="BILAG_REN" Value="${renal}"/>
        </ItemGroupData></FormData>
      </StudyEventData>
    </SubjectData>
  </ClinicalData>
</ODM>`;
      const oidMap = { EV_MONTH6: 'M6', CREAT: 'labs.creatinine', BILAG_REN: 'bilag.renal' };
      const before = await databaseFingerprint(a.db);
      const bad = await importOdm(a.db, study.studyId, foreign('Q'), { actor: study.actor, oidMap });
      expect(bad.written).toBe(false);
      expect(bad.problems).toMatchObject([{ row: 2, rule: 'code-invalid' }]);
      expect(bad.problems[0]!.column).toContain('BILAG_REN');
      expect(await databaseFingerprint(a.db)).toBe(before);
      // The API's text rule holds for imported values too (issue 17): a non-character, an overlong value.
      for (const [value, rule] of [
        ['B\ufdd0', 'noncharacter'],
        ['B'.repeat(2001), 'max-length'],
      ] as const) {
        const refused = await importOdm(a.db, study.studyId, foreign(value), { actor: study.actor, oidMap });
        expect(refused.written).toBe(false);
        expect(refused.problems).toMatchObject([{ row: 2, rule }]);
      }
      // A visit date that is not a real date is a problem of its ItemData.
      const badDate = foreign('B').replace(
        '<ItemData ItemOID="BILAG_REN"',
        '<ItemData ItemOID="I.VISIT.VISIT_DATE" Value="2024-02-30"/><ItemData ItemOID="BILAG_REN"',
      );
      const refused = await importOdm(a.db, study.studyId, badDate, { actor: study.actor, oidMap });
      expect(refused.written).toBe(false);
      expect(refused.problems).toMatchObject([{ row: 2, rule: 'value-invalid' }]);
      expect(refused.problems[0]!.column).toContain('VISIT_DATE');
      expect(await databaseFingerprint(a.db)).toBe(before);
      const ok = await importOdm(a.db, study.studyId, foreign('B'), { actor: study.actor, oidMap });
      expect(ok).toMatchObject({ written: true, entered: 2, visitsCreated: 1, subjectsCreated: 0 });
    });
  });
