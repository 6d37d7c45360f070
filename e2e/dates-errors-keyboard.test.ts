// Issue #22 (second half): one date format whatever the browser's language and zone, errors shown
// once at the field in words, and the keyboard's save shortcut on the visit page. The browser runs
// in German with the Shanghai zone: a locale-dependent date (06.12.2026, 1.3.2026, 09:30:00) or a
// zone shift would show here.
import { msctSleTrial } from '@msct/core/protocol';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type E2e, screenshot, startE2e, stopE2e, TEST_PASSWORD, waitForText } from './support.js';

const ISO_TIME = /\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/;
const LOCALE_DATE = /\b\d{1,2}\.\d{1,2}\.\d{2,4}\b|\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/;

async function loginGerman(e: E2e, username: string): Promise<Page> {
  const context = await e.browser.newContext({
    baseURL: e.server.baseUrl,
    viewport: { width: 1280, height: 900 },
    locale: 'de-DE',
    timezoneId: 'Asia/Shanghai',
  });
  context.setDefaultTimeout(10_000);
  e.contexts.push(context);
  const page = await context.newPage();
  await page.goto('/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Studies' }).waitFor();
  return page;
}

describe('dates, errors and the keyboard in a German browser in Shanghai', () => {
  let e: E2e;
  beforeAll(async () => {
    e = await startE2e({ definition: msctSleTrial });
  });
  afterAll(() => stopE2e(e));

  it('shows ISO dates, says a wrong one in words, refuses once at the field and saves with Ctrl+S', async () => {
    const api = await apiAs(e, 'coordinator');
    const s = await api.post<{ id: string }>(`/api/studies/${e.trial.studyId}/subjects`, {
      siteId: e.trial.siteA,
    });
    expect(s.status).toBe(201);
    const page = await loginGerman(e, 'coordinator');
    expect(await page.evaluate(() => new Date(0).toLocaleDateString())).toBe('1.1.1970');

    // Subject page: the visit date is typed as YYYY-MM-DD, whatever the browser's language.
    await page.goto(`/subjects/${s.body.id}`);
    const visitDate = page.getByLabel('Visit date');
    expect(await visitDate.getAttribute('type')).toBe('text');
    await page.getByText('YYYY-MM-DD').first().waitFor();
    await visitDate.fill('01.03.2026');
    await visitDate.blur();
    await page
      .getByText('Write the date as YYYY-MM-DD, for example 2026-03-01 (not "01.03.2026").')
      .waitFor();
    expect(await visitDate.getAttribute('aria-invalid')).toBe('true');
    await visitDate.fill('2026-03-01');
    expect(await page.getByText(/Write the date as/).count()).toBe(0);
    await screenshot(page, 'polish-01-subject-date');
    const v = await api.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
      visitCode: 'D0',
      visitDate: '2026-03-01',
    });
    expect(v.status).toBe(201);

    // Visit page: a value the server refuses is said once, at its field, in words; focus goes there.
    await page.goto(`/visits/${v.body.id}`);
    await page.getByText('Enter Vital signs').click();
    const entry = page.getByRole('region', { name: 'New Vital signs' });
    const systolic = entry.getByLabel('Systolic blood pressure', { exact: true });
    await systolic.fill('9999');
    await entry.getByLabel('Diastolic blood pressure', { exact: true }).fill('80');
    await entry.getByRole('button', { name: 'Save Vital signs' }).click();
    const alert = entry.getByRole('alert').filter({ hasText: 'Not saved' });
    await alert.waitFor();
    const body = (await page.locator('main').textContent()) ?? '';
    expect(body).not.toMatch(/body\.|items\.\d/);
    expect(await alert.textContent()).toMatch(/^Not saved: see the messages? at the (field|\d+ fields)\.$/);
    expect(await systolic.getAttribute('aria-invalid')).toBe('true');
    expect(await systolic.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await screenshot(page, 'polish-02-refused-at-field');

    // Keyboard only: correct the value and save with Ctrl+S from inside the form.
    await page.keyboard.press('Control+A');
    await page.keyboard.type('120');
    await page.keyboard.press('Control+S');
    const saved = page.getByRole('region', { name: 'Form Vital signs' });
    await saved.waitFor();
    expect(await saved.getByLabel('Systolic blood pressure', { exact: true }).inputValue()).toBe('120');

    // The field's history: the time with its zone, never the browser's own format.
    // Its button and the "What" column read in words, not codes (item.enter, systolic_bp).
    await saved.getByText('Items, history and queries').click();
    await saved.getByRole('button', { name: 'History of Systolic blood pressure' }).click();
    const history = saved.getByRole('table', { name: /^History of/ }).first();
    await history.waitFor();
    const historyText = (await history.textContent()) ?? '';
    expect(historyText).toMatch(ISO_TIME);
    expect(historyText).toContain('Item entered');
    expect(historyText).not.toContain('item.enter');
    const visitText = (await page.locator('main').textContent()) ?? '';
    expect(visitText).toContain('2026-03-01');
    expect(visitText).not.toMatch(LOCALE_DATE);
    await screenshot(page, 'polish-03-visit-history');

    // An adverse event reported in the German browser: onset typed and shown as YYYY-MM-DD.
    await page.goto(`/subjects/${s.body.id}`);
    const form = page.getByRole('form', { name: 'Report an adverse event' });
    await form.getByLabel('AE term').fill('Headache');
    await form.getByLabel('Onset date').fill('2026-03-05');
    await form.getByRole('button', { name: 'Report adverse event' }).click();
    const aes = page.getByRole('table', { name: 'Adverse events' });
    await waitForText(aes, '2026-03-05');
    expect((await page.locator('main').textContent()) ?? '').not.toMatch(LOCALE_DATE);
    await aes.getByRole('link', { name: 'Details' }).first().click();
    await page.waitForURL(/\/adverse-events\//);
    await waitForText(page.locator('main'), 'Headache');
    const aeText = (await page.locator('main').textContent()) ?? '';
    expect(aeText).toContain('2026-03-05');
    expect(aeText).not.toMatch(LOCALE_DATE);
    await screenshot(page, 'polish-04-ae-page');
  });
});
