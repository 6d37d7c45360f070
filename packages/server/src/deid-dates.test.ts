// Issue 17 (finding 3, second part): a statistician reads pseudonymised data, and no calendar date of
// it. Every GET route of the OpenAPI document is read as the statistician on the real server; no
// answer may carry a date of the data, and the shifted dates keep each subject's intervals.
import { msctSleTrial } from '@msct/core/protocol';
import { createSubject, createSubjectRecord, createVisit, saveItems } from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateShiftSecret, offsetDays, shiftIsoDate } from './deid/date-shift.js';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  type TestServer,
  type TestTrial,
} from './testing/test-server.js';

/** Every date of the test subject's data, and where it is stored. */
const DATES = {
  birth: '1971-04-23',
  enrolled: '2013-01-03',
  day0: '2013-01-10',
  scr: '2013-01-02',
  d0: '2013-01-10',
  m1: '2013-02-11',
  m12: '2014-01-09',
  infusionPlanned: '2013-01-10',
  infusionStart: '2013-01-10T09:05:00.000Z',
  aeOnset: '2013-01-14',
  aeResolved: '2013-01-21',
  death: '2014-01-08',
  eosDate: '2014-01-08',
  lastContact: '2014-01-07',
};
const day = (s: string) => s.slice(0, 10);

/** Every string leaf of a JSON value by its path. */
function leaves(v: unknown, path = '$', out = new Map<string, string>()): Map<string, string> {
  if (typeof v === 'string') out.set(path, v);
  else if (Array.isArray(v)) for (const [i, x] of v.entries()) leaves(x, `${path}[${i}]`, out);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) leaves(x, `${path}.${k}`, out);
  return out;
}
const between = (a: string, b: string) => (Date.parse(day(b)) - Date.parse(day(a))) / 86_400_000;

