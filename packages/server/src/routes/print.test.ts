// Issue #22 (printable CRFs and the patient casebook) and #21 (a signed record shows the signer's
// full name, the date/time and the meaning in the PDF casebook), over HTTP on both databases: the
// blank CRFs from the study definition, the casebook's content (values as labels with units,
// signatures, AEs, infusions, audit trail), access like the subject record, pseudonymisation with
// no calendar dates, the export audited, and both printed to PDF by headless Chromium.
import { SIGNATURE_MEANING } from '@msct/contract';
import { msctSleTrial } from '@msct/core/protocol';
import {
  addAttachment,
  createStudy,
  createSubjectRecord,
  createVisit,
  saveItems,
  setFormStatus,
  sha256Of,
  signForms,
} from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  enrolTestSubject,
  loginClients,
  startTestServer,
  type TestServer,
  type TestTrial,
} from '../testing/test-server.js';

const REPORT = Buffer.from('%PDF-1.4\n% lab report of the casebook test\n%%EOF\n');
const NOTE = Buffer.from('referral letter\n');

const DATES = {
  birth: '1971-04-23',
  enrolled: '2013-01-03',
  day0: '2013-01-10',
  m12: '2014-01-09',
  aeOnset: '2013-01-14',
};

/** Pages of a PDF: its page objects (`/Type /Page`, not `/Pages`). */
const pageCount = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length;

