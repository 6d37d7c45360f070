// Eligibility reads the values the study already holds (issue #20): age from the birth date, the
// screening SLEDAI-2K from the SCR visit's form, lupus nephritis and 24-h proteinuria from the SCR
// demographics and labs. The screening form's own answers for those items are not what the API
// evaluates, so a client cannot contradict stored data; an item not held is still read from the form.
import { msctSleTrial } from '@msct/core/protocol';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createTestTrial, startTestServer, type TestServer } from '../testing/test-server.js';

/** The screening form's answers: the held items deliberately contradict the stored data. */
const FORM = {
  acr_sle_classification: '1',
  age_years: '70',
  sledai2k_screening: '2',
  lupus_nephritis: '0',
  urine_protein_24h_g: '0.1',
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

interface Eligibility {
  overall: string;
  criteria: { id: string; status: string; reason: string }[];
  held: { item: string; value: string; source: string }[];
}

for (const dialect of TEST_DIALECTS) {
  describe(`eligibility from held values on ${dialect}`, () => {
    let server: TestServer;
    let coord: ApiClient;
    let studyId: string;
    let siteId: string;

    beforeAll(async () => {
      server = await startTestServer(dialect);
      const trial = await createTestTrial(server.db, { definition: msctSleTrial });
      studyId = trial.studyId;
      siteId = trial.siteA;
      coord = new ApiClient(server.baseUrl);
      await coord.login('coordinator');
    });
    afterAll(async () => server?.close());

    it('derives age, SLEDAI-2K, nephritis and proteinuria from stored data, whatever the form says, and enrols on them', async () => {
      const subject = (
        await coord.post<{ id: string; version: number }>(`/api/studies/${studyId}/subjects`, {
          siteId,
          sex: 'female',
          birthDate: '1990-03-02',
        })
      ).body;
      const scr = (
        await coord.post<{ id: string }>(`/api/subjects/${subject.id}/visits`, {
          visitCode: 'SCR',
          visitDate: '2026-11-02',
        })
      ).body;
      const put = (form: string, items: { itemCode: string; value: string; unit?: string }[]) =>
        coord.put(`/api/visits/${scr.id}/forms/${form}`, { items });
      const eligibilityItems = Object.entries(FORM).map(([itemCode, value]) => ({ itemCode, value }));
      expect((await put('eligibility', eligibilityItems)).status).toBe(200);

      // Nothing held yet but the age: the form's answers decide the rest.
      const before = await coord.get<Eligibility>(`/api/subjects/${subject.id}/eligibility`);
      expect(before.status).toBe(200);
      expect(before.body.held).toEqual([
        { item: 'age_years', value: '36', source: 'from birth date 1990-03-02 (visit SCR on 2026-11-02)' },
      ]);
      expect(before.body.criteria.find((c) => c.id === 'inc-age')).toMatchObject({ status: 'met' });
      expect(before.body.criteria.find((c) => c.id === 'inc-sledai')).toMatchObject({ status: 'not_met' });
      expect(before.body.overall).toBe('not_eligible');

      // arthritis 4 + rash 2 + proteinuria 4 + low C3 2 = 12 (instruments.md §1.2)
      expect(
        (
          await put('sledai2k', [
            { itemCode: 'arthritis', value: '1' },
            { itemCode: 'rash', value: '1' },
          ])
        ).status,
      ).toBe(200);
      expect(
        (
          await put('labs', [
            { itemCode: 'proteinuria_24h', value: '1800', unit: 'mg/24h' },
            { itemCode: 'c3', value: '0.5', unit: 'g/L' },
            { itemCode: 'c3_lln', value: '0.9', unit: 'g/L' },
          ])
        ).status,
      ).toBe(200);
      expect((await put('demographics', [{ itemCode: 'lupus_nephritis', value: '1' }])).status).toBe(200);

      const after = await coord.get<Eligibility>(`/api/subjects/${subject.id}/eligibility`);
      expect(after.body.held).toEqual([
        { item: 'age_years', value: '36', source: 'from birth date 1990-03-02 (visit SCR on 2026-11-02)' },
        { item: 'sledai2k_screening', value: '12', source: 'from visit SCR form sledai2k, score 12' },
        {
          item: 'lupus_nephritis',
          value: '1',
          source: 'from visit SCR form demographics, lupus_nephritis = 1',
        },
        {
          item: 'urine_protein_24h_g',
          value: '1.8',
          source: 'from visit SCR form labs, 24-h urine protein 1800 mg/24h = 1.8 g/24h',
        },
      ]);
      const sledai = after.body.criteria.find((c) => c.id === 'inc-sledai');
      expect(sledai).toMatchObject({ status: 'met' });
      expect(sledai?.reason).toMatch(/sledai2k_screening = 12/);
      expect(after.body.overall).toBe('eligible');

      // Enrolment evaluates the same held values (the form still says 70 years, SLEDAI 2, no LN).
      const enrolled = await coord.post<{ status: string; reason: string }>(
        `/api/subjects/${subject.id}/enrol`,
        { version: subject.version, day0Date: '2026-11-20' },
      );
      expect(enrolled.status).toBe(200);
      expect(enrolled.body).toMatchObject({
        status: 'enrolled',
        reason: 'enrolled: all eligibility criteria met',
      });
    });

    it('refuses enrolment when the held value fails a criterion the form would pass', async () => {
      const subject = (
        await coord.post<{ id: string; version: number }>(`/api/studies/${studyId}/subjects`, {
          siteId,
          sex: 'female',
          birthDate: '2015-01-01',
        })
      ).body;
      const scr = (
        await coord.post<{ id: string }>(`/api/subjects/${subject.id}/visits`, {
          visitCode: 'SCR',
          visitDate: '2026-11-02',
        })
      ).body;
      const items = Object.entries({
        ...FORM,
        age_years: '30',
        sledai2k_screening: '12',
        lupus_nephritis: '1',
        urine_protein_24h_g: '2',
      }).map(([itemCode, value]) => ({ itemCode, value }));
      expect((await coord.put(`/api/visits/${scr.id}/forms/eligibility`, { items })).status).toBe(200);
      const refused = await coord.post<{ code: string; detail: string }>(
        `/api/subjects/${subject.id}/enrol`,
        {
          version: subject.version,
          day0Date: '2026-11-20',
        },
      );
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('MSCT_E_NOT_ELIGIBLE');
      expect(refused.body.detail).toMatch(
        /Age 15–60 years — not met \(inclusion not met: age_years = 11 years/,
      );
    });

    // trial.md Population: "eGFR < 15 or dialysis" excludes; eGFR is derived from the screening
    // creatinine with age and sex (CKD-EPI 2021, instruments.md §6.1), whatever the form says.
    it('reads eGFR from the screening creatinine, age and sex: the exclusion holds although the form says 85', async () => {
      const subject = (
        await coord.post<{ id: string; version: number }>(`/api/studies/${studyId}/subjects`, {
          siteId,
          sex: 'female',
          birthDate: '1966-01-01',
        })
      ).body;
      const scr = (
        await coord.post<{ id: string }>(`/api/subjects/${subject.id}/visits`, {
          visitCode: 'SCR',
          visitDate: '2026-11-02',
        })
      ).body;
      const items = Object.entries({
        ...FORM,
        age_years: '60',
        sledai2k_screening: '12',
        lupus_nephritis: '1',
      }).map(([itemCode, value]) => ({ itemCode, value }));
      expect((await coord.put(`/api/visits/${scr.id}/forms/eligibility`, { items })).status).toBe(200);
      expect(
        (
          await coord.put(`/api/visits/${scr.id}/forms/labs`, {
            items: [{ itemCode: 'creatinine', value: '3.5', unit: 'mg/dL' }],
          })
        ).status,
      ).toBe(200);
      const e = await coord.get<Eligibility>(`/api/subjects/${subject.id}/eligibility`);
      expect(e.body.held.find((h) => h.item === 'egfr_ml_min_1_73m2')).toEqual({
        item: 'egfr_ml_min_1_73m2',
        value: '14.3',
        source:
          'CKD-EPI 2021 from visit SCR form labs, creatinine 3.5 mg/dL, age 60 (birth date 1966-01-01), female: eGFR 14.3 mL/min/1.73 m²',
      });
      const renal = e.body.criteria.find((c) => c.id === 'exc-renal-failure');
      expect(renal).toMatchObject({ status: 'not_met' });
      expect(renal?.reason).toMatch(/egfr_ml_min_1_73m2 = 14\.3/);
      expect(e.body.overall).toBe('not_eligible');
      const refused = await coord.post<{ code: string }>(`/api/subjects/${subject.id}/enrol`, {
        version: subject.version,
        day0Date: '2026-11-20',
      });
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('MSCT_E_NOT_ELIGIBLE');
    });
  });
}
