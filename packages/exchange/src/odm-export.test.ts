import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser, setFormStatus, signForms } from '@msct/store';
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

    it('writes each signed form its Signature (user, site, meaning, instant) and AdminData its SignatureDef', async () => {
      const db = t.db;
      const signer = await createUser(
        db,
        { id: null, name: 'test' },
        {
          username: 'dr.li',
          displayName: 'Dr Mei Li',
          passwordHash: 'x',
          mustChangePassword: false,
        },
      );
      const actor = { id: signer.id, name: signer.username };
      const form = await db.kysely
        .selectFrom('form_instances')
        .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
        .innerJoin('subjects', 'subjects.id', 'visits.subject_id')
        .select([
          'form_instances.id',
          'form_instances.version',
          'form_instances.form_code',
          'subjects.id as subject_id',
          'visits.id as visit_id',
        ])
        .where('subjects.study_id', '=', study.studyId)
        .where('form_instances.form_code', '=', 'labs')
        .executeTakeFirstOrThrow();
      // The visit of a labs form, signed whole: each of its forms marked complete first.
      const forms = await db.kysely
        .selectFrom('form_instances')
        .select(['id', 'version'])
        .where('visit_id', '=', form.visit_id)
        .execute();
      const shown: { formId: string; version: number }[] = [];
      for (const f of forms) {
        const done = await setFormStatus(db, study.actor, f.id, Number(f.version), 'complete');
        shown.push({ formId: f.id, version: done.version });
      }
      const meaning = 'Approval of the data as investigator';
      const signedForms = await signForms(db, actor, {
        subjectId: form.subject_id,
        visitId: form.visit_id,
        forms: shown,
        meaning,
      });
      const signed = signedForms.find((f) => f.id === form.id);
      const file = join(dir, 'signed.xml');
      await exportToFile(t, study.studyId, file);
      expect(xsdErrors(file)).toBe('');
      const xml = readFileSync(file, 'utf8');
      expect(xml).toMatch(
        /<SignatureDef OID="SD\.1" Methodology="Electronic">\s*<Meaning>Approval of the data as investigator<\/Meaning>\s*<LegalReason>[^<]*21 CFR Part 11/,
      );
      expect(xml).toMatch(
        /<User OID="USR\.dr\.li">\s*<LoginName>dr\.li<\/LoginName>\s*<DisplayName>Dr Mei Li<\/DisplayName>\s*<FullName>Dr Mei Li<\/FullName>/,
      );
      const stamp = signed!.signed_at!.replace(/\./g, '\\.');
      expect(xml).toMatch(
        new RegExp(
          `<FormData FormOID="F\\.labs">\\s*<Signature>\\s*<UserRef UserOID="USR\\.dr\\.li"/>\\s*<LocationRef LocationOID="LOC\\.[A-Z]+"/>\\s*<SignatureRef SignatureOID="SD\\.1"/>\\s*<DateTimeStamp>${stamp}</DateTimeStamp>\\s*</Signature>`,
        ),
      );
      // The de-identified file carries no signature (it names people and instants).
      const deid = join(dir, 'signed-deid.xml');
      await exportToFile(t, study.studyId, deid, { pseudonymise: true, shiftDates: 'study-day' });
      expect(xsdErrors(deid)).toBe('');
      expect(readFileSync(deid, 'utf8')).not.toMatch(/Signature/);
    });
  });