for (const dialect of TEST_DIALECTS)
  describe(`blank CRFs and the patient casebook on ${dialect}`, () => {
    let server: TestServer;
    let trial: TestTrial;
    let subject: { id: string; code: string; pseudonym: string };
    let c: Record<'investigator' | 'coordinator_b' | 'statistician' | 'safety' | 'monitor', ApiClient>;

    beforeAll(async () => {
      server = await startTestServer(dialect);
      trial = await createTestTrial(server.db, { definition: msctSleTrial });
      // The signer's full name, as the signature shows it (21 CFR 11.50(a)(1)).
      await server.db.kysely
        .updateTable('users')
        .set({ display_name: 'Dr Wei Li' })
        .where('id', '=', trial.users.investigator!.id)
        .execute();
      const admin = { id: trial.users.admin!.id, name: 'admin' };
      subject = await enrolTestSubject(server.db, trial, DATES);
      const s = subject;
      const v = await createVisit(server.db, admin, {
        subjectId: s.id,
        visitCode: 'M12',
        visitDate: DATES.m12,
      });
      const labs = await saveItems(server.db, admin, {
        visitId: v.id,
        formCode: 'labs',
        items: [{ itemCode: 'albumin', value: '30', unit: 'g/L' }],
      });
      const eos = await saveItems(server.db, admin, {
        visitId: v.id,
        formCode: 'end-of-study',
        items: [
          { itemCode: 'status', value: 'died' },
          { itemCode: 'date', value: DATES.m12 },
        ],
      });
      // Files on the labs form (before it is signed) and on the subject: listed in the casebook.
      await addAttachment(server.db, admin, {
        subjectId: s.id,
        formId: labs.form.id,
        fileName: 'Lab report M12.pdf',
        contentType: 'application/pdf',
        content: REPORT,
        scanStatus: 'not scanned',
      });
      await addAttachment(server.db, admin, {
        subjectId: s.id,
        fileName: 'Referral letter.txt',
        contentType: 'text/plain; charset=utf-8',
        content: NOTE,
        scanStatus: 'clean',
        scanner: 'fake-scan',
      });
      const done = await Promise.all(
        [labs, eos].map((f) => setFormStatus(server.db, admin, f.form.id, f.form.version, 'complete')),
      );
      await signForms(
        server.db,
        { id: trial.users.investigator!.id, name: 'investigator' },
        {
          subjectId: s.id,
          visitId: v.id,
          forms: done.map((f) => ({ formId: f.id, version: f.version })),
          meaning: SIGNATURE_MEANING,
        },
      );
      await createSubjectRecord(server.db, admin, 'adverse_events', s.id, {
        term: 'Fever',
        onset_date: DATES.aeOnset,
        resolution_date: null,
        ctcae_grade: 2,
        serious: 0,
        seriousness_json: '[]',
        relatedness: 'possible',
        action_taken: null,
        outcome: 'recovered',
        infusion_id: null,
        death_date: null,
        death_cause: null,
      });
      c = await loginClients(server.baseUrl, [
        'investigator',
        'coordinator_b',
        'statistician',
        'safety',
        'monitor',
      ]);
    }, 120_000);
    afterAll(async () => server?.close());

    it('prints blank CRFs from the definition: a page per form, items with labels, choices as boxes, units, ranges, visits', async () => {
      const res = await c.investigator.get<string>(`/api/studies/${trial.studyId}/crfs.html`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const html = res.body;
      const forms = msctSleTrial.forms ?? [];
      expect(html.match(/<section class="page"/g)).toHaveLength(forms.length);
      for (const f of forms) expect(html).toContain(`id="crf-${f.id}"`);
      // The end-of-study status: its code list's labels as tick boxes; the visits by label and code.
      const eos = html.slice(html.indexOf('id="crf-end-of-study"'));
      expect(eos).toMatch(/<span class="box"><\/span>Died <span class="code">\(died\)<\/span>/);
      expect(eos).toContain('Collected at: Month 12');
      // A lab value with its unit and range.
      const labs = html.slice(
        html.indexOf('id="crf-labs"'),
        html.indexOf('</section>', html.indexOf('id="crf-labs"')),
      );
      expect(labs).toContain('g/L');
      expect(labs).toMatch(/\d+ – \d+/);
    });

    it('an ad-hoc study has no CRFs to print: 404 saying why', async () => {
      const adHoc = await createStudy(
        server.db,
        { id: null, name: 'test' },
        { code: `AH${dialect}`, title: 'Ad hoc', definition: {} },
      );
      const admin = new ApiClient(server.baseUrl);
      await admin.login('admin');
      const res = await admin.get<{ detail: string }>(`/api/studies/${adHoc.id}/crfs.html`);
      expect(res.status).toBe(404);
      expect(res.body.detail).toMatch(/no definition/);
    });

    it('prints the casebook: values as labels with units, the signature manifestation, AEs and the audit trail; audited as an export', async () => {
      const res = await c.investigator.get<string>(`/api/subjects/${subject.id}/casebook.html`);
      expect(res.status).toBe(200);
      const html = res.body;
      expect(html).toContain(`Patient casebook — ${subject.code}`);
      expect(html).toContain(DATES.m12);
      // Labels, not codes: "Died", not "died"; the albumin value with its unit.
      expect(html).toContain('<td>Died</td>');
      expect(html).not.toContain('<td>died</td>');
      expect(html).toMatch(
        /Serum albumin[^<]*<span class="code">albumin<\/span><\/td><td>30<\/td><td>g\/L<\/td>/,
      );
      // 21 CFR 11.50: the signer's full name, the date and time with its zone, the meaning.
      expect(html).toMatch(
        /Electronically signed<\/strong> by <strong>Dr Wei Li<\/strong> on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.<br>Meaning of the signature: I am the investigator responsible/,
      );
      expect(html).toContain('<td>Fever</td>');
      // Every attached file's metadata: the record it belongs to, name, type, size, SHA-256, who/when.
      expect(html).toContain('<h2>Attached files</h2>');
      expect(html).toMatch(
        new RegExp(
          `<td>Visit M12, form Laboratory[^<]*</td><td>Lab report M12\\.pdf</td><td>application/pdf</td><td>${REPORT.length} bytes</td><td><span class="code">${sha256Of(REPORT)}</span></td><td>admin, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC</td><td>not scanned</td><td>Active</td>`,
        ),
      );
      expect(html).toMatch(
        /<td>Subject<\/td><td>Referral letter\.txt<\/td><td>text\/plain; charset=utf-8<\/td>/,
      );
      expect(html).toContain(sha256Of(NOTE));
      // The audit trail: the signature and the item values, the item named by its label.
      expect(html).toContain('<td>form.sign</td>');
      expect(html).toMatch(
        /<td>item — End of study \/ withdrawal \/ death: Status<\/td><td><\/td><td>Died<\/td>/,
      );
      const exported = await server.db.kysely
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'casebook.export')
        .where('subject_id', '=', subject.id)
        .execute();
      expect(exported.at(-1)).toMatchObject({ actor_name: 'investigator', entity_id: subject.id });
      expect(JSON.parse(exported.at(-1)!.new_value!)).toEqual({ format: 'html', pseudonymised: false });
    });

    it('is read like the subject record: another site gets 404; a role without the audit trail gets the casebook without it', async () => {
      expect((await c.coordinator_b.get(`/api/subjects/${subject.id}/casebook.html`)).status).toBe(404);
      expect((await c.coordinator_b.get(`/api/subjects/${subject.id}/casebook.pdf`)).status).toBe(404);
      const safety = await c.safety.get<string>(`/api/subjects/${subject.id}/casebook.html`);
      expect(safety.status).toBe(200);
      expect(safety.body).toContain('Not included: your role does not read the audit trail.');
      expect(safety.body).not.toContain('<td>form.sign</td>');
    });

    it('pseudonymises for the statistician: the pseudonym, no birth date, no calendar date of the data', async () => {
      const res = await c.statistician.get<string>(`/api/subjects/${subject.id}/casebook.html`);
      expect(res.status).toBe(200);
      const html = res.body;
      expect(html).toContain(`Patient casebook — ${subject.pseudonym}`);
      expect(html).not.toContain(subject.code);
      for (const d of Object.values(DATES)) expect(html).not.toContain(d);
      expect(html).toContain('Pseudonymised:');
      // Files listed without their names (a file name can name the patient); the digests stay.
      expect(html).not.toContain('Lab report M12.pdf');
      expect(html).toContain('File 1 (name withheld)');
      expect(html).toContain(sha256Of(REPORT));
      // The signature is still shown with its name and meaning (dates shifted).
      expect(html).toContain('by <strong>Dr Wei Li</strong>');
    });

    it('prints both to PDF with headless Chromium', async () => {
      const crfs = await c.monitor.bytes(`/api/studies/${trial.studyId}/crfs.pdf`);
      expect(crfs.status).toBe(200);
      expect(crfs.headers.get('content-type')).toBe('application/pdf');
      expect(crfs.headers.get('content-disposition')).toMatch(/attachment; filename=".*-blank-crfs\.pdf"/);
      expect(crfs.body.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pageCount(crfs.body)).toBeGreaterThanOrEqual((msctSleTrial.forms ?? []).length);
      const cb = await c.investigator.bytes(`/api/subjects/${subject.id}/casebook.pdf`);
      expect(cb.status).toBe(200);
      expect(cb.headers.get('content-disposition')).toContain(`casebook-${subject.code}.pdf`);
      expect(cb.body.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pageCount(cb.body)).toBeGreaterThan(1);
    });
  });
