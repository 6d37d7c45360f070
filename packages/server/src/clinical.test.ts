// The clinical routes on the built-in trial's definition: edit checks at entry, eligibility and
// enrolment, live scores with their trace, and the endpoint verdict computed from stored items.
import { BILAG2004_SYSTEMS } from '@msct/core/instruments';
import { msctSleTrial } from '@msct/core/protocol';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  type TestServer,
  type TestTrial,
} from './testing/test-server.js';

const SYSTEMS = [
  'general',
  'mucocutaneous',
  'neurological',
  'musculoskeletal',
  'cardiorespiratory',
  'vasculitis',
  'renal',
  'haematological',
];
const bilag = (grades: Record<string, string>) =>
  SYSTEMS.map((s) => ({ itemCode: s, value: grades[s] ?? 'E' }));

const SCREENING_OK = {
  acr_sle_classification: '1',
  age_years: '30',
  sledai2k_screening: '7',
  lupus_nephritis: '1',
  urine_protein_24h_g: '2.1',
  failed_prednisone_mg_day: '30',
  informed_consent_signed: '1',
  contraception_agreed: '1',
  active_uncontrolled_infection: '0',
  pregnant_or_lactating: '0',
  malignancy: '0',
  severe_heart_failure: '0',
  severe_liver_failure: '0',
  egfr_ml_min_1_73m2: '85',
  on_dialysis: '0',
  other_trial_within_3_months: '0',
};

