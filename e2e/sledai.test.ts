// A coordinator enters a baseline SLEDAI-2K: the score and its trace update live as descriptors are
// ticked (lab-derived descriptors come from the labs entered at the visit, fever from its measured
// temperature), the attribution "present but not due to SLE" is its own control, never pre-ticked
// (issue #18; endpoints.md Clarification 5), and the saved form gives the same score.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type E2e, loginAs, screenshot, startE2e, stopE2e, waitForText } from './support.js';

describe('SLEDAI-2K form', () => {
  let e: E2e;
  beforeAll(async () => {
    e = await startE2e();
  });
  afterAll(() => stopE2e(e));

  it('scores live from ticked descriptors and entered labs, and saves', async () => {
    const api = await apiAs(e, 'coordinator');
    const s = await api.post<{ id: string }>(`/api/studies/${e.trial.studyId}/subjects`, {
      siteId: e.trial.siteA,
    });
    const v = await api.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
      visitCode: 'BASELINE',
      visitDate: '2026-03-01',
    });
    // 24-h urine protein 1.2 g/24h > 0.5 g/24h: SLEDAI-2K proteinuria (4) is derived from the lab;
    // temperature 38.5 °C > 38 °C: fever (1) is derived from the vital signs (endpoints.md
    // Clarification 5; instruments.md §1.2 #13, #22).
    const labs = await api.put(`/api/visits/${v.body.id}/forms/labs`, {
      items: [{ itemCode: 'proteinuria_24h', value: '1.2', unit: 'g/24h' }],
    });
    expect(labs.status).toBe(200);
    const vitals = await api.put(`/api/visits/${v.body.id}/forms/vital-signs`, {
      items: [{ itemCode: 'temperature', value: '38.5', unit: '°C' }],
    });
    expect(vitals.status).toBe(200);

    const page = await loginAs(e, 'coordinator');
    await page.goto(`/visits/${v.body.id}`);
    const panel = page.getByRole('region', { name: 'New SLEDAI-2K' });
    const score = panel.getByTestId('sledai-score');
    await waitForText(score, 'SLEDAI-2K 5');
    const trace = panel.getByRole('list', { name: 'SLEDAI-2K trace' });
    await trace.getByText(/proteinuria/).waitFor();
    await trace.getByText(/fever: temperature 38.5 °C > 38 °C/).waitFor();

    // The attribution is its own control for each of the 24 descriptors, and none is pre-ticked.
    const attributions = panel.getByRole('checkbox', { name: /present but not due to SLE/ });
    expect(await attributions.count()).toBe(24);
    for (const box of await attributions.all()) expect(await box.isChecked()).toBe(false);

    const box = (name: string, scope = panel) => scope.getByRole('checkbox', { name, exact: true });
    await box('9. Arthritis (4)').check();
    await waitForText(score, 'SLEDAI-2K 9');
    // Ticking a descriptor does not touch its attribution (two separate controls).
    expect(await box('Arthritis: present but not due to SLE').isChecked()).toBe(false);
    await box('15. Rash (2)').check();
    await box('20. Low complement (2)').check();
    await waitForText(score, 'SLEDAI-2K 13');
    // The definition is the checkbox's description (help text): glossary text only.
    const arthritis = box('9. Arthritis (4)');
    const helpId = await arthritis.getAttribute('aria-describedby');
    expect(helpId).toBeTruthy();
    expect(await page.locator(`[id="${helpId}"]`).textContent()).toBe(
      'More than 2 joints with pain and signs of inflammation (tenderness, swelling or effusion).',
    );
    await screenshot(page, '50-visit-sledai-live');
    await panel.getByRole('button', { name: 'Save SLEDAI-2K' }).click();

    const saved = page.getByRole('region', { name: 'Form sledai2k' });
    await waitForText(saved.getByTestId('sledai-score'), 'SLEDAI-2K 13');
    expect(await box('9. Arthritis (4)', saved).isChecked()).toBe(true);

    // Unticking a saved descriptor is a change: it needs a reason.
    await box('15. Rash (2)', saved).uncheck();
    await waitForText(saved.getByTestId('sledai-score'), 'SLEDAI-2K 11');
    await saved.getByLabel('Reason for change').fill('rash judged drug-related');
    await saved.getByRole('button', { name: 'Save SLEDAI-2K' }).click();
    await waitForText(
      page.getByRole('region', { name: 'Form sledai2k' }).getByTestId('sledai-score'),
      'SLEDAI-2K 11',
    );
    await screenshot(page, '51-visit-sledai-saved');

    // A lab- or measurement-derived descriptor attributed to another cause scores nothing: the
    // fever is from an infection, the proteinuria from another cause.
    const form = page.getByRole('region', { name: 'Form sledai2k' });
    await box('Proteinuria: present but not due to SLE', form).check();
    await waitForText(form.getByTestId('sledai-score'), 'SLEDAI-2K 7');
    await box('Fever: present but not due to SLE', form).check();
    await waitForText(form.getByTestId('sledai-score'), 'SLEDAI-2K 6');
    expect(await box('22. Fever (1)', form).isChecked()).toBe(false);
    await form.getByRole('button', { name: 'Save SLEDAI-2K' }).click();
    await waitForText(
      page.getByRole('region', { name: 'Form sledai2k' }).getByTestId('sledai-score'),
      'SLEDAI-2K 6',
    );
    const server = await api.get<{ sledai2k: { value: { score: number } } }>(
      `/api/visits/${v.body.id}/scores`,
    );
    expect(server.body.sledai2k.value.score).toBe(6);
  });

  it('a form stored as REDCap-style 0/1 shows no attribution ticked; its 0s do not veto the labs', async () => {
    const api = await apiAs(e, 'coordinator');
    const s = await api.post<{ id: string }>(`/api/studies/${e.trial.studyId}/subjects`, {
      siteId: e.trial.siteA,
    });
    const v = await api.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
      visitCode: 'BASELINE',
      visitDate: '2026-03-02',
    });
    const descriptors = [
      'seizure',
      'psychosis',
      'organic_brain_syndrome',
      'visual_disturbance',
      'cranial_nerve_disorder',
      'lupus_headache',
      'cva',
      'vasculitis',
      'arthritis',
      'myositis',
      'urinary_casts',
      'haematuria',
      'proteinuria',
      'pyuria',
      'rash',
      'alopecia',
      'mucosal_ulcers',
      'pleurisy',
      'pericarditis',
      'low_complement',
      'increased_dna_binding',
      'fever',
      'thrombocytopenia',
      'leukopenia',
    ];
    expect(
      (
        await api.put(`/api/visits/${v.body.id}/forms/labs`, {
          items: [
            { itemCode: 'c3', value: '0.6', unit: 'g/L' },
            { itemCode: 'c3_lln', value: '0.9', unit: 'g/L' },
          ],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api.put(`/api/visits/${v.body.id}/forms/sledai2k`, {
          items: descriptors.map((d) => ({ itemCode: d, value: d === 'arthritis' ? '1' : '0' })),
        })
      ).status,
    ).toBe(200);
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/visits/${v.body.id}`);
    const form = page.getByRole('region', { name: 'Form sledai2k' });
    // arthritis 4 + low complement 2 (C3 0.6 < 0.9; the stored 0 is absent, Clarification 5).
    await waitForText(form.getByTestId('sledai-score'), 'SLEDAI-2K 6');
    const attributions = form.getByRole('checkbox', { name: /present but not due to SLE/ });
    expect(await attributions.count()).toBe(24);
    for (const box of await attributions.all()) expect(await box.isChecked()).toBe(false);
  });
});
