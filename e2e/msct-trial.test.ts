// The built-in MSCT–SLE trial in the browser: the record status grid, screening with the live
// eligibility checklist and enrolment (refused, then waived), the BILAG form with its live total,
// the patient page's verdict and charts, and the analysis page's counts.
import { msctSleTrial } from '@msct/core/protocol';
import { updateSubject } from '@msct/store';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../packages/server/src/testing/test-server.js';
import { apiAs, type E2e, loginAs, screenshot, startE2e, stopE2e, waitForText } from './support.js';

/** Saves the screening form and waits for the server's answer (enrolment reads the saved form). */
async function saveScreening(page: Page) {
  const saved = page.waitForResponse(
    (r) => r.url().includes('/forms/eligibility') && r.request().method() === 'PUT',
  );
  await page.getByRole('button', { name: 'Save Eligibility and screening' }).click();
  const res = await saved;
  expect(res.status()).toBe(200);
  await page.getByText(/form incomplete/).waitFor();
}

const ok = (status: number, what: string, body?: unknown) => {
  if (status >= 300) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
};

/** A subject at site A enrolled (set up through the API) with day 0 and the given visits' items. */
async function enrolledSubject(
  e: E2e,
  api: ApiClient,
  day0: string,
  visits: {
    code: string;
    date: string;
    forms?: Record<string, { itemCode: string; value: string; unit?: string }[]>;
  }[],
) {
  const s = await api.post<{ id: string; subjectCode: string; version: number }>(
    `/api/studies/${e.trial.studyId}/subjects`,
    { siteId: e.trial.siteA, sex: 'female', birthDate: '1990-01-01' },
  );
  ok(s.status, 'subject', s.body);
  // Enrolment over the API needs a complete screening (tested on its own below); here the set-up
  // enrols through the store, audited like any change, to reach the later pages quickly.
  await updateSubject(
    e.server.db,
    { id: e.trial.users.admin!.id, name: 'admin' },
    s.body.id,
    s.body.version,
    { status: 'enrolled', day0Date: day0 },
    'test set-up',
  );
  const ids: Record<string, string> = {};
  for (const v of visits) {
    const r = await api.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
      visitCode: v.code,
      visitDate: v.date,
    });
    ok(r.status, `visit ${v.code}`, r.body);
    ids[v.code] = r.body.id;
    for (const [formCode, items] of Object.entries(v.forms ?? {})) {
      const f = await api.put(`/api/visits/${r.body.id}/forms/${formCode}`, { items });
      ok(f.status, `${v.code} ${formCode}`, f.body);
    }
  }
  return { id: s.body.id, code: s.body.subjectCode, visitIds: ids };
}

const SYSTEMS = [
  'general',
  'mucocutaneous',
  'neurological',
  'musculoskeletal',
  'cardiorespiratory',
  'vasculitis',
  'renal',
  'haematological',
] as const;
const bilag = (grades: Partial<Record<(typeof SYSTEMS)[number], string>>, rest = 'E') =>
  SYSTEMS.map((s) => ({ itemCode: s, value: grades[s] ?? rest }));
const labs = (protein: number, creat: number, c3: number, dsdna: number) => [
  { itemCode: 'proteinuria_24h', value: String(protein), unit: 'g/24h' },
  { itemCode: 'creatinine', value: String(creat), unit: 'µmol/L' },
  { itemCode: 'c3', value: String(c3), unit: 'g/L' },
  { itemCode: 'anti_dsdna', value: String(dsdna), unit: 'IU/mL' },
];
// Descriptors present; with none, one is recorded absent so that the form exists and scores 0.
const sledai = (present: string[]) =>
  present.length ? present.map((d) => ({ itemCode: d, value: '1' })) : [{ itemCode: 'seizure', value: '0' }];

