// Labs over the API (issue #22), both dialects: a lab value outside the range in force (the site's
// own range from its effective date over the protocol default, by sex) is flagged L/H/LL; the form
// cannot be complete until each out-of-range value has its CS/NCS answer; the monitor's out-of-range
// list across the study filters by site, subject, lab, flag and significance, as JSON and CSV; a
// coordinator of another site sees none of it; the statistician gets pseudonyms and no dates.
import { msctSleTrial, type StudyDefinition } from '@msct/core/protocol';
import { createSubject, createVisit, verifyAuditedData } from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createTestTrial, startTestServer, type TestServer } from '../testing/test-server.js';

interface Form {
  id: string;
  status: string;
  version: number;
}
interface Row {
  subjectCode: string;
  itemCode: string;
  value: number;
  flag: string;
  low: number | null;
  rangeUnit: string;
  valueInRangeUnit: number | null;
  criticalLow: number | null;
  rangeOrigin: string;
  significance: string | null;
  sampleDate: string | null;
  visitDate: string | null;
}
interface List {
  counts: { total: number; byFlag: Record<string, number>; unanswered: number };
  labs: { code: string; label: string }[];
  rows: Row[];
  offset: number;
  limit: number;
}

/** The built-in trial with the test trial's site A as a centre whose lab reports its own platelet range. */
function withSiteRange(): StudyDefinition {
  const d: StudyDefinition = JSON.parse(JSON.stringify(msctSleTrial));
  d.centres.push({ id: 'SA', name: 'Site A', city: 'Nanjing', country: 'CN' });
  d.labReferenceRanges = [
    ...(d.labReferenceRanges ?? []),
    {
      itemCode: 'platelets',
      unit: '10^9/L',
      centre: 'SA',
      low: 150,
      high: 400,
      criticalLow: 20,
      effectiveFrom: '2024-01-01',
    },
  ];
  return d;
}