for (const dialect of TEST_DIALECTS) {
  describe(`clinical routes on ${dialect}`, () => {
    let server: TestServer;
    let trial: TestTrial;
    let coord: ApiClient;
    let subject: { id: string; version: number };

    beforeAll(async () => {
      server = await startTestServer(dialect);
      trial = await createTestTrial(server.db, { definition: msctSleTrial });
      coord = new ApiClient(server.baseUrl);
      await coord.login('coordinator');
      subject = (
        await coord.post<{ id: string; version: number }>(`/api/studies/${trial.studyId}/subjects`, {
          siteId: trial.siteA,
          sex: 'female',
        })
      ).body;
    });
    afterAll(async () => server?.close());

    it('checks items at entry against the form: unknown item, bad code, missing unit, out of range — nothing saved', async () => {
      const v = await coord.post<{ id: string }>(`/api/subjects/${subject.id}/visits`, {
        visitCode: 'SCR',
        visitDate: '2013-01-02',
      });
      const bad = await coord.put<{ errors: { field: string; rule: string }[] }>(
        `/api/visits/${v.body.id}/forms/labs`,
        {
          items: [
            { itemCode: 'c3', value: '0.5' },
            { itemCode: 'albumin', value: '400', unit: 'g/L' },
            { itemCode: 'colour', value: 'red' },
            { itemCode: 'urine_casts', value: 'maybe' },
          ],
        },
      );
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e) => [e.field, e.rule])).toEqual([
        ['body.items.0.unit', 'unit-missing'],
        ['body.items.1.value', 'value-out-of-range'],
        ['body.items.3.value', 'code-invalid'],
      ]);
      // An item the form does not have is the definition's entry rule, refused by the store on every
      // write path with one answer (422, the rule, the item's path in the request).
      const unknown = await coord.put<{ code: string; errors: { field: string; rule: string }[] }>(
        `/api/visits/${v.body.id}/forms/labs`,
        {
          items: [
            { itemCode: 'c3', value: '0.5', unit: 'g/L' },
            { itemCode: 'colour', value: 'red' },
          ],
        },
      );
      expect(unknown.status).toBe(422);
      expect(unknown.body.code).toBe('MSCT_E_NOT_IN_DEFINITION');
      expect(unknown.body.errors.map((e) => [e.field, e.rule])).toEqual([
        ['items.1.itemCode', 'item-unknown'],
      ]);
      const visit = await coord.get<{ forms: unknown[] }>(`/api/visits/${v.body.id}`);
      expect(visit.body.forms).toEqual([]);
    });

    it('refuses enrolment while a criterion is not met, and enrols once a justified waiver is recorded', async () => {
      const visits = await coord.get<{ id: string; visitCode: string }[]>(
        `/api/subjects/${subject.id}/visits`,
      );
      const scr = visits.body.find((v) => v.visitCode === 'SCR')!;
      const items = Object.entries(SCREENING_OK).map(([itemCode, value]) => ({ itemCode, value }));
      expect((await coord.put(`/api/visits/${scr.id}/forms/eligibility`, { items })).status).toBe(200);
      const elig = await coord.get<{
        overall: string;
        criteria: { id: string; status: string; reason: string }[];
      }>(`/api/subjects/${subject.id}/eligibility`);
      expect(elig.body.overall).toBe('not_eligible');
      expect(elig.body.criteria.find((c) => c.id === 'inc-sledai')).toMatchObject({ status: 'not_met' });

      const refused = await coord.post<{ code: string; detail: string }>(
        `/api/subjects/${subject.id}/enrol`,
        { version: subject.version, day0Date: '2013-01-10' },
      );
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('MSCT_E_NOT_ELIGIBLE');
      expect(refused.body.detail).toMatch(/SLEDAI/);

      await coord.put(`/api/visits/${scr.id}/forms/eligibility`, {
        items: [
          {
            itemCode: 'waiver_inc_sledai',
            value: 'Severe thrombocytopenia with SLEDAI 7; deviation approved by the PI',
          },
        ],
      });
      const enrolled = await coord.post<{ status: string; reason: string; version: number }>(
        `/api/subjects/${subject.id}/enrol`,
        { version: subject.version, day0Date: '2013-01-10' },
      );
      expect(enrolled.status).toBe(200);
      expect(enrolled.body).toMatchObject({
        status: 'enrolled',
        reason: 'enrolled with waivers: inc-sledai',
      });
      const trail = await coord.get<{ field: string; newValue: string; reason: string }[]>(
        `/api/subjects/${subject.id}/audit?entityType=subject`,
      );
      expect(trail.body.find((e) => e.field === 'status')).toMatchObject({
        newValue: 'enrolled',
        reason: 'enrolled with waivers: inc-sledai',
      });
    });

    it('scores a visit live from its items, with the trace, and adjudicates the subject from stored items', async () => {
      const dates: Record<string, string> = {
        D0: '2013-01-10',
        M1: '2013-02-09',
        M3: '2013-04-11',
        M6: '2013-07-11',
        M9: '2013-10-10',
        M12: '2014-01-10',
      };
      for (const [code, date] of Object.entries(dates)) {
        const v = await coord.post<{ id: string }>(`/api/subjects/${subject.id}/visits`, {
          visitCode: code,
          visitDate: date,
        });
        const active = code === 'D0' || code === 'M1';
        await coord.put(`/api/visits/${v.body.id}/forms/bilag`, {
          items: bilag(active ? { renal: 'A', musculoskeletal: 'B' } : { renal: 'C', musculoskeletal: 'D' }),
        });
        await coord.put(`/api/visits/${v.body.id}/forms/sledai2k`, {
          items: [{ itemCode: 'arthritis', value: active ? '1' : '0' }],
        });
        await coord.put(`/api/visits/${v.body.id}/forms/labs`, {
          items: [
            { itemCode: 'proteinuria_24h', value: active ? '2.4' : '0.3', unit: 'g/24h' },
            { itemCode: 'c3', value: active ? '0.5' : '1.0', unit: 'g/L' },
            { itemCode: 'c3_lln', value: '0.9', unit: 'g/L' },
          ],
        });
        if (code === 'D0') {
          const scores = await coord.get<{
            sledai2k: { value: { score: number }; explanation: string[] };
            bilag: { value: { total: number } };
          }>(`/api/visits/${v.body.id}/scores`);
          // arthritis 4 + proteinuria 4 + low complement 2 (instruments.md §1.2); renal A 9 + MSK B 3 (classic BILAG, trial.md)
          expect(scores.body.sledai2k.value.score).toBe(10);
          expect(scores.body.sledai2k.explanation.join('\n')).toMatch(/C3/);
          expect(scores.body.bilag.value.total).toBe(12);
        }
      }
      const ep = await coord.get<{
        adjudication: { primary: { outcome: string; trace: unknown[] } };
        visits: { visitCode: string; sledai: number }[];
        timeToEvent: { firstResponse: { time: number; event: number } };
      }>(`/api/subjects/${subject.id}/endpoints`);
      expect(ep.status).toBe(200);
      expect(ep.body.adjudication.primary.outcome).toBe('MCR');
      expect(ep.body.adjudication.primary.trace.length).toBeGreaterThan(0);
      expect(ep.body.visits.find((v) => v.visitCode === 'M6')?.sledai).toBe(0);
      expect(ep.body.timeToEvent.firstResponse).toMatchObject({ time: 182, event: 1 });

      const all = await coord.get<{ subjects: { subjectId: string; outcome: string }[] }>(
        `/api/studies/${trial.studyId}/endpoints`,
      );
      expect(all.body.subjects.find((s) => s.subjectId === subject.id)?.outcome).toBe('MCR');

      const schedule = await coord.get<{ visits: { code: string; status: string }[] }>(
        `/api/subjects/${subject.id}/schedule?today=2014-02-01`,
      );
      expect(schedule.body.visits.find((v) => v.code === 'M12')?.status).toBe('done');
      expect(schedule.body.visits.find((v) => v.code === 'D7')?.status).not.toBe('done');
    });

    it('a site declares a visit missed with a reason: the schedule shows it, it takes no date or data, and it can be taken back', async () => {
      const d7 = (
        await coord.post<{ id: string; version: number }>(`/api/subjects/${subject.id}/visits`, {
          visitCode: 'D7',
        })
      ).body;
      const noReason = await coord.post(`/api/visits/${d7.id}/missed`, { version: d7.version, missed: true });
      expect(noReason.status).toBe(400);
      const missed = await coord.post<{ status: string; version: number }>(`/api/visits/${d7.id}/missed`, {
        version: d7.version,
        missed: true,
        reason: 'patient febrile, second infusion not given',
      });
      expect(missed.status).toBe(200);
      expect(missed.body.status).toBe('missed');
      const schedule = await coord.get<{ visits: { code: string; status: string }[] }>(
        `/api/subjects/${subject.id}/schedule?today=2014-02-01`,
      );
      expect(schedule.body.visits.find((v) => v.code === 'D7')?.status).toBe('missed');
      // A missed visit takes neither data nor a date; a visit that took place cannot be declared missed.
      // (vital signs: a form the definition collects at D7, so only the missed status refuses it)
      const data = await coord.put<{ detail: string }>(`/api/visits/${d7.id}/forms/vital-signs`, {
        items: [{ itemCode: 'weight_kg', value: '61', unit: 'kg' }],
      });
      expect(data.status).toBe(400);
      expect(data.body.detail).toMatch(/declared missed/);
      const dated = await coord.patch<{ detail: string }>(`/api/visits/${d7.id}`, {
        version: missed.body.version,
        visitDate: '2013-01-17',
      });
      expect(dated.status).toBe(400);
      const visits = await coord.get<{ id: string; visitCode: string; version: number }[]>(
        `/api/subjects/${subject.id}/visits`,
      );
      const m1 = visits.body.find((v) => v.visitCode === 'M1')!;
      const took = await coord.post<{ detail: string }>(`/api/visits/${m1.id}/missed`, {
        version: m1.version,
        missed: true,
        reason: 'x',
      });
      expect(took.status).toBe(400);
      expect(took.body.detail).toMatch(/took place on 2013-02-09/);
      // Taken back (with a reason): the visit is open again and takes its date.
      const back = await coord.post<{ status: string; version: number }>(`/api/visits/${d7.id}/missed`, {
        version: missed.body.version,
        missed: false,
        reason: 'declared on the wrong subject',
      });
      expect(back.body.status).toBe('open');
      expect(
        (await coord.patch(`/api/visits/${d7.id}`, { version: back.body.version, visitDate: '2013-01-17' }))
          .status,
      ).toBe(200);
      const trail = await coord.get<{ action: string; oldValue: string; newValue: string; reason: string }[]>(
        `/api/subjects/${subject.id}/audit?entityType=visit`,
      );
      expect(
        trail.body
          .filter((e) => e.action === 'visit.missed' || e.action === 'visit.reopen')
          .map((e) => [e.action, e.oldValue, e.newValue, e.reason]),
      ).toEqual([
        ['visit.missed', 'open', 'missed', 'patient febrile, second infusion not given'],
        ['visit.reopen', 'missed', 'open', 'declared on the wrong subject'],
      ]);
    });
  });
}

