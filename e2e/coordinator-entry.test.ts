// A coordinator enrols a subject, opens a baseline visit, enters a value, changes it with a reason,
// and reads the audit history of that field; a stale edit is refused as a conflict.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2e, loginAs, screenshot, startE2e, stopE2e, subjectWithLabValue } from './support.js';

describe('coordinator data entry', () => {
  let e: E2e;
  beforeAll(async () => {
    e = await startE2e();
  });
  afterAll(() => stopE2e(e));

  it('enrols, enters a value, changes it with a reason and shows the audit history', async () => {
    const page = await loginAs(e, 'coordinator');
    await screenshot(page, '01-studies');
    await page.getByRole('link', { name: /Test trial/ }).click();
    await page.getByRole('heading', { name: 'Subjects' }).waitFor();
    await page.getByLabel('Site', { exact: true }).selectOption({ label: 'SA — Site A' });
    await page.getByLabel('Sex').selectOption('female');
    await page.getByLabel('Birth date').fill('1990-04-02');
    await screenshot(page, '02-study-home');
    await page.getByRole('button', { name: 'Enrol subject' }).click();

    await page.getByRole('heading', { name: /^Subject / }).waitFor();
    await page.getByLabel('Visit code').fill('BASELINE');
    await page.getByLabel('Visit date').fill('2026-03-01');
    await screenshot(page, '03-subject');
    await page.getByRole('button', { name: 'Open visit' }).click();

    await page.getByRole('heading', { name: /Visit BASELINE/ }).waitFor();
    await page.getByLabel('Form code').fill('LAB');
    const newForm = page.getByRole('group', { name: 'New form' });
    await newForm.getByLabel('New item code').fill('HGB');
    await newForm.getByLabel('New item value').fill('12.5');
    await newForm.getByLabel('New item unit').fill('g/dL');
    await newForm.getByRole('button', { name: 'Save form' }).click();

    const lab = page.getByRole('region', { name: 'Form LAB' });
    await lab.getByLabel('Value of HGB').waitFor();
    expect(await lab.getByLabel('Value of HGB').inputValue()).toBe('12.5');

    // Changing a saved value without a reason: the server's message appears at the reason field.
    await lab.getByLabel('Value of HGB').fill('13.1');
    await lab.getByRole('button', { name: 'Save LAB' }).click();
    await lab
      .getByText(/reason is required/i)
      .first()
      .waitFor();
    await screenshot(page, '04-visit-reason-required');

    await lab.getByLabel('Reason for change').fill('transcription error');
    await lab.getByRole('button', { name: 'Save LAB' }).click();
    await lab.getByText('v2').waitFor();
    expect(await lab.getByLabel('Value of HGB').inputValue()).toBe('13.1');

    await lab.getByRole('button', { name: 'History of HGB' }).click();
    const history = page.getByRole('table', { name: 'History of HGB' });
    await history.waitFor();
    await history.getByText('transcription error').waitFor();
    const text = (await history.textContent()) ?? '';
    expect(text).toContain('coordinator');
    expect(text).toMatch(/12\.5.*→.*13\.1/);
    await screenshot(page, '05-visit-audit-history');
  });

  it('refuses a stale edit with a clear conflict message', async () => {
    const { visitId } = await subjectWithLabValue(e);
    const a = await loginAs(e, 'coordinator');
    const b = await loginAs(e, 'investigator');
    for (const p of [a, b]) {
      await p.goto(`/visits/${visitId}`);
      await p.getByLabel('Value of HGB').waitFor();
    }
    await a.getByLabel('Value of HGB').fill('11.0');
    await a.getByLabel('Reason for change').fill('re-measured');
    await a.getByRole('button', { name: 'Save LAB' }).click();
    await a.getByText('v2').waitFor();

    await b.getByLabel('Value of HGB').fill('14.0');
    await b.getByLabel('Reason for change').fill('my correction');
    await b.getByRole('button', { name: 'Save LAB' }).click();
    const alert = b.getByRole('alert').filter({ hasText: 'Changed by someone else — reload' });
    await alert.waitFor();
    await screenshot(b, '06-visit-conflict');
    await alert.getByRole('button', { name: 'Reload' }).click();
    await b.getByText('v2').waitFor();
    expect(await b.getByLabel('Value of HGB').inputValue()).toBe('11.0');
  });
});