for (const dialect of TEST_DIALECTS)
  describe(`labs: flags, CS/NCS and the out-of-range list on ${dialect}`, () => {
    let server: TestServer;
    let coord: ApiClient;
    let monitor: ApiClient;
    let studyId: string;
    let visitId: string;
    let subjectCode: string;
    const list = (q = '') => monitor.get<List>(`/api/studies/${studyId}/out-of-range-labs${q}`);

    beforeAll(async () => {
      server = await startTestServer(dialect);
      const trial = await createTestTrial(server.db, { definition: withSiteRange() });
      studyId = trial.studyId;
      coord = new ApiClient(server.baseUrl);
      monitor = new ApiClient(server.baseUrl);
      expect((await coord.login('coordinator')).status).toBe(200);
      expect((await monitor.login('monitor')).status).toBe(200);
      const actor = { id: trial.users.coordinator!.id, name: 'coordinator' };
      const subject = await createSubject(server.db, actor, {
        studyId,
        siteId: trial.siteA,
        sex: 'female',
      });
      subjectCode = subject.subject_code;
      visitId = (
        await createVisit(server.db, actor, {
          subjectId: subject.id,
          visitCode: 'M3',
          visitDate: '2024-04-10',
        })
      ).id;
    });
    afterAll(async () => {
      await server?.close();
    });

    it('an out-of-range value needs its CS/NCS answer before the form is complete', async () => {
      const saved = await coord.put<Form>(`/api/visits/${visitId}/forms/labs`, {
        items: [
          { itemCode: 'sample_date', value: '2024-04-09' },
          { itemCode: 'sample_time', value: '08:30' },
          // 140: normal by the protocol default (125–350) but low by site A's range (150–400).
          { itemCode: 'platelets', value: '140', unit: '10^9/L' },
          // 160 g/L: high for a woman (115–150), normal for a man.
          { itemCode: 'haemoglobin', value: '160', unit: 'g/L' },
          { itemCode: 'wbc', value: '5.0', unit: '10^9/L' },
        ],
      });
      expect(saved.status).toBe(200);
      const refused = await coord.post<{ errors: { field: string; message: string }[] }>(
        `/api/forms/${saved.body.id}/status`,
        { version: saved.body.version, status: 'complete' },
      );
      expect(refused.status).toBe(400);
      expect(refused.body.errors.map((e) => e.field).sort()).toEqual(['haemoglobin_cs', 'platelets_cs']);
      expect(refused.body.errors[0]!.message).toContain('outside its reference range, mark it CS or NCS');
    });

    it('the monitor lists both, filters them, and sees the answers once given', async () => {
      const all = await list();
      expect(all.status).toBe(200);
      expect(all.body.counts).toEqual({ total: 2, byFlag: { L: 1, H: 1 }, unanswered: 2 });
      expect(all.body.labs.map((l) => l.code)).toContain('platelets');
      const platelets = all.body.rows.find((r) => r.itemCode === 'platelets')!;
      expect(platelets).toMatchObject({
        subjectCode,
        value: 140,
        flag: 'L',
        rangeUnit: '10^9/L',
        valueInRangeUnit: null,
        low: 150,
        criticalLow: 20,
        rangeOrigin: 'site',
        significance: null,
        sampleDate: '2024-04-09',
      });
      expect((await list('?flag=H')).body.rows.map((r) => r.itemCode)).toEqual(['haemoglobin']);
      expect((await list('?lab=platelets')).body.rows).toHaveLength(1);
      expect((await list(`?subject=${subjectCode}`)).body.rows).toHaveLength(2);
      expect((await list('?subject=nobody')).body.rows).toHaveLength(0);
      // A page at a time (issue 16): the counts are over every match, the rows only the page's.
      const whole = (await list()).body;
      expect(whole).toMatchObject({ offset: 0, limit: 500 });
      const second = (await list('?offset=1&limit=1')).body;
      expect(second).toMatchObject({ offset: 1, limit: 1, counts: whole.counts });
      expect(second.rows).toEqual(whole.rows.slice(1, 2));
      expect((await list(`?offset=${whole.counts.total}`)).body.rows).toEqual([]);
      expect((await list('?limit=0')).status).toBe(400);
      expect((await list('?limit=1001')).status).toBe(400);

      const form = await coord.put<Form>(`/api/visits/${visitId}/forms/labs`, {
        items: [
          { itemCode: 'platelets_cs', value: 'NCS' },
          { itemCode: 'haemoglobin_cs', value: 'CS' },
        ],
      });
      expect(form.status).toBe(200);
      const done = await coord.post<Form>(`/api/forms/${form.body.id}/status`, {
        version: form.body.version,
        status: 'complete',
      });
      expect(done.status).toBe(200);
      expect((await list('?significance=NCS')).body.rows.map((r) => r.itemCode)).toEqual(['platelets']);
      expect((await list('?significance=unanswered')).body.rows).toEqual([]);
      const csv = await monitor.bytes(`/api/studies/${studyId}/out-of-range-labs.csv?lab=platelets`);
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toContain('text/csv');
      const lines = csv.body.toString('utf8').trim().split('\r\n');
      expect(lines[0]).toMatch(/^site,subject,visit,visit_date,sample_date,sample_time,lab,/);
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain(
        `SA,${subjectCode},M3,2024-04-10,2024-04-09,08:30,platelets,Platelets,140,10^9/L,L,low,10^9/L,,150,400,20,,site,`,
      );
      expect(lines[1]).toMatch(/,NCS,complete$/);
    });

    it('an unchanged study is listed again without reading its lab values; a write derives it anew', async () => {
      const before = (await list()).body; // derived and kept (the monitor reads every site)
      const csvBefore = (
        await monitor.bytes(`/api/studies/${studyId}/out-of-range-labs.csv`)
      ).body.toString();
      // The values made unreadable: only the kept list can answer.
      await sql`alter table item_values rename to item_values_gone`.execute(server.db.kysely);
      try {
        expect((await list()).body).toEqual(before);
        expect((await list('?offset=1&limit=1')).body.rows).toEqual(before.rows.slice(1, 2));
        expect((await list(`?subject=${subjectCode}&flag=L`)).body.rows.map((r) => r.itemCode)).toEqual([
          'platelets',
        ]);
        const csv = await monitor.bytes(`/api/studies/${studyId}/out-of-range-labs.csv`);
        expect(csv.status).toBe(200);
        expect(csv.body.toString()).toBe(csvBefore);
      } finally {
        await sql`alter table item_values_gone rename to item_values`.execute(server.db.kysely);
      }
      // A corrected value is audited, which moves the audit head: the next list is derived again.
      const corrected = await coord.put<Form>(`/api/visits/${visitId}/forms/labs`, {
        reason: 'transcription error',
        items: [{ itemCode: 'platelets', value: '130', unit: '10^9/L', version: 1 }],
      });
      expect(corrected.body).toMatchObject({ id: expect.any(String) });
      const after = (await list()).body;
      expect(after.counts).toEqual(before.counts);
      expect(after.rows.find((r) => r.itemCode === 'platelets')!.value).toBe(130);
    });

    it('a critically low value is LL; another site sees nothing; the statistician sees no code or date', async () => {
      const v = await coord.get<{
        forms: { formCode: string; items: { itemCode: string; version: number }[] }[];
      }>(`/api/visits/${visitId}`);
      const plt = v.body.forms
        .find((f) => f.formCode === 'labs')!
        .items.find((i) => i.itemCode === 'platelets')!;
      const saved = await coord.put(`/api/visits/${visitId}/forms/labs`, {
        items: [{ itemCode: 'platelets', value: '12', unit: '10^9/L', version: plt.version }],
        reason: 'transcription error corrected',
      });
      expect(saved.status).toBe(200);
      expect((await list('?lab=platelets')).body.rows[0]).toMatchObject({ flag: 'LL', significance: 'NCS' });

      const other = new ApiClient(server.baseUrl);
      expect((await other.login('coordinator_b')).status).toBe(200);
      const theirs = await other.get<List>(`/api/studies/${studyId}/out-of-range-labs`);
      expect(theirs.status).toBe(200);
      expect(theirs.body.rows).toEqual([]);

      const stat = new ApiClient(server.baseUrl);
      expect((await stat.login('statistician')).status).toBe(200);
      const pseud = await stat.get<List>(`/api/studies/${studyId}/out-of-range-labs`);
      expect(pseud.body.rows).toHaveLength(2);
      for (const r of pseud.body.rows) {
        expect(r.subjectCode).not.toBe(subjectCode);
        expect(r.sampleDate).toBeNull();
        expect(r.visitDate).toBeNull();
      }
      expect((await verifyAuditedData(server.db)).findings).toEqual([]);
    });
  });