for (const dialect of TEST_DIALECTS) {
  describe(`a statistician sees no calendar date of the data (${dialect})`, () => {
    let server: TestServer;
    let trial: TestTrial;
    let stat: ApiClient;
    let ids: { subjectId: string; visitIds: string[] };

    beforeAll(async () => {
      server = await startTestServer(dialect);
      trial = await createTestTrial(server.db, { definition: msctSleTrial });
      const admin = { id: trial.users.admin!.id, name: 'admin' };
      const s = await createSubject(server.db, admin, {
        studyId: trial.studyId,
        siteId: trial.siteA,
        status: 'enrolled',
        sex: 'F',
        birthDate: DATES.birth,
        enrolledAt: DATES.enrolled,
        day0Date: DATES.day0,
      });
      const visitIds: string[] = [];
      for (const [code, date] of [
        ['SCR', DATES.scr],
        ['D0', DATES.d0],
        ['M1', DATES.m1],
        ['M12', DATES.m12],
      ] as const) {
        const v = await createVisit(server.db, admin, { subjectId: s.id, visitCode: code, visitDate: date });
        visitIds.push(v.id);
        await saveItems(server.db, admin, {
          visitId: v.id,
          formCode: 'labs',
          items: [{ itemCode: 'albumin', value: '30', unit: 'g/L' }],
        });
      }
      await saveItems(server.db, admin, {
        visitId: visitIds[3]!,
        formCode: 'end-of-study',
        items: [
          { itemCode: 'status', value: 'died' },
          { itemCode: 'date', value: DATES.eosDate },
          { itemCode: 'last_contact_date', value: DATES.lastContact },
        ],
      });
      const inf = await createSubjectRecord(server.db, admin, 'infusions', s.id, {
        cycle: 1,
        infusion_number: 1,
        planned_date: DATES.infusionPlanned,
        started_at: DATES.infusionStart,
        ended_at: null,
        product_lot: 'L0',
        total_cells: 6e7,
        viability_pct: 95,
        volume_ml: 100,
        weight_kg: 60,
        vitals_json: null,
        reactions: null,
        status: 'given',
      });
      await createSubjectRecord(server.db, admin, 'adverse_events', s.id, {
        term: 'Fever',
        onset_date: DATES.aeOnset,
        resolution_date: DATES.aeResolved,
        ctcae_grade: 1,
        serious: 0,
        seriousness_json: '[]',
        relatedness: 'not_related',
        action_taken: null,
        outcome: 'recovered',
        infusion_id: inf.id,
        death_date: null,
        death_cause: null,
      });
      await createSubjectRecord(server.db, admin, 'adverse_events', s.id, {
        term: 'Pneumonia',
        onset_date: DATES.lastContact,
        resolution_date: null,
        ctcae_grade: 5,
        serious: 1,
        seriousness_json: '["death"]',
        relatedness: 'not_related',
        action_taken: null,
        outcome: 'fatal',
        infusion_id: null,
        death_date: DATES.death,
        death_cause: 'pneumonia',
      });
      ids = { subjectId: s.id, visitIds };
      stat = new ApiClient(server.baseUrl);
      expect((await stat.login('statistician')).status).toBe(200);
    }, 120_000);
    afterAll(async () => server?.close());

    it('no answer of any GET route it may read carries a date of the data', async () => {
      const doc = (
        await new ApiClient(server.baseUrl).get<{ paths: Record<string, Record<string, unknown>> }>(
          '/api/openapi.json',
        )
      ).body;
      const params: Record<string, string> = {
        studyId: trial.studyId,
        subjectId: ids.subjectId,
        visitId: ids.visitIds[3]!,
      };
      const real = new Set(Object.values(DATES).map(day));
      // A shifted date may by chance equal another real date: what counts as a leak is a real date
      // that is not the shifted image of any date of the data.
      const secret = await dateShiftSecret(server.db);
      const offsets = [offsetDays(secret, ids.subjectId), offsetDays(secret, `study:${trial.studyId}`)];
      const shiftedImages = new Set(
        Object.values(DATES).flatMap((d) => offsets.map((o) => shiftIsoDate(day(d), o))),
      );
      const monitor = new ApiClient(server.baseUrl);
      expect((await monitor.login('monitor')).status).toBe(200);
      const read: string[] = [];
      const leaks: string[] = [];
      for (const [path, ops] of Object.entries(doc.paths)) {
        if (!('get' in ops)) continue;
        if (/\{(?!studyId|subjectId|visitId)\w+\}/.test(path)) continue; // other records: not the statistician's
        // Routes that answer only for named subjects (no request reads every visit of the trial).
        const query = path.endsWith('/visit-overview') ? `?subjectIds=${ids.subjectId}` : '';
        const url = path.replace(/\{(\w+)\}/g, (_, k: string) => params[k]!) + query;
        const res = await stat.get<unknown>(url);
        if (res.status !== 200) continue;
        read.push(path);
        if (typeof res.body === 'string') {
          // HTML and XML: no date of the data may appear unless it is the shifted image of one.
          for (const d of res.body.match(/\d{4}-\d{2}-\d{2}/g) ?? [])
            if (real.has(d) && !shiftedImages.has(d)) leaks.push(`${path}: ${d}`);
          continue;
        }
        // JSON: every date leaf that the identified reader (a monitor) gets with a real date must
        // differ for the statistician (a derived date may coincide with another real date by chance).
        const identified = leaves((await monitor.get<unknown>(url)).body);
        for (const [leaf, value] of leaves(res.body))
          if (/^\d{4}-\d{2}-\d{2}/.test(value) && real.has(day(value)) && identified.get(leaf) === value)
            leaks.push(`${path} ${leaf}: ${value}`);
        // And no real date at all where the monitor's answer has none to shift (nothing unexplained).
        for (const [leaf, value] of leaves(res.body))
          if (/^\d{4}-\d{2}-\d{2}/.test(value) && !identified.has(leaf))
            leaks.push(`${path} ${leaf}: ${value} (not in the identified answer)`);
      }
      expect(leaks).toEqual([]);
      // The routes that carry the subject's dates were read (the check is not vacuous).
      expect(read).toEqual(
        expect.arrayContaining([
          '/api/studies/{studyId}/subjects',
          '/api/subjects/{subjectId}',
          '/api/subjects/{subjectId}/visits',
          '/api/visits/{visitId}',
          '/api/subjects/{subjectId}/infusions',
          '/api/subjects/{subjectId}/adverse-events',
          '/api/studies/{studyId}/adverse-events',
          '/api/subjects/{subjectId}/schedule',
          '/api/subjects/{subjectId}/endpoints',
          '/api/studies/{studyId}/visit-overview',
          '/api/studies/{studyId}/record-status',
          '/api/studies/{studyId}/analysis',
          '/api/studies/{studyId}/analysis/report.html',
          '/api/studies/{studyId}/export.odm.xml',
          '/api/subjects/{subjectId}/casebook.html',
        ]),
      );
    });

    it('shifts each subject by one secret offset, the same in every answer, so intervals are kept', async () => {
      const subject = (
        await stat.get<{ day0Date: string; enrolledAt: string; birthDate: string | null }>(
          `/api/subjects/${ids.subjectId}`,
        )
      ).body;
      expect(subject.birthDate).toBeNull();
      expect(subject.day0Date).not.toBe(DATES.day0);
      expect(between(subject.enrolledAt, subject.day0Date)).toBe(between(DATES.enrolled, DATES.day0));
      const visits = (
        await stat.get<{ visitCode: string; visitDate: string }[]>(`/api/subjects/${ids.subjectId}/visits`)
      ).body;
      const m1 = visits.find((v) => v.visitCode === 'M1')!;
      expect(between(subject.day0Date, m1.visitDate)).toBe(between(DATES.day0, DATES.m1));
      const list = (
        await stat.get<{ id: string; day0Date: string }[]>(`/api/studies/${trial.studyId}/subjects`)
      ).body;
      expect(list.find((s) => s.id === ids.subjectId)?.day0Date).toBe(subject.day0Date);
      const aes = (await stat.get<{ onsetDate: string }[]>(`/api/subjects/${ids.subjectId}/adverse-events`))
        .body;
      expect(aes.map((a) => between(subject.day0Date, a.onsetDate)).sort((a, b) => a - b)).toEqual(
        [between(DATES.day0, DATES.aeOnset), between(DATES.day0, DATES.lastContact)].sort((a, b) => a - b),
      );
      // The monitor (identified) still sees the real dates.
      const monitor = new ApiClient(server.baseUrl);
      await monitor.login('monitor');
      expect((await monitor.get<{ day0Date: string }>(`/api/subjects/${ids.subjectId}`)).body.day0Date).toBe(
        DATES.day0,
      );
    });

    it('the ODM export gives the statistician study days, never dates', async () => {
      const xml = (await stat.get<string>(`/api/studies/${trial.studyId}/export.odm.xml`)).body;
      expect(xml).toContain('STUDY_DAY');
      expect(xml).not.toContain(DATES.m1);
      expect(xml).not.toContain(DATES.day0);
    });
  });
}
