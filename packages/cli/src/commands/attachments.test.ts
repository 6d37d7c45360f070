// `msct attachments list|get` (issue #22) on both databases: as the operator (MSCT_IMPORT_USER, else
// the first administrator) with that user's rights as in the API — another site's subject is not
// found, a pseudonymised role gets no name and no download — and a download is audited and written
// byte for byte to a new file.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addAttachment,
  assignRole,
  createSite,
  createStudy,
  createSubject,
  createUser,
  createVisit,
  listAuditEvents,
  openDatabase,
  saveItems,
  sha256Of,
} from '@msct/store';
import { createTestDatabase, TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachmentsGetCommand, attachmentsListCommand } from './attachments.js';

const REPORT = Buffer.concat([
  Buffer.from('%PDF-1.4\n'),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
]);

for (const dialect of TEST_DIALECTS)
  describe(`msct attachments list|get on ${dialect}`, () => {
    let drop: () => Promise<void>;
    let url: string;
    let dir: string;
    let formFileId: string;
    const before = { url: process.env.MSCT_DATABASE_URL, user: process.env.MSCT_IMPORT_USER };
    beforeAll(async () => {
      const t = await createTestDatabase(dialect);
      drop = t.drop;
      url = t.url;
      process.env.MSCT_DATABASE_URL = t.url;
      delete process.env.MSCT_IMPORT_USER;
      dir = mkdtempSync(join(tmpdir(), 'msct-cli-attach-'));
      const system = { id: null, name: 'test' };
      const user = async (username: string) =>
        createUser(t.db, system, {
          username,
          displayName: username,
          passwordHash: 'x',
          mustChangePassword: false,
        });
      const root = await user('root');
      await assignRole(t.db, system, { userId: root.id, role: 'admin', studyId: null, siteId: null });
      const study = await createStudy(t.db, system, { code: 'S', title: 'S', definition: {} });
      const siteA = await createSite(t.db, system, { studyId: study.id, code: 'SA', name: 'Site A' });
      const siteB = await createSite(t.db, system, { studyId: study.id, code: 'SB', name: 'Site B' });
      const coordB = await user('coordb');
      await assignRole(t.db, system, {
        userId: coordB.id,
        role: 'coordinator',
        studyId: study.id,
        siteId: siteB.id,
      });
      const stat = await user('stat');
      await assignRole(t.db, system, {
        userId: stat.id,
        role: 'statistician',
        studyId: study.id,
        siteId: null,
      });
      const rootActor = { id: root.id, name: 'root' };
      const s = await createSubject(t.db, rootActor, { studyId: study.id, siteId: siteA.id });
      const v = await createVisit(t.db, rootActor, { subjectId: s.id, visitCode: 'baseline' });
      const { form } = await saveItems(t.db, rootActor, {
        visitId: v.id,
        formCode: 'labs',
        items: [{ itemCode: 'platelets', value: '80' }],
      });
      formFileId = (
        await addAttachment(t.db, rootActor, {
          subjectId: s.id,
          formId: form.id,
          fileName: 'lab report.pdf',
          contentType: 'application/pdf',
          content: REPORT,
          scanStatus: 'not scanned',
        })
      ).id;
      await addAttachment(t.db, rootActor, {
        subjectId: s.id,
        fileName: 'referral.txt',
        contentType: 'text/plain; charset=utf-8',
        content: Buffer.from('referral\n'),
        scanStatus: 'clean',
        scanner: 'fake',
      });
      await t.db.close();
    });
    afterAll(async () => {
      for (const [k, v] of [
        ['MSCT_DATABASE_URL', before.url],
        ['MSCT_IMPORT_USER', before.user],
      ] as const)
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      rmSync(dir, { recursive: true, force: true });
      await drop?.();
    });

    it('lists the files with the record each belongs to, name, type, size and SHA-256', async () => {
      process.env.MSCT_DATABASE_URL = url;
      delete process.env.MSCT_IMPORT_USER;
      const text = await attachmentsListCommand({ subject: 'SA-001' });
      expect(text).toMatch(/^SA-001: 2 files$/m);
      expect(text).toContain(
        `${formFileId}  visit baseline form labs  lab report.pdf  application/pdf  ${REPORT.length} bytes  sha256 ${sha256Of(REPORT)}  root `,
      );
      expect(text).toMatch(/ {2}subject {2}referral\.txt {2}text\/plain; charset=utf-8 {2}9 bytes/);
      const json = JSON.parse(await attachmentsListCommand({ subject: 'SA-001', json: true }));
      expect(json.attachments.map((a: { fileName: string }) => a.fileName)).toEqual([
        'lab report.pdf',
        'referral.txt',
      ]);
    });

    it('is site-scoped and pseudonymised like the API', async () => {
      process.env.MSCT_DATABASE_URL = url;
      process.env.MSCT_IMPORT_USER = 'coordb';
      await expect(attachmentsListCommand({ subject: 'SA-001' })).rejects.toThrow(
        'no subject SA-001 that coordb can see',
      );
      await expect(attachmentsGetCommand(formFileId, { out: join(dir, 'x.pdf') })).rejects.toThrow(
        /no subject .* that coordb can see/,
      );
      process.env.MSCT_IMPORT_USER = 'stat';
      const json = JSON.parse(await attachmentsListCommand({ subject: 'SA-001', json: true }));
      expect(json.subject).not.toBe('SA-001');
      expect(json.attachments.map((a: { fileName: string | null }) => a.fileName)).toEqual([null, null]);
      await expect(attachmentsGetCommand(formFileId, { out: join(dir, 'y.pdf') })).rejects.toThrow(
        /pseudonymised data only/,
      );
      delete process.env.MSCT_IMPORT_USER;
    });

    it('gets a file byte for byte into a new file (0600), audited as a download; never over an existing file', async () => {
      process.env.MSCT_DATABASE_URL = url;
      delete process.env.MSCT_IMPORT_USER;
      const out = join(dir, 'report.pdf');
      expect(await attachmentsGetCommand(formFileId, { out })).toMatch(
        /lab report\.pdf .*the download is audited/,
      );
      expect(readFileSync(out).equals(REPORT)).toBe(true);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      await expect(attachmentsGetCommand(formFileId, { out })).rejects.toThrow(/EEXIST/);
      const db = openDatabase(url);
      try {
        const events = await listAuditEvents(db, { entityId: formFileId });
        expect(events.filter((e) => e.action === 'attachment.download').map((e) => e.actor_name)).toEqual([
          'root',
        ]);
      } finally {
        await db.close();
      }
    });
  });