describe('infusion checks', () => {
  it('flags a dose off the 1×10^6 cells/kg plan by more than ±10% and viability under 90% (trial.md Intervention)', async () => {
    const server = await startTestServer('sqlite');
    try {
      const trial = await createTestTrial(server.db, { definition: msctSleTrial });
      const coord = new ApiClient(server.baseUrl);
      await coord.login('coordinator');
      const s = await coord.post<{ id: string }>(`/api/studies/${trial.studyId}/subjects`, {
        siteId: trial.siteA,
      });
      type Inf = {
        cellsPerKg: number;
        doseCheck: { flagged: boolean };
        viabilityCheck: { released: boolean };
      };
      const onPlan = await coord.post<Inf>(`/api/subjects/${s.body.id}/infusions`, {
        cycle: 1,
        infusionNumber: 1,
        productLot: 'UC-001',
        totalCells: 55e6,
        weightKg: 55,
        viabilityPct: 95,
        status: 'given',
      });
      expect(onPlan.body).toMatchObject({
        cellsPerKg: 1e6,
        doseCheck: { flagged: false },
        viabilityCheck: { released: true },
      });
      const off = await coord.post<Inf>(`/api/subjects/${s.body.id}/infusions`, {
        cycle: 1,
        infusionNumber: 2,
        productLot: 'UC-002',
        totalCells: 70e6,
        weightKg: 55,
        viabilityPct: 85,
        status: 'given',
      });
      expect(off.body).toMatchObject({ doseCheck: { flagged: true }, viabilityCheck: { released: false } });
    } finally {
      await server.close();
    }
  });
});