describe('the MSCT–SLE trial in the browser', () => {
  let e: E2e;
  let coord: ApiClient;
  let course: Awaited<ReturnType<typeof enrolledSubject>>;
  beforeAll(async () => {
    e = await startE2e({ definition: msctSleTrial });
    coord = await apiAs(e, 'coordinator');
    // Day 0 a year and a half ago: D0 and M1 done, D7 overdue (no later visit done before it? M1 is
    // later and done, so D7 is "missed"); M3 onwards overdue.
    course = await enrolledSubject(e, coord, '2025-01-06', [
      {
        code: 'D0',
        date: '2025-01-06',
        forms: {
          bilag: bilag({ renal: 'A', mucocutaneous: 'B', musculoskeletal: 'B' }),
          labs: labs(2.4, 95, 0.55, 180),
          sledai2k: sledai(['arthritis', 'rash', 'proteinuria', 'low_complement', 'increased_dna_binding']),
          medication: [{ itemCode: 'prednisone_mg_day', value: '30', unit: 'mg/day' }],
          'vital-signs': [{ itemCode: 'weight_kg', value: '60', unit: 'kg' }],
        },
      },
      {
        code: 'M3',
        date: '2025-04-07',
        forms: {
          bilag: bilag({ renal: 'B', mucocutaneous: 'C', musculoskeletal: 'D' }),
          labs: labs(1.2, 88, 0.7, 90),
          sledai2k: sledai(['proteinuria']),
        },
      },
      {
        code: 'M6',
        date: '2025-07-07',
        forms: {
          bilag: bilag({ renal: 'C', mucocutaneous: 'D', musculoskeletal: 'D' }),
          labs: labs(0.4, 80, 0.85, 40),
          sledai2k: sledai([]),
        },
      },
    ]);
  });
  afterAll(() => stopE2e(e));

  it('shows the record status grid with a done and an overdue visit, counts per site and the overdue list', async () => {
    // A repeat-treatment cycle: its recorded visit gets a column of its own ("M1 c2").
    const coordApi = await apiAs(e, 'coordinator');
    const repeat = await coordApi.post<{ id: string }>(`/api/subjects/${course.id}/visits`, {
      visitCode: 'M1',
      cycle: 2,
      visitDate: '2025-09-01',
    });
    ok(repeat.status, 'cycle-2 visit', repeat.body);
    const page = await loginAs(e, 'coordinator');
    await page.getByRole('link', { name: /Test trial/ }).click();
    const grid = page.getByRole('table', { name: 'Record status' });
    await grid.waitFor();
    const row = grid.locator(`tr[data-subject="${course.code}"]`);
    const m1c2 = row.locator('td[data-visit="M1@2"]');
    expect(await m1c2.getAttribute('data-status')).toBe('incomplete');
    expect(await m1c2.getByRole('link').getAttribute('href')).toBe(`/visits/${repeat.body.id}`);
    await grid.getByRole('columnheader', { name: 'M1 c2' }).waitFor();
    // D0 was recorded with forms (none signed): its cell says so in words, not by colour alone.
    const d0 = row.locator('td[data-visit="D0"]');
    expect(await d0.getAttribute('data-status')).toMatch(/^(incomplete|complete)$/);
    expect(await d0.textContent()).toMatch(/incomplete|complete/);
    expect(await d0.getByRole('link').count()).toBe(1);
    // M1 (day 30 ± 7) was never recorded, but M3 was: M1 is missed. M9 (day 273 ± 14) is overdue.
    expect(await row.locator('td[data-visit="M1"]').getAttribute('data-status')).toBe('missed');
    const m9 = row.locator('td[data-visit="M9"]');
    expect(await m9.getAttribute('data-status')).toBe('overdue');
    expect(await m9.textContent()).toContain('overdue');
    await page
      .getByRole('list', { name: 'Overdue visits' })
      .getByText(new RegExp(`${course.code}.*M9`))
      .waitFor();
    const counts = page.getByRole('table', { name: 'Counts per site' });
    expect((await counts.locator('tr', { hasText: 'SA' }).textContent()) ?? '').toMatch(/SA1/);
    await screenshot(page, '70-status-grid');

    // Signing every form of D0 turns its cell to "signed".
    const inv = await apiAs(e, 'investigator');
    const visit = await inv.get<{ forms: { id: string; formCode: string; version: number }[] }>(
      `/api/visits/${course.visitIds.D0}`,
    );
    for (const form of visit.body.forms) {
      let f = form;
      // An out-of-range lab value needs its clinical significance before the form can be complete
      // (issue #22): answer each one the refusal names as not clinically significant, then retry.
      let c = await inv.post<{ version: number; errors?: { field: string; rule: string }[] }>(
        `/api/forms/${f.id}/status`,
        { version: f.version, status: 'complete' },
      );
      const cs = (c.body.errors ?? []).filter((x) => x.rule === 'required' && x.field.endsWith('_cs'));
      if (c.status === 400 && cs.length > 0) {
        const put = await inv.put<{ id: string; version: number }>(
          `/api/visits/${course.visitIds.D0}/forms/${f.formCode}`,
          { items: cs.map((x) => ({ itemCode: x.field, value: 'NCS' })) },
        );
        ok(put.status, 'clinical significance', put.body);
        f = { ...f, version: put.body.version };
        c = await inv.post(`/api/forms/${f.id}/status`, { version: f.version, status: 'complete' });
      }
      ok(c.status, 'complete', c.body);
      const r = await inv.post(`/api/forms/${f.id}/status`, {
        version: c.body.version,
        status: 'signed',
        password: 'correct-horse-battery-staple',
      });
      ok(r.status, 'sign', r.body);
    }
    await page.reload();
    await grid.waitFor();
    const signed = grid.locator(`tr[data-subject="${course.code}"] td[data-visit="D0"]`);
    expect(await signed.getAttribute('data-status')).toBe('signed');
    expect(await signed.textContent()).toContain('signed');
  });

  it('screens live, refuses enrolment with the reasons, and enrols under a waiver', async () => {
    const page = await loginAs(e, 'coordinator');
    await page.getByRole('link', { name: /Test trial/ }).click();
    await page.getByLabel('Site', { exact: true }).selectOption({ label: 'SA — Site A' });
    await page.getByRole('button', { name: 'Enrol subject' }).click();
    await page.getByRole('heading', { name: /^Subject / }).waitFor();
    await page.getByRole('link', { name: 'Screening checklist and enrolment' }).click();
    await page.getByLabel('Screening date').fill('2026-02-02');
    await page.getByRole('button', { name: 'Open screening visit' }).click();

    const form = page.getByRole('region', { name: 'Screening form' });
    const overall = form.getByTestId('eligibility-overall');
    await waitForText(overall, 'incomplete');
    const yes = (label: RegExp) => form.getByLabel(label).selectOption({ label: 'Yes' });
    const no = (label: RegExp) => form.getByLabel(label).selectOption({ label: 'No' });
    await yes(/^Meets the ACR/);
    await form.getByLabel(/^Age \(years\)/).fill('34');
    // SLEDAI-2K 6 at screening: below the inclusion threshold of 8.
    await form.getByLabel(/^SLEDAI-2K at screening/).fill('6');
    await yes(/^Lupus nephritis/);
    await form.getByLabel(/^24-h urine protein/).fill('1.8');
    await form.getByLabel(/^Failed prednisone dose/).fill('30');
    await yes(/^Informed consent signed/);
    await yes(/^Contraception agreed/);
    for (const l of [
      /^Active uncontrolled infection/,
      /^Pregnant or lactating/,
      /^Malignancy/,
      /^Severe heart failure/,
      /^Severe liver failure/,
      /^On dialysis/,
      /^In another trial/,
    ])
      await no(l);
    await form.getByLabel(/^eGFR/).fill('85');
    const sledaiRow = form.locator('li[data-criterion="inc-sledai"]');
    await waitForText(sledaiRow, 'not met');
    await waitForText(overall, 'not eligible');
    await screenshot(page, '71-screening-not-eligible');
    await saveScreening(page);

    await page.getByLabel('Day 0 (first infusion)').fill('2026-02-10');
    await page.getByRole('button', { name: 'Enrol', exact: true }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'Enrolment refused' });
    await refused.getByText(/SLEDAI-2K ≥ 8 — not met/).waitFor();
    await screenshot(page, '72-enrol-refused');

    // A justified waiver of the unmet criterion, saved on the screening form, lets enrolment through.
    await waitForText(sledaiRow, 'not met');
    await sledaiRow
      .getByLabel(/Waiver of "SLEDAI-2K ≥ 8"/)
      .fill('Active nephritis with SLEDAI-2K 6; approved by the steering committee');
    await waitForText(sledaiRow, 'waived');
    await waitForText(overall, 'eligible');
    expect(await overall.textContent()).toBe('eligible');
    await saveScreening(page);
    await waitForText(sledaiRow, 'waived');
    await page.getByLabel('Day 0 (first infusion)').fill('2026-02-10');
    await page.getByRole('button', { name: 'Enrol', exact: true }).click();
    await waitForText(page.getByTestId('subject-status'), 'Enrolled');
    await screenshot(page, '73-enrolled-with-waiver');
  });

  it('computes the BILAG total live from the graded systems, with the trace, and saves', async () => {
    const s = await enrolledSubject(e, coord, '2026-03-02', [{ code: 'D0', date: '2026-03-02' }]);
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/visits/${s.visitIds.D0}`);
    await page.getByText('Enter BILAG (classic)').click();
    const panel = page.getByRole('region', { name: 'New BILAG (classic)' });
    const total = panel.getByTestId('bilag-total');
    await waitForText(total, 'cannot be computed yet');
    const grade = (system: string, g: string) =>
      panel.getByLabel(system, { exact: true }).selectOption({ value: g });
    await grade('Renal', 'A');
    for (const sys of [
      'General (constitutional)',
      'Mucocutaneous',
      'Neurological',
      'Cardiorespiratory',
      'Vasculitis',
      'Haematological',
    ])
      await grade(sys, 'E');
    await waitForText(total, 'cannot be computed yet (7 of 8');
    await grade('Musculoskeletal', 'B');
    // Classic weights: A = 9, B = 3, E = 0.
    await waitForText(total, 'BILAG total 12');
    await panel
      .getByRole('list', { name: 'BILAG trace' })
      .getByText(/renal: grade A = 9/)
      .waitFor();
    // The grade's meaning is in the option itself.
    expect(await panel.getByLabel('Renal', { exact: true }).textContent()).toContain('severe activity');
    await screenshot(page, '74-bilag-live');
    await panel.getByRole('button', { name: 'Save BILAG (classic)' }).click();
    const saved = page.getByRole('region', { name: 'Form BILAG (classic)' });
    await waitForText(saved.getByTestId('bilag-total'), 'BILAG total 12');
    await saved.getByLabel('Musculoskeletal', { exact: true }).selectOption({ value: 'C' });
    await waitForText(saved.getByTestId('bilag-total'), 'BILAG total 10');
    await saved.getByLabel('Reason for change').fill('re-graded after examination');
    await saved.getByRole('button', { name: 'Save BILAG (classic)' }).click();
    await waitForText(
      page.getByRole('region', { name: 'Form BILAG (classic)' }).getByTestId('bilag-total'),
      'BILAG total 10',
    );

    // Labs from the catalog: a unit select with the item's own units; the server's range check at the field.
    await page.getByText('Enter Laboratory tests').click();
    const lab = page.getByRole('region', { name: 'New Laboratory tests' });
    await lab.getByLabel('Serum creatinine', { exact: true }).fill('90000');
    await lab.getByText(/above the plausible maximum/).waitFor();
    await lab.getByLabel('Serum creatinine', { exact: true }).fill('1.1');
    await lab.getByLabel('Unit of Serum creatinine').selectOption('mg/dL');
    await lab.getByRole('button', { name: 'Save Laboratory tests' }).click();
    const savedLabs = page.getByRole('region', { name: 'Form Laboratory tests' });
    expect(await savedLabs.getByLabel('Unit of Serum creatinine').inputValue()).toBe('mg/dL');
    await screenshot(page, '75-visit-catalog-forms');
  });

  it('shows the endpoint verdict with its trace, the timeline and the charts on the patient page', async () => {
    const inf = await coord.post(`/api/subjects/${course.id}/infusions`, {
      cycle: 1,
      infusionNumber: 1,
      plannedDate: '2025-01-06',
      productLot: 'LOT-1',
      totalCells: 60_000_000,
      viabilityPct: 95,
      weightKg: 60,
      status: 'given',
    });
    ok(inf.status, 'infusion', inf.body);
    const expected = await coord.get<{ adjudication: { primary: { label: string } } | null }>(
      `/api/subjects/${course.id}/endpoints`,
    );
    const page = await loginAs(e, 'investigator');
    await page.goto(`/subjects/${course.id}`);
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor();
    const label = expected.body.adjudication?.primary.label ?? 'Not adjudicated yet';
    await waitForText(verdict, label);
    expect(expected.body.adjudication).not.toBeNull();
    expect(await page.getByRole('list', { name: 'Endpoint trace' }).locator('li').count()).toBeGreaterThan(0);
    const sledaiChart = page.locator('figure[data-chart="SLEDAI-2K"] svg');
    expect(await sledaiChart.getAttribute('aria-label')).toMatch(
      /D0 day 0: \d+; M3 day 91: \d+; M6 day 182: 0/,
    );
    expect(await page.locator('figure[data-chart="SLEDAI-2K"] circle').count()).toBe(3);
    expect(await page.locator('figure[data-chart="Proteinuria"] svg').getAttribute('aria-label')).toContain(
      'D0 day 0: 2.4',
    );
    expect(await page.getByRole('img', { name: /Timeline: .*Inf 1 day 0/ }).count()).toBe(1);
    await screenshot(page, '76-patient-course');
  });

  it('shows the endpoint counts on the analysis page', async () => {
    const endpoints = await coord.get<{ subjects: { outcome: string | null }[] }>(
      `/api/studies/${e.trial.studyId}/endpoints`,
    );
    const page = await loginAs(e, 'statistician');
    await page.getByRole('link', { name: /Test trial/ }).click();
    await page.getByRole('link', { name: 'Analysis and endpoints' }).click();
    await page.getByRole('heading', { name: /^Analysis — / }).waitFor();
    const n = endpoints.body.subjects.length;
    await waitForText(page.getByTestId('count-subjects'), String(n));
    for (const o of ['MCR', 'PCR', 'NR', 'pending'] as const) {
      const c = endpoints.body.subjects.filter((s) => s.outcome === o).length;
      expect(await page.getByTestId(`count-${o}`).textContent()).toBe(String(c));
    }
    const none = endpoints.body.subjects.filter((s) => s.outcome === null).length;
    expect(await page.getByTestId('count-not adjudicated').textContent()).toBe(String(none));
    // The analysis plan's results from the server, and its report in the page.
    const stat = await apiAs(e, 'statistician');
    const results = await stat.get<{ populations: { enrolled: number; screened: number } }>(
      `/api/studies/${e.trial.studyId}/analysis`,
    );
    expect(results.status).toBe(200);
    await waitForText(page.getByTestId('population-enrolled'), String(results.body.populations.enrolled));
    expect(await page.getByTestId('population-screened').textContent()).toBe(
      String(results.body.populations.screened),
    );
    await page.frameLocator('iframe[title="Analysis report"]').locator('body').waitFor();
    expect(
      (await page.frameLocator('iframe[title="Analysis report"]').locator('body').textContent())?.length,
    ).toBeGreaterThan(100);
    await screenshot(page, '77-analysis');
  });
});
