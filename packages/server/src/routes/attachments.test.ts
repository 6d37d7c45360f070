// Attachments through the real HTTP server (issue 22): the kind is read from the content (a PDF
// named .txt is a PDF; an executable named .pdf is refused), the size limit and the scanner hook
// refuse at the field `file` with what and why, a file is guarded like its subject (another site
// 404, pseudonymised roles see no name and get no download), retraction keeps the bytes and stops
// downloads, and upload, download and retraction are audited.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSubject, createVisit, listAuditEvents, setFormStatus } from '@msct/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileKindOf } from '../attachments/file-kind.js';
import { configFromEnv } from '../config.js';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  type TestServer,
  type TestTrial,
} from '../testing/test-server.js';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64, 0x90)]);

interface Problem {
  code: string;
  detail: string;
  errors: { field: string; rule: string; message: string }[];
}
interface Attachment {
  id: string;
  fileName: string | null;
  kind: string;
  bytes: number;
  sha256: string;
  scanStatus: string;
  status: string;
  version: number;
}

describe('file kinds from the content (ISO 32000 / PNG / T.81 / TIFF 6.0 signatures)', () => {
  it('reads the kind from the bytes, not the name', () => {
    expect(fileKindOf(PDF, 'notes.txt')).toBe('pdf');
    expect(fileKindOf(PNG, 'scan.pdf')).toBe('png');
    expect(fileKindOf(Buffer.from([0xff, 0xd8, 0xff, 0xe0]), 'x')).toBe('jpeg');
    expect(fileKindOf(Buffer.from('II*\0'), 'x')).toBe('tiff');
    expect(fileKindOf(Buffer.from('MM\0*'), 'x')).toBe('tiff');
    expect(fileKindOf(Buffer.from('a,b\n1,2\n'), 'labs.CSV')).toBe('csv');
    expect(fileKindOf(Buffer.from('Befund: unauffällig\n'), 'report')).toBe('text');
    expect(fileKindOf(EXE, 'report.pdf')).toBeUndefined();
    expect(fileKindOf(Buffer.from([0x61, 0x00, 0x62]), 'x.txt')).toBeUndefined();
    expect(fileKindOf(Buffer.from([0xc3, 0x28]), 'x.txt')).toBeUndefined(); // not UTF-8
    expect(fileKindOf(Buffer.alloc(0), 'x.txt')).toBeUndefined();
  });
});

describe('attachment settings from the environment', () => {
  it('reads the limit, the kinds and the scanner, and refuses an unknown kind at start-up', () => {
    expect(configFromEnv({})).not.toHaveProperty('attachmentMaxBytes');
    const c = configFromEnv({
      MSCT_ATTACHMENT_MAX_BYTES: '5000000',
      MSCT_ATTACHMENT_TYPES: 'PDF, csv',
      MSCT_SCAN_COMMAND: '/usr/local/bin/scan',
    });
    expect(c).toMatchObject({
      attachmentMaxBytes: 5_000_000,
      attachmentKinds: ['pdf', 'csv'],
      scanCommand: '/usr/local/bin/scan',
    });
    expect(() => configFromEnv({ MSCT_ATTACHMENT_TYPES: 'pdf,docx' })).toThrow(
      'MSCT_ATTACHMENT_TYPES: "docx" is not one of pdf, png, jpeg, tiff, text, csv',
    );
  });
});

