// Entry follows the definition (issue #20), in the browser: for a defined study the visit and the
// new-form pickers offer exactly the definition's choices (select lists, not free text), an
// unscheduled visit asks for its reason, and what the pickers cannot offer the API refuses, naming
// the rule.
import { msctSleTrial } from '@msct/core/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type E2e, loginAs, screenshot, startE2e, stopE2e } from './support.js';

describe('entry follows the study definition', () => {
  let e: E2e;
  let subjectId: string;
  beforeAll(async () => {
    e = await startE2e({ definition: msctSleTrial });
    const api = await apiAs(e, 'coordinator');
    const s = await api.post<{ id: string }>(`/api/studies/${e.trial.studyId}/subjects`, {
      siteId: e.trial.siteA,
      sex: 'female',
      birthDate: '1990-01-01',
    });
    expect(s.status).toBe(201);
    subjectId = s.body.id;
  });
  afterAll(() => stopE2e(e));

  it('offers the schedule as the visit choices and the definition’s forms at that visit', async () => {
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/subjects/${subjectId}`);
    const visit = page.getByLabel('Visit code');
    await visit.waitFor();
    expect(await visit.evaluate((el) => el.tagName)).toBe('SELECT');
    expect(await visit.locator('option').evaluateAll((os) => os.map((o) => o.getAttribute('value')))).toEqual(
      ['SCR', 'D0', 'D7', 'M1', 'M3', 'M6', 'M9', 'M12', 'UNSCHEDULED'],
    );
    // The first visit not yet opened is proposed.
    expect(await visit.inputValue()).toBe('SCR');
    await visit.selectOption('D7');
    await page.getByLabel('Visit date').fill('2026-02-17');
    await page.getByRole('button', { name: 'Open visit' }).click();
    await page.getByRole('heading', { name: /Visit D7/ }).waitFor();

    // At D7 the definition collects the infusion record, vital signs and adverse events; vital signs
    // has its own panel (catalog items), the other two are offered in "Enter a new form".
    await page.getByText('Enter Vital signs').waitFor();
    const formCode = page.getByLabel('Form code');
    expect(await formCode.evaluate((el) => el.tagName)).toBe('SELECT');
    expect(
      await formCode.locator('option').evaluateAll((os) => os.map((o) => o.getAttribute('value'))),
    ).toEqual(['infusion', 'adverse-events']);
    await screenshot(page, 'studydef-01-form-choices');
    await formCode.selectOption('infusion');
    const newForm = page.getByRole('group', { name: 'New form' });
    await newForm.getByLabel('New item code').fill('cells_per_kg');
    await newForm.getByLabel('New item value').fill('1000000');
    await newForm.getByRole('button', { name: 'Save form' }).click();
    await page
      .getByRole('region', { name: 'Form MSC infusion record' })
      .getByLabel('Value of cells_per_kg')
      .waitFor();
    // Saved: only adverse events is left to offer.
    await page.getByLabel('Form code').locator('option[value="infusion"]').waitFor({ state: 'detached' });
    expect(
      await page
        .getByLabel('Form code')
        .locator('option')
        .evaluateAll((os) => os.map((o) => o.getAttribute('value'))),
    ).toEqual(['adverse-events']);
  });

  it('asks for the reason of an unscheduled visit and opens it', async () => {
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/subjects/${subjectId}`);
    await page.getByLabel('Visit code').selectOption('UNSCHEDULED');
    await page.getByLabel('Reason for the unscheduled visit').fill('Flare between visits');
    await page.getByLabel('Visit date').fill('2026-03-01');
    await screenshot(page, 'studydef-02-unscheduled-reason');
    await page.getByRole('button', { name: 'Open visit' }).click();
    await page.getByRole('heading', { name: /Visit UNSCHEDULED/ }).waitFor();
  });

  it('what the pickers cannot offer, the API refuses naming the rule', async () => {
    const api = await apiAs(e, 'coordinator');
    const r = await api.post<{ detail: string; errors: { rule: string }[] }>(
      `/api/subjects/${subjectId}/visits`,
      {
        visitCode: 'BASELINE',
      },
    );
    expect(r.status).toBe(422);
    expect(r.body.errors[0]?.rule).toBe('visit-not-in-schedule');
    expect(r.body.detail).toContain('"BASELINE" is not a visit of study');
  });
});
