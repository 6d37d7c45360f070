// Issue #21 "a printable CIOMS-I-style form": an SAE's CIOMS-I report over HTTP on both databases —
// every section (patient, reaction with its seriousness criteria, the suspect MSC product with lot,
// cells/kg and dates, concomitant therapy on or before the onset, history, sponsor, causality, the
// dates, initial/follow-up), read like the AE (another site 404), pseudonymised for the statistician
// with no calendar date, the export audited, and the PDF printed by headless Chromium whose text is
// read back (unpdf, PDF.js).
import { msctSleTrial } from '@msct/core/protocol';
import {
  addAdverseEventFollowUp,
  createSubjectRecord,
  createVisit,
  saveItems,
  updateSubjectRecord,
} from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageInYears, ciomsReportType } from '../print/cioms-data.js';
import {
  type ApiClient,
  createTestTrial,
  enrolTestSubject,
  loginClients,
  startTestServer,
  type TestServer,
  type TestTrial,
} from '../testing/test-server.js';

const DATES = {
  birth: '1971-04-23',
  enrolled: '2013-01-03',
  screening: '2013-01-05',
  day0: '2013-01-10',
  onset: '2013-01-14',
  serious: '2013-01-15',
  followUp: '2013-01-20',
  m12: '2014-01-09',
};