describe('attachments over HTTP', () => {
  let server: TestServer;
  let trial: TestTrial;
  let dir: string;
  let subjectId: string;
  let visitId: string;
  const as: Record<string, ApiClient> = {};

  const upload = (c: ApiClient, body: Buffer, fileName: string, visit?: string) =>
    c.request<Attachment & Problem>(
      'POST',
      `/api/subjects/${subjectId}/attachments?fileName=${encodeURIComponent(fileName)}${visit ? `&visitId=${visit}` : ''}`,
      body,
      { 'content-type': 'application/octet-stream' },
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'msct-scan-'));
    // The fake scanner: refuses a file holding the EICAR-like marker, passes any other.
    const scan = join(dir, 'fake-scan.sh');
    writeFileSync(
      scan,
      '#!/bin/sh\nif grep -q INFECTED-TEST-MARKER "$1"; then echo "FOUND: Test.Marker"; exit 1; fi\nexit 0\n',
    );
    chmodSync(scan, 0o755);
    server = await startTestServer('sqlite', { attachmentMaxBytes: 1024, scanCommand: scan });
    trial = await createTestTrial(server.db);
    const admin = { id: trial.users.admin!.id, name: 'admin' };
    subjectId = (await createSubject(server.db, admin, { studyId: trial.studyId, siteId: trial.siteA })).id;
    visitId = (await createVisit(server.db, admin, { subjectId, visitCode: 'baseline' })).id;
    for (const role of ['coordinator', 'coordinator_b', 'monitor', 'statistician']) {
      as[role] = new ApiClient(server.baseUrl);
      expect((await as[role].login(role)).status).toBe(200);
    }
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a coordinator uploads a PDF to a visit; a monitor of every site downloads the same bytes; both audited', async () => {
    const up = await upload(as.coordinator!, PDF, 'Befund 2026-03-01.pdf', visitId);
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({
      fileName: 'Befund 2026-03-01.pdf',
      kind: 'pdf',
      bytes: PDF.length,
      scanStatus: 'clean',
      status: 'active',
    });
    const list = await as.monitor!.get<{
      attachments: Attachment[];
      mayUpload: boolean;
      limits: { maxBytes: number };
    }>(`/api/subjects/${subjectId}/attachments?visitId=${visitId}`);
    expect(list.body.attachments.map((a) => a.id)).toEqual([up.body.id]);
    expect(list.body.mayUpload).toBe(false);
    expect(list.body.limits.maxBytes).toBe(1024);
    const file = await as.monitor!.bytes(`/api/attachments/${up.body.id}/file`);
    expect(file.status).toBe(200);
    expect(file.body.equals(PDF)).toBe(true);
    expect(file.headers.get('content-type')).toBe('application/octet-stream');
    expect(file.headers.get('content-disposition')).toContain("filename*=UTF-8''Befund%202026-03-01.pdf");
    const actions = (await listAuditEvents(server.db, { entityId: up.body.id })).map((e) => e.action);
    expect(actions).toEqual(['attachment.create', 'attachment.download']);
  });

  it('another site cannot see the subject or its files (404)', async () => {
    expect((await as.coordinator_b!.get(`/api/subjects/${subjectId}/attachments`)).status).toBe(404);
    const [a] = (
      await as.coordinator!.get<{ attachments: Attachment[] }>(`/api/subjects/${subjectId}/attachments`)
    ).body.attachments;
    expect((await as.coordinator_b!.bytes(`/api/attachments/${a!.id}/file`)).status).toBe(404);
    expect((await upload(as.coordinator_b!, PDF, 'x.pdf')).status).toBe(404);
  });

  it('a pseudonymised role sees no file name and gets no download', async () => {
    const list = await as.statistician!.get<{ attachments: Attachment[] }>(
      `/api/subjects/${subjectId}/attachments`,
    );
    expect(list.status).toBe(200);
    expect(list.body.attachments[0]!.fileName).toBeNull();
    expect(JSON.stringify(list.body)).not.toContain('Befund');
    const res = await as.statistician!.request<Problem>(
      'GET',
      `/api/attachments/${list.body.attachments[0]!.id}/file`,
    );
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/can name the patient/);
  });

  it('refuses, at the field, a file of the wrong kind whatever its name, one too large, and one the scanner refuses', async () => {
    const exe = await upload(as.coordinator!, EXE, 'report.pdf');
    expect(exe.status).toBe(415);
    expect(exe.body.errors).toEqual([
      {
        field: 'file',
        rule: 'file-type',
        message:
          'report.pdf is not a file of an accepted kind (PDF, PNG, JPEG, TIFF, plain text, CSV): its content is a Windows program',
      },
    ]);
    const big = await upload(as.coordinator!, Buffer.concat([PDF, Buffer.alloc(2000, 0x20)]), 'big.pdf');
    expect(big.status).toBe(413);
    expect(big.body.errors[0]).toMatchObject({ field: 'file', rule: 'max-size' });
    expect(big.body.errors[0]!.message).toMatch(/^big\.pdf is 2\.0 KB: files may be at most 1\.0 KB$/);
    const infected = await upload(as.coordinator!, Buffer.from('INFECTED-TEST-MARKER\n'), 'note.txt');
    expect(infected.status).toBe(400);
    expect(infected.body.errors[0]).toEqual({
      field: 'file',
      rule: 'virus-scan',
      message: 'note.txt was not accepted: the virus scanner refused it (exit 1): FOUND: Test.Marker',
    });
    const list = await as.coordinator!.get<{ attachments: Attachment[] }>(
      `/api/subjects/${subjectId}/attachments`,
    );
    expect(list.body.attachments).toHaveLength(1); // nothing refused was stored
  });

  it('retracts with a reason: listed as retracted, download refused, audited; a stale version is a conflict', async () => {
    const up = await upload(as.coordinator!, PNG, 'wrong patient.png');
    expect(up.status).toBe(201);
    const noReason = await as.coordinator!.post<Problem>(`/api/attachments/${up.body.id}/retract`, {
      version: 1,
      reason: ' ',
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0]!.field).toBe('body.reason');
    const r = await as.coordinator!.post<Attachment>(`/api/attachments/${up.body.id}/retract`, {
      version: 1,
      reason: 'wrong patient',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'retracted', version: 2 });
    expect(
      (await as.coordinator!.post(`/api/attachments/${up.body.id}/retract`, { version: 1, reason: 'again' }))
        .status,
    ).toBe(409);
    const dl = await as.monitor!.request<Problem>('GET', `/api/attachments/${up.body.id}/file`);
    expect(dl.status).toBe(400);
    expect(dl.body.detail).toMatch(/retracted .*wrong patient/);
    const retract = (await listAuditEvents(server.db, { entityId: up.body.id })).find(
      (e) => e.action === 'attachment.retract',
    );
    expect(retract?.reason).toBe('wrong patient');
    expect(
      (await as.monitor!.post(`/api/attachments/${up.body.id}/retract`, { version: 2, reason: 'x' })).status,
    ).toBe(403);
  });

  it("a file on one form: listed with the form, refused for another subject's form, and while the form is signed (423)", async () => {
    const saved = await as.coordinator!.put<{ id: string; version: number }>(
      `/api/visits/${visitId}/forms/labs`,
      { items: [{ itemCode: 'platelets', value: '80' }] },
    );
    expect(saved.status).toBe(200);
    const formId = saved.body.id;
    const toForm = (c: ApiClient, form: string, name = 'lab report.pdf') =>
      c.request<Attachment & Problem & { formId: string; visitId: string }>(
        'POST',
        `/api/subjects/${subjectId}/attachments?fileName=${encodeURIComponent(name)}&formId=${form}`,
        PDF,
        { 'content-type': 'application/octet-stream' },
      );
    const up = await toForm(as.coordinator!, formId);
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ formId, visitId, fileName: 'lab report.pdf' });
    const list = await as.monitor!.get<{ attachments: { id: string; formId: string | null }[] }>(
      `/api/subjects/${subjectId}/attachments?formId=${formId}`,
    );
    expect(list.body.attachments.map((a) => [a.id, a.formId])).toEqual([[up.body.id, formId]]);
    // Another subject's form: refused at formId, nothing stored.
    const admin = { id: trial.users.admin!.id, name: 'admin' };
    const other = (await createSubject(server.db, admin, { studyId: trial.studyId, siteId: trial.siteA })).id;
    const otherVisit = (await createVisit(server.db, admin, { subjectId: other, visitCode: 'baseline' })).id;
    const otherForm = await as.coordinator!.put<{ id: string }>(`/api/visits/${otherVisit}/forms/labs`, {
      items: [{ itemCode: 'platelets', value: '90' }],
    });
    const wrong = await toForm(as.coordinator!, otherForm.body.id);
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0]).toMatchObject({ field: 'formId', rule: 'belongs-to-subject' });
    // Signed: the form's files are part of what was signed; no new file, no retraction.
    await setFormStatus(server.db, admin, formId, saved.body.version, 'signed');
    const late = await toForm(as.coordinator!, formId, 'late page.pdf');
    expect(late.status).toBe(423);
    expect(late.body.detail).toMatch(/form labs.*signed.*unlock/);
    const retract = await as.coordinator!.post<Problem>(`/api/attachments/${up.body.id}/retract`, {
      version: 1,
      reason: 'wrong report',
    });
    expect(retract.status).toBe(423);
    const all = await as.monitor!.get<{ attachments: { fileName: string | null }[] }>(
      `/api/subjects/${subjectId}/attachments?formId=${formId}`,
    );
    expect(all.body.attachments.map((a) => a.fileName)).toEqual(['lab report.pdf']);
  });
});
