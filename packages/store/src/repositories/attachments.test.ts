// Attachments on both databases: bytes kept exactly (blob / bytea) with their SHA-256, every
// upload, download and retraction audited, a retraction refusing downloads but removing nothing,
// a stale version a conflict, a lock refusing the upload, and the data verifier finding bytes
// swapped around the trail.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditedData } from '../audit/verify-data.js';
import {
  type Actor,
  addAttachment,
  assignRole,
  backupDatabase,
  createRecordLock,
  createSite,
  createStudy,
  createSubject,
  createUser,
  createVisit,
  type Db,
  downloadAttachment,
  listAttachments,
  listAuditEvents,
  openDatabase,
  releaseRecordLock,
  retractAttachment,
  StoreError,
  saveItems,
  setFormStatus,
  sha256Of,
  verifyAuditChain,
} from '../index.js';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing/databases.js';

const system: Actor = { id: null, name: 'system' };

async function storeError(p: Promise<unknown>): Promise<StoreError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(StoreError);
  return e as StoreError;
}

for (const dialect of TEST_DIALECTS) {
  describe(`attachments on ${dialect}`, () => {
    let t: TestDatabase;
    let db: Db;
    let user: Actor;
    let studyId: string;
    let subjectId: string;
    let otherSubjectVisit: string;
    let visitId: string;
    // Every byte value, so a text conversion anywhere on the path would show.
    const pdf = Buffer.concat([
      Buffer.from('%PDF-1.4\n'),
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    ]);

    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      db = t.db;
      const u = await createUser(db, system, {
        username: 'coord',
        displayName: 'Coordinator',
        passwordHash: 'x',
      });
      user = { id: u.id, name: u.username };
      studyId = (await createStudy(db, system, { code: 'S', title: 'S', definition: {} })).id;
      const siteId = (await createSite(db, system, { studyId, code: 'A', name: 'A' })).id;
      await assignRole(db, system, { userId: u.id, role: 'coordinator', studyId, siteId });
      subjectId = (await createSubject(db, user, { studyId, siteId })).id;
      visitId = (await createVisit(db, user, { subjectId, visitCode: 'baseline' })).id;
      const other = (await createSubject(db, user, { studyId, siteId })).id;
      otherSubjectVisit = (await createVisit(db, user, { subjectId: other, visitCode: 'baseline' })).id;
    });
    afterAll(async () => t?.drop());

    it('keeps the bytes exactly, with their SHA-256, and audits the upload and each download', async () => {
      const a = await addAttachment(db, user, {
        subjectId,
        visitId,
        fileName: 'discharge letter.pdf',
        contentType: 'application/pdf',
        content: pdf,
        scanStatus: 'not scanned',
      });
      expect(a).toMatchObject({ bytes: pdf.length, sha256: sha256Of(pdf), status: 'active', version: 1 });
      expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
      const { content, info } = await downloadAttachment(db, user, a.id);
      expect(content.equals(pdf)).toBe(true);
      expect(info.file_name).toBe('discharge letter.pdf');
      expect((await listAttachments(db, subjectId, { visitId })).map((r) => r.id)).toEqual([a.id]);
      const events = (await listAuditEvents(db, { entityId: a.id })).map((e) => e.action);
      expect(events).toEqual(['attachment.create', 'attachment.download']);
    });

    it('refuses a visit of another subject', async () => {
      const e = await storeError(
        addAttachment(db, user, {
          subjectId,
          visitId: otherSubjectVisit,
          fileName: 'x.pdf',
          contentType: 'application/pdf',
          content: pdf,
          scanStatus: 'not scanned',
        }),
      );
      expect(e.code).toBe('invalid');
      expect(e.details.field).toBe('visitId');
    });

    it('retracts with a reason: the row and bytes stay, downloads are refused, a stale version is a conflict', async () => {
      const a = await addAttachment(db, user, {
        subjectId,
        fileName: 'wrong patient.pdf',
        contentType: 'application/pdf',
        content: pdf,
        scanStatus: 'clean',
        scanner: 'fake-scan',
      });
      expect((await storeError(retractAttachment(db, user, a.id, { version: 1, reason: ' ' }))).code).toBe(
        'reason_required',
      );
      const r = await retractAttachment(db, user, a.id, {
        version: 1,
        reason: 'uploaded to the wrong patient',
      });
      expect(r).toMatchObject({
        status: 'retracted',
        version: 2,
        retract_reason: 'uploaded to the wrong patient',
      });
      expect(
        (await storeError(retractAttachment(db, user, a.id, { version: 1, reason: 'again' }))).code,
      ).toBe('conflict');
      const refused = await storeError(downloadAttachment(db, user, a.id));
      expect(refused.message).toMatch(/retracted .*uploaded to the wrong patient/);
      const kept = await db.kysely
        .selectFrom('attachments')
        .select('content')
        .where('id', '=', a.id)
        .executeTakeFirst();
      expect(Buffer.from(kept!.content).equals(pdf)).toBe(true);
      const retract = (await listAuditEvents(db, { entityId: a.id })).find(
        (e) => e.action === 'attachment.retract',
      );
      expect(retract).toMatchObject({
        reason: 'uploaded to the wrong patient',
        old_value: 'active',
        new_value: 'retracted',
      });
    });

    it('a lock on the subject refuses an upload', async () => {
      const lock = await createRecordLock(db, user, {
        studyId,
        level: 'subject',
        kind: 'lock',
        subjectId,
        reason: 'review',
      });
      const e = await storeError(
        addAttachment(db, user, {
          subjectId,
          fileName: 'x.pdf',
          contentType: 'application/pdf',
          content: pdf,
          scanStatus: 'not scanned',
        }),
      );
      expect(e.code).toBe('locked');
      await releaseRecordLock(db, user, lock.id, lock.version, 'done');
    });

    it('a backup carries the files: it verifies (bytes against their SHA-256) and holds the same bytes', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'msct-attach-backup-'));
      try {
        const report = await backupDatabase(
          db,
          join(dir, `backup.${dialect === 'sqlite' ? 'sqlite' : 'dump'}`),
        );
        expect(report.rowsChecked).toBeGreaterThan(0);
        if (dialect === 'sqlite') {
          const copy = openDatabase(`sqlite:${report.file}`);
          try {
            const rows = await copy.kysely.selectFrom('attachments').select(['content', 'sha256']).execute();
            expect(rows.length).toBe(2);
            for (const r of rows) expect(sha256Of(Buffer.from(r.content))).toBe(r.sha256);
            expect(rows.some((r) => Buffer.from(r.content).equals(pdf))).toBe(true);
          } finally {
            await copy.close();
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('the trail explains every attachment row, and bytes swapped around it are found', async () => {
      expect((await verifyAuditChain(db)).ok).toBe(true);
      const before = await verifyAuditedData(db);
      expect(before.findings.filter((f) => f.table === 'attachments')).toEqual([]);
      expect(before.rowsChecked.attachments).toBe(2);
      const [first] = await listAttachments(db, subjectId);
      await sql`update attachments set content = ${Buffer.from('%PDF-forged')} where id = ${first!.id}`.execute(
        db.kysely,
      );
      await sql`update attachments set file_name = 'renamed.pdf' where id = ${first!.id}`.execute(db.kysely);
      const after = await verifyAuditedData(db);
      const found = after.findings.filter((f) => f.table === 'attachments').map((f) => f.field);
      expect(found.sort()).toEqual(['content', 'file_name']);
    });

    it('a file on one form: listed with the form and its visit; a signed form takes no file and no retraction until unlocked', async () => {
      const { form } = await saveItems(db, user, {
        visitId,
        formCode: 'labs',
        items: [{ itemCode: 'platelets', value: '80' }],
      });
      const a = await addAttachment(db, user, {
        subjectId,
        formId: form.id,
        fileName: 'lab report.pdf',
        contentType: 'application/pdf',
        content: pdf,
        scanStatus: 'not scanned',
      });
      expect(a).toMatchObject({ form_id: form.id, visit_id: visitId });
      expect((await listAttachments(db, subjectId, { formId: form.id })).map((r) => r.id)).toEqual([a.id]);
      expect((await listAttachments(db, subjectId, { visitId })).map((r) => r.id)).toContain(a.id);
      const create = (await listAuditEvents(db, { entityId: a.id }))[0]!;
      expect(JSON.parse(create.new_value!)).toMatchObject({ form_id: form.id, visit_id: visitId });
      // A form of another subject, or of another visit than the one named, is refused at formId.
      const other = await saveItems(db, user, {
        visitId: otherSubjectVisit,
        formCode: 'labs',
        items: [{ itemCode: 'platelets', value: '90' }],
      });
      const wrong = {
        fileName: 'x.pdf',
        contentType: 'application/pdf',
        content: pdf,
        scanStatus: 'clean',
      } as const;
      const e1 = await storeError(addAttachment(db, user, { subjectId, formId: other.form.id, ...wrong }));
      expect([e1.code, e1.details.field]).toEqual(['invalid', 'formId']);
      const otherVisit = (await createVisit(db, user, { subjectId, visitCode: 'month_1' })).id;
      const e2 = await storeError(
        addAttachment(db, user, { subjectId, visitId: otherVisit, formId: form.id, ...wrong }),
      );
      expect([e2.code, e2.details.field]).toEqual(['invalid', 'formId']);
      // Signed: the form's files are part of what was signed.
      const signed = await setFormStatus(db, user, form.id, form.version, 'signed');
      const e3 = await storeError(addAttachment(db, user, { subjectId, formId: form.id, ...wrong }));
      expect(e3.code).toBe('locked');
      expect(e3.message).toMatch(/form labs.*signed.*unlock/);
      const e4 = await storeError(retractAttachment(db, user, a.id, { version: 1, reason: 'wrong file' }));
      expect(e4.code).toBe('locked');
      // Unlocked with a reason, the form's file can be retracted.
      await setFormStatus(db, user, form.id, signed.version, 'incomplete', 'add the missing page');
      expect((await retractAttachment(db, user, a.id, { version: 1, reason: 'wrong file' })).status).toBe(
        'retracted',
      );
      const found = (await verifyAuditedData(db)).findings.filter((f) => f.recordId === a.id);
      expect(found).toEqual([]);
    });
  });
}