describe('BILAG-2004 scores against the previous assessment', () => {
  it('grades renal B when creatinine > 130 µmol/L has risen to ≥ 115 % of the previous visit (instruments.md §2.2.3)', async () => {
    const server = await startTestServer('sqlite');
    try {
      const definition = {
        ...msctSleTrial,
        bilagVersion: '2004',
        forms: [...msctSleTrial.forms, { id: 'bilag2004', title: 'BILAG-2004', visitCodes: ['D0', 'M1'] }],
      };
      const trial = await createTestTrial(server.db, { definition });
      const coord = new ApiClient(server.baseUrl);
      await coord.login('coordinator');
      const s = await coord.post<{ id: string }>(`/api/studies/${trial.studyId}/subjects`, {
        siteId: trial.siteA,
      });
      // Every system but renal never involved (E); renal involved before, so no change → D.
      const systems = BILAG2004_SYSTEMS.filter((x) => x !== 'renal');
      const form = (creatinine: string) => [
        ...systems.map((x) => ({ itemCode: `history_${x}`, value: '0' })),
        { itemCode: 'history_renal', value: '1' },
        { itemCode: 'creatinine', value: creatinine, unit: 'µmol/L' },
      ];
      type Scores = {
        bilag2004: { value: { grades: Record<string, string> } | null; issues: unknown[] };
        previousBilag2004: { visitCode: string; items: Record<string, { value: string }> } | null;
      };
      const ids: Record<string, string> = {};
      for (const [code, date, creatinine] of [
        ['D0', '2013-01-10', '121'],
        ['M1', '2013-02-09', '140'],
      ] as const) {
        const v = await coord.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
          visitCode: code,
          visitDate: date,
        });
        ids[code] = v.body.id;
        const put = await coord.put(`/api/visits/${v.body.id}/forms/bilag2004`, { items: form(creatinine) });
        expect(put.status, JSON.stringify(put.body)).toBe(200);
      }
      const d0 = await coord.get<Scores>(`/api/visits/${ids.D0}/scores`);
      expect(d0.body.previousBilag2004).toBeNull();
      expect(d0.body.bilag2004.value?.grades.renal).toBe('D');
      const m1 = await coord.get<Scores>(`/api/visits/${ids.M1}/scores`);
      expect(m1.body.previousBilag2004).toMatchObject({
        visitCode: 'D0',
        items: { creatinine: { value: '121' } },
      });
      // 140 / 121 = 115.7 % of the previous value, above 130 µmol/L → B.
      expect(m1.body.bilag2004.value?.grades.renal).toBe('B');
    } finally {
      await server.close();
    }
  });
});
