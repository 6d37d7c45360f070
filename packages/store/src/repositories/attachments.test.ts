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
  });
}
