import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStudy, exportToFile, type TestStudy, xsdErrors } from './testing/test-study.js';

for (const dialect of TEST_DIALECTS)
  describe(`ODM 1.3.2 export on ${dialect}`, () => {
    let t: TestDatabase;
    let study: TestStudy;
    let dir: string;
    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      study = await createTestStudy(t.db);
      dir = mkdtempSync(join(tmpdir(), 'msct-odm-'));
    });
    afterAll(async () => {
      await t.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('validates against the official XSD, with metadata, values, units and audit records', async () => {
      const file = join(dir, 'full.xml');
      const report = await exportToFile(t, study.studyId, file, { pageSize: 2 });
      expect(xsdErrors(file)).toBe('');
      const xml = readFileSync(file, 'utf8');
      expect(report.subjects).toBe(3);
      expect(xml).toContain('<StudyEventDef OID="SE.M3" Name="Month 3" Repeating="Yes" Type="Scheduled">');
      expect(xml).toContain('<CodeListItem CodedValue="A" OrderNumber="1">');
      expect(xml).toContain('DataType="boolean"');
      expect(xml).toMatch(/<ItemDef OID="I\.labs\.creatinine" [^>]*DataType="float"/);
      expect(xml).toContain('<SiteRef LocationOID="LOC.NJDT"/>');
      expect(xml).toContain('StudyEventRepeatKey="1"');
      expect(xml).toContain('<ReasonForChange>transcription error: lab report says 0.71</ReasonForChange>');
      expect(xml).toMatch(/<ItemData ItemOID="I\.labs\.c3" Value="0\.62" TransactionType="Insert">/);
      expect(xml).toMatch(/<ItemData ItemOID="I\.labs\.c3" Value="0\.71" TransactionType="Update">/);
      expect(xml).toContain('<UserRef UserOID="USR.coord"/>');
      expect(xml).toContain('<User OID="USR.coord">');
      for (const code of study.subjectCodes) expect(xml).toContain(`SubjectKey="${code}"`);
    });

    it('de-identifies: pseudonyms, study days, no free text, no audit instants', async () => {
      const file = join(dir, 'deid.xml');
      await exportToFile(t, study.studyId, file, { pseudonymise: true, shiftDates: 'study-day' });
      expect(xsdErrors(file)).toBe('');
      const xml = readFileSync(file, 'utf8');
      for (const code of study.subjectCodes) expect(xml).not.toContain(code);
      expect(xml).not.toMatch(/Value="\d{4}-\d{2}-\d{2}"/);
      expect(xml).not.toContain('Dr Smith');
      expect(xml).not.toContain('Dr Wu');
      expect(xml).not.toContain('AuditRecord');
      expect(xml).toMatch(/ItemOID="I\.VISIT\.STUDY_DAY" Value="91"/);
      expect(xml).toMatch(/ItemOID="I\.end-of-study\.date" Value="365"/);
      expect(xml).toMatch(/SubjectKey="P[0-9A-F]{10}"/);
    });
  });
