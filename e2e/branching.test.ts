// Branching logic at entry (issue #20), in Chromium: on the end-of-study form whose definition shows
// "Cause of death" only when the status is "died", the field is not offered until Died is chosen,
// then it is; choosing another status hides it again; the saved form holds the cause with "died".
// A warning-severity edit check (heart rate above 120/min, a test check) is shown at its field as a
// warning while the value is typed, and the form still saves.
import { msctSleTrial, type StudyDefinition } from '@msct/core/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type E2e, loginAs, screenshot, startE2e, stopE2e, subjectWithVisit } from './support.js';

function withBranching(): StudyDefinition {
  const d: StudyDefinition = JSON.parse(JSON.stringify(msctSleTrial));
  const eos = d.forms.find((f) => f.id === 'end-of-study')!;
  eos.items = eos.items!.map((i) =>
    i.code === 'death_cause' ? { ...i, showIf: { op: 'is', item: 'status', value: 'died' } } : i,
  );
  d.editChecks = [
    ...(d.editChecks ?? []),
    {
      id: 'vs-heart-rate-high',
      message: 'Heart rate above 120/min: check the reading',
      severity: 'warning',
      form: 'vital-signs',
      rule: { kind: 'range', item: 'heart_rate', max: 120, unit: '/min' },
      source: 'test check (e2e/branching.test.ts)',
    },
  ];
  return d;
}

describe('branching logic at entry', () => {
  let e: E2e;
  let visitId: string;
  beforeAll(async () => {
    e = await startE2e({ definition: withBranching() });
    ({ visitId } = await subjectWithVisit(e, { visitCode: 'M12', visitDate: '2026-04-10' }));
  });
  afterAll(() => stopE2e(e));

  it('offers "Cause of death" only while the status is Died', async () => {
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/visits/${visitId}`);
    await page.getByText('Enter End of study / withdrawal / death').click();
    const form = page.getByRole('region', { name: 'New End of study / withdrawal / death' });
    const status = form.getByLabel('Status', { exact: true });
    await status.waitFor();
    expect(await form.getByLabel('Cause of death', { exact: true }).count()).toBe(0);
    await status.selectOption('died');
    await form.getByLabel('Cause of death', { exact: true }).fill('sepsis');
    await screenshot(page, 'branching-01-died');
    await status.selectOption('withdrawn');
    // Holding a value, it stays shown so that it can be cleared; cleared, it goes.
    await form.getByLabel('Cause of death', { exact: true }).fill('');
    await form.getByLabel('Cause of death', { exact: true }).waitFor({ state: 'detached' });
    await status.selectOption('died');
    await form.getByLabel('Cause of death', { exact: true }).fill('sepsis');
    await form.getByLabel('Date of completion, withdrawal, last contact or death').fill('2026-04-10');
    await form.getByRole('button', { name: 'Save End of study / withdrawal / death' }).click();
    const saved = page.getByRole('region', { name: 'Form End of study / withdrawal / death' });
    await saved.waitFor();
    const api = await apiAs(e, 'coordinator');
    const visit = await api.get<{
      forms: { formCode: string; items: { itemCode: string; value: string }[] }[];
    }>(`/api/visits/${visitId}`);
    const items = visit.body.forms.find((f) => f.formCode === 'end-of-study')!.items;
    expect(Object.fromEntries(items.map((i) => [i.itemCode, i.value]))).toMatchObject({
      status: 'died',
      death_cause: 'sepsis',
    });
  });

  it('shows a warning-severity edit check as a warning at its field, and still saves', async () => {
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/visits/${visitId}`);
    await page.getByText('Enter Vital signs').click();
    const form = page.getByRole('region', { name: 'New Vital signs' });
    await form.getByLabel('Heart rate', { exact: true }).fill('135');
    const warning = form.getByRole('status').filter({ hasText: 'Warning: Heart rate above 120/min' });
    await warning.waitFor();
    expect(await form.locator('.field-error').count()).toBe(0);
    await screenshot(page, 'branching-02-warning');
    await form.getByLabel('Heart rate', { exact: true }).fill('80');
    await warning.waitFor({ state: 'detached' });
    await form.getByLabel('Heart rate', { exact: true }).fill('135');
    await form.getByRole('button', { name: 'Save Vital signs' }).click();
    await page.getByRole('region', { name: 'Form Vital signs' }).waitFor();
  });
});
