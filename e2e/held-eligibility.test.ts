// Eligibility reads what the study already holds (issue #20), in Chromium: a subject with a birth
// date whose screening visit already holds a SLEDAI-2K form, labs and demographics. The screening
// page lists those values with their source ("from birth date 1990-03-02 …", "from visit SCR form
// sledai2k, score 12"), does not ask for them again, asks for the rest, and the subject is enrolled
// on the held values; the SCR visit's own eligibility form shows them too. Axe finds no serious
// violation on the page, at 390 px too.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { msctSleTrial } from '@msct/core/protocol';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type E2e, screenshot, startE2e, stopE2e, TEST_PASSWORD, waitForText } from './support.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(`(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', '));
  })()`);
}

describe('eligibility from values the study holds', () => {
  let e: E2e;
  let subjectId: string;
  beforeAll(async () => {
    e = await startE2e({ definition: msctSleTrial });
    const api = await apiAs(e, 'coordinator');
    const s = await api.post<{ id: string }>(`/api/studies/${e.trial.studyId}/subjects`, {
      siteId: e.trial.siteA,
      sex: 'female',
      birthDate: '1990-03-02',
    });
    expect(s.status).toBe(201);
    subjectId = s.body.id;
    const v = await api.post<{ id: string }>(`/api/subjects/${subjectId}/visits`, {
      visitCode: 'SCR',
      visitDate: '2026-11-02',
    });
    expect(v.status).toBe(201);
    const put = async (form: string, items: { itemCode: string; value: string; unit?: string }[]) =>
      expect((await api.put(`/api/visits/${v.body.id}/forms/${form}`, { items })).status).toBe(200);
    // arthritis 4 + rash 2 + proteinuria 4 + low C3 2 = SLEDAI-2K 12 (instruments.md §1.2)
    await put('sledai2k', [
      { itemCode: 'arthritis', value: '1' },
      { itemCode: 'rash', value: '1' },
    ]);
    await put('labs', [
      { itemCode: 'proteinuria_24h', value: '1800', unit: 'mg/24h' },
      { itemCode: 'c3', value: '0.5', unit: 'g/L' },
      { itemCode: 'c3_lln', value: '0.9', unit: 'g/L' },
      { itemCode: 'creatinine', value: '70', unit: 'µmol/L' },
    ]);
    await put('demographics', [{ itemCode: 'lupus_nephritis', value: '1' }]);
  });
  afterAll(() => stopE2e(e));

  it('shows the held values with their source, asks only for the rest, and enrols on them', async () => {
    // A coordinator, in a context where axe can be injected.
    const context = await e.browser.newContext({
      baseURL: e.server.baseUrl,
      viewport: { width: 1280, height: 900 },
      bypassCSP: true,
    });
    context.setDefaultTimeout(10_000);
    e.contexts.push(context);
    const page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('Username').fill('coordinator');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Studies' }).waitFor();
    await page.goto(`/subjects/${subjectId}/screening`);
    const form = page.getByRole('region', { name: 'Screening form' });
    const held = form.getByTestId('held-values');
    await held.waitFor();
    const lines = (await held.locator('li').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    expect(lines).toEqual([
      'Age (years): 36 — from birth date 1990-03-02 (visit SCR on 2026-11-02)',
      'SLEDAI-2K at screening: 12 — from visit SCR form sledai2k, score 12',
      'Lupus nephritis: yes — from visit SCR form demographics, lupus_nephritis = 1',
      '24-h urine protein (g/24 h): 1.8 — from visit SCR form labs, 24-h urine protein 1800 mg/24h = 1.8 g/24h',
      // CKD-EPI 2021 (instruments.md §6.1): 70 µmol/L, 36 years, female → 99.08
      'eGFR (mL/min/1.73 m²): 99.1 — CKD-EPI 2021 from visit SCR form labs, creatinine 70 µmol/L, age 36 (birth date 1990-03-02), female: eGFR 99.1 mL/min/1.73 m²',
    ]);
    // Not asked again.
    for (const label of [
      /^Age \(years\)/,
      /^SLEDAI-2K at screening/,
      /^Lupus nephritis/,
      /^24-h urine protein/,
      /^eGFR/,
    ])
      expect(await form.getByLabel(label).count()).toBe(0);
    const overall = form.getByTestId('eligibility-overall');
    await waitForText(overall, 'incomplete');
    await waitForText(form.locator('li[data-criterion="inc-sledai"]'), 'met');
    expect(await form.locator('li[data-criterion="inc-sledai"]').getAttribute('data-status')).toBe('met');

    const yes = (label: RegExp) => form.getByLabel(label).selectOption({ label: 'Yes' });
    const no = (label: RegExp) => form.getByLabel(label).selectOption({ label: 'No' });
    await yes(/^Meets the ACR/);
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
    await waitForText(overall, 'eligible');
    expect(await overall.textContent()).toBe('eligible');
    await screenshot(page, 'held-eligibility-01');
    expect(await seriousAxeViolations(page)).toEqual([]);

    const saved = page.waitForResponse(
      (r) => r.url().includes('/forms/eligibility') && r.request().method() === 'PUT',
    );
    await page.getByRole('button', { name: 'Save Eligibility and screening' }).click();
    expect((await saved).status()).toBe(200);
    await page.getByLabel('Day 0 (first infusion)').fill('2026-11-20');
    await page.getByRole('button', { name: 'Enrol', exact: true }).click();
    await waitForText(page.getByTestId('subject-status'), 'Enrolled');

    // The saved screening form holds none of the held items: they were not asked.
    const api = await apiAs(e, 'coordinator');
    const visits = await api.get<{ id: string; visitCode: string }[]>(`/api/subjects/${subjectId}/visits`);
    const scr = visits.body.find((v) => v.visitCode === 'SCR')!;
    const visit = await api.get<{ forms: { formCode: string; items: { itemCode: string }[] }[] }>(
      `/api/visits/${scr.id}`,
    );
    const codes = visit.body.forms.find((f) => f.formCode === 'eligibility')!.items.map((i) => i.itemCode);
    expect(codes).not.toContain('age_years');
    expect(codes).not.toContain('sledai2k_screening');
    expect(codes).not.toContain('egfr_ml_min_1_73m2');
    expect(codes).toContain('on_dialysis');
    const trail = await api.get<{ field: string; newValue: string; reason: string }[]>(
      `/api/subjects/${subjectId}/audit?entityType=subject`,
    );
    expect(trail.body.find((t) => t.field === 'status')).toMatchObject({
      newValue: 'enrolled',
      reason: 'enrolled: all eligibility criteria met',
    });

    // The SCR visit's own eligibility form shows the same held values and does not ask for them.
    await page.goto(`/visits/${scr.id}`);
    const panel = page.getByRole('region', { name: 'Form Eligibility and screening' });
    const onVisit = panel.getByTestId('held-values');
    await onVisit.waitFor();
    expect((await onVisit.locator('li').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual(
      lines,
    );
    for (const label of [/^Age \(years\)/, /^SLEDAI-2K at screening/, /^eGFR/])
      expect(await panel.getByLabel(label).count()).toBe(0);
    await screenshot(page, 'held-eligibility-02-visit-page');

    // Usable at 390 px: the held values and the checklist, no serious axe violation.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`/subjects/${subjectId}/screening`);
    await page.getByTestId('held-values').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});