async function pdfText(pdf: Buffer): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdf)), { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

describe('CIOMS-I helpers', () => {
  it('gives the age in whole years at the onset (the birthday counts from its day)', () => {
    expect(ageInYears('1971-04-23', '2013-01-14')).toBe(41);
    expect(ageInYears('1971-04-23', '2013-04-22')).toBe(41);
    expect(ageInYears('1971-04-23', '2013-04-23')).toBe(42);
  });
  it('is an initial report until the sponsor recorded its report date, unless asked', () => {
    expect(ciomsReportType(undefined, null)).toBe('initial');
    expect(ciomsReportType(undefined, '2013-01-20')).toBe('follow-up');
    expect(ciomsReportType('initial', '2013-01-20')).toBe('initial');
    expect(ciomsReportType('follow-up', null)).toBe('follow-up');
  });
});

for (const dialect of TEST_DIALECTS)
  describe(`the CIOMS-I report of an SAE on ${dialect}`, () => {
    let server: TestServer;
    let trial: TestTrial;
    let subject: { id: string; code: string; pseudonym: string };
    let aeId: string;
    const admin = { id: '', name: 'admin' };
    let c: Record<'safety' | 'coordinator_b' | 'statistician' | 'investigator', ApiClient>;

    beforeAll(async () => {
      server = await startTestServer(dialect);
      trial = await createTestTrial(server.db, { definition: msctSleTrial });
      admin.id = trial.users.admin!.id;
      subject = await enrolTestSubject(server.db, trial, DATES);
      const s = subject;
      const scr = await createVisit(server.db, admin, {
        subjectId: s.id,
        visitCode: 'SCR',
        visitDate: DATES.screening,
      });
      await saveItems(server.db, admin, {
        visitId: scr.id,
        formCode: 'demographics',
        items: [
          { itemCode: 'disease_duration_months', value: '84', unit: 'months' },
          { itemCode: 'lupus_nephritis', value: '1' },
        ],
      });
      await saveItems(server.db, admin, {
        visitId: scr.id,
        formCode: 'medication',
        items: [{ itemCode: 'prednisone_mg_day', value: '30', unit: 'mg/day' }],
      });
      const d0 = await createVisit(server.db, admin, {
        subjectId: s.id,
        visitCode: 'D0',
        visitDate: DATES.day0,
      });
      await saveItems(server.db, admin, {
        visitId: d0.id,
        formCode: 'medication',
        items: [
          { itemCode: 'prednisone_mg_day', value: '25', unit: 'mg/day' },
          { itemCode: 'hydroxychloroquine', value: '1' },
        ],
      });
      // After the onset: not concomitant to this event.
      const m12 = await createVisit(server.db, admin, {
        subjectId: s.id,
        visitCode: 'M12',
        visitDate: DATES.m12,
      });
      await saveItems(server.db, admin, {
        visitId: m12.id,
        formCode: 'medication',
        items: [{ itemCode: 'prednisone_mg_day', value: '7.5', unit: 'mg/day' }],
      });
      const inf = await createSubjectRecord(server.db, admin, 'infusions', s.id, {
        cycle: 1,
        infusion_number: 1,
        planned_date: DATES.day0,
        started_at: `${DATES.day0}T09:30:00Z`,
        ended_at: `${DATES.day0}T10:05:00Z`,
        product_lot: 'UCMSC-2013-017',
        total_cells: 58_000_000,
        viability_pct: 94,
        volume_ml: 100,
        weight_kg: 58,
        vitals_json: null,
        reactions: null,
        status: 'given',
      });
      const ae = await createSubjectRecord(server.db, admin, 'adverse_events', s.id, {
        term: 'Pneumonia',
        onset_date: DATES.onset,
        resolution_date: null,
        ctcae_grade: 3,
        serious: 1,
        seriousness_json: JSON.stringify(['hospitalisation']),
        relatedness: 'possible',
        action_taken: 'intravenous antibiotics',
        outcome: 'recovering',
        infusion_id: inf.id,
        death_date: null,
        death_cause: null,
        serious_date: DATES.serious,
        site_aware_at: `${DATES.serious}T08:00:00Z`,
        sponsor_notified_at: `${DATES.serious}T15:00:00Z`,
        narrative: 'Admitted with fever and productive cough.',
      });
      aeId = ae.id;
      await addAdverseEventFollowUp(server.db, admin, aeId, {
        entryDate: DATES.followUp,
        text: 'Afebrile on day 3 of antibiotics.',
      });
      c = await loginClients(server.baseUrl, ['safety', 'coordinator_b', 'statistician', 'investigator']);
    }, 120_000);
    afterAll(async () => server?.close());

    it('prints every CIOMS-I section with labels, the suspect MSC lot and cells/kg, therapy up to the onset; audited', async () => {
      const res = await c.safety.get<string>(`/api/adverse-events/${aeId}/cioms.html`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const html = res.body;
      for (const heading of [
        'I. Reaction information',
        'II. Suspect drug information',
        'III. Concomitant drugs and history',
        'IV. Manufacturer and sponsor information',
      ])
        expect(html).toContain(`<h2>${heading}</h2>`);
      expect(html).toContain('<h3>Causality and expectedness</h3>');
      // Patient: code, birth date, age at onset, sex.
      expect(html).toContain(`<td>${subject.code}</td>`);
      expect(html).toContain(`<td>${DATES.birth}</td>`);
      expect(html).toContain('<td>41 years</td>');
      // Reaction: seriousness as the E2A criteria's labels, the outcome as a label, the narrative.
      expect(html).toMatch(/<strong>Requires or prolongs hospitalisation<\/strong> \(yes\)/);
      expect(html).not.toMatch(/<strong>Is life threatening<\/strong>/);
      expect(html).toContain('<td>Recovering</td>');
      expect(html).toContain('productive cough');
      expect(html).toContain('Afebrile on day 3 of antibiotics.');
      // Suspect product: the plan's product and route, the lot, cells/kg = 5.8e7 / 58 = 1e6.
      expect(html).toContain(msctSleTrial.infusion!.product);
      expect(html).toContain('<td>intravenous</td>');
      expect(html).toContain('UCMSC-2013-017');
      expect(html).toContain('1.00e+6 cells/kg');
      expect(html).toContain('(linked to this event)');
      expect(html).toContain(`${DATES.day0} 09:30:00 UTC`);
      // Concomitant: the D0 record (last on or before onset), labels; not the month-12 dose.
      expect(html).toContain(`visit D0 on ${DATES.day0}`);
      expect(html).toContain('Prednisone (or equivalent): 25 mg/day');
      expect(html).toContain('Hydroxychloroquine: Yes');
      expect(html).not.toContain('7.5 mg/day');
      // History from the demographics form.
      expect(html).toContain('Lupus nephritis at baseline: Yes');
      expect(html).toContain('SLE duration: 84 months');
      // Dates, causality, report type.
      expect(html).toContain(`${DATES.serious} 15:00:00 UTC`);
      expect(html).toContain('<td>Possible</td>');
      expect(html).toMatch(/<strong>Initial<\/strong> \(yes\)/);
      const exported = await server.db.kysely
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'cioms.export')
        .where('entity_id', '=', aeId)
        .execute();
      expect(exported).toHaveLength(1);
      expect(exported[0]).toMatchObject({ actor_name: 'safety', subject_id: subject.id });
      expect(JSON.parse(exported[0]!.new_value!)).toEqual({
        format: 'html',
        reportType: 'initial',
        pseudonymised: false,
      });
    });

    it('is a follow-up report once the sponsor recorded its report date, or when asked', async () => {
      const asked = await c.safety.get<string>(`/api/adverse-events/${aeId}/cioms.html?reportType=follow-up`);
      expect(asked.body).toMatch(/<strong>Follow-up<\/strong> \(yes\)/);
      const bad = await c.safety.get<{ detail: string }>(
        `/api/adverse-events/${aeId}/cioms.html?reportType=final`,
      );
      expect(bad.status).toBe(400);
      expect(bad.body.detail).toMatch(/reportType/);
      const row = await server.db.kysely
        .selectFrom('adverse_events')
        .select('version')
        .where('id', '=', aeId)
        .executeTakeFirstOrThrow();
      await updateSubjectRecord(
        server.db,
        admin,
        'adverse_events',
        aeId,
        row.version,
        { reported_date: DATES.followUp, sponsor_relatedness: 'probable', expectedness: 'unexpected' },
        'sponsor assessment',
      );
      const html = (await c.safety.get<string>(`/api/adverse-events/${aeId}/cioms.html`)).body;
      expect(html).toMatch(/<strong>Follow-up<\/strong> \(yes\)/);
      expect(html).toContain('<td>Probable</td>');
      expect(html).toContain('<td>unexpected</td>');
    });

    it('is read like the AE: another site gets 404, an unknown event 404', async () => {
      expect((await c.coordinator_b.get(`/api/adverse-events/${aeId}/cioms.html`)).status).toBe(404);
      expect((await c.coordinator_b.get(`/api/adverse-events/${aeId}/cioms.pdf`)).status).toBe(404);
      const unknown = await c.safety.get(
        `/api/adverse-events/00000000-0000-4000-8000-000000000000/cioms.html`,
      );
      expect(unknown.status).toBe(404);
    });

    it('pseudonymises for the statistician: the pseudonym, no birth date, no calendar date; the age is kept', async () => {
      const res = await c.statistician.get<string>(`/api/adverse-events/${aeId}/cioms.html`);
      expect(res.status).toBe(200);
      const html = res.body;
      expect(html).toContain(`<td>${subject.pseudonym}</td>`);
      expect(html).not.toContain(subject.code);
      for (const d of Object.values(DATES)) expect(html).not.toContain(d);
      expect(html).toContain('Pseudonymised:');
      expect(html).toContain('<td>41 years</td>');
    });

    it('prints the PDF with headless Chromium; its text carries the sections and the values', async () => {
      const pdf = await c.investigator.bytes(`/api/adverse-events/${aeId}/cioms.pdf`);
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      expect(pdf.headers.get('content-disposition')).toContain(`cioms-${subject.code}-Pneumonia.pdf`);
      expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');
      const text = await pdfText(pdf.body);
      expect(text).toContain('CIOMS-I suspect adverse reaction report');
      expect(text).toContain('II. Suspect drug information');
      expect(text).toContain('UCMSC-2013-017');
      expect(text).toContain('Pneumonia');
    }, 90_000);
  });
