// Labs (issue #22 "Labs"), in Chromium against the real server: a coordinator types a platelet count
// below its reference range and sees the L flag beside it before saving; the clinical-significance
// question appears beside it, the form cannot be complete until it is answered, and it is marked NCS;
// the monitor finds the value in the study's out-of-range list (filtered by lab, flag and CS/NCS),
// with its CSV, and the page is clean under axe-core at 1440 px and 390 px.
import { readFileSync } from 'node:fs';
import { msctSleTrial } from '@msct/core/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type E2e,
  loginAs,
  loginForAxe,
  screenshot,
  seriousAxeViolations,
  startE2e,
  stopE2e,
  subjectWithVisit,
  waitForText,
} from './support.js';

describe('labs: flag at entry, CS/NCS, the monitor’s out-of-range list', () => {
  let e: E2e;
  let visitId: string;
  let subjectCode: string;
  beforeAll(async () => {
    e = await startE2e({ definition: msctSleTrial });
    ({ subjectCode, visitId } = await subjectWithVisit(e, { visitCode: 'M3', visitDate: '2026-04-10' }));
  });
  afterAll(() => stopE2e(e));

  it('the coordinator sees L beside a low platelet count as it is typed and marks it NCS', async () => {
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/visits/${visitId}`);
    await page.getByText('Enter Laboratory tests').click();
    const lab = page.getByRole('region', { name: 'New Laboratory tests' });
    await lab.getByLabel('Sample date', { exact: true }).fill('2026-04-09');
    await lab.getByLabel('Sample time', { exact: true }).fill('08:30');
    // No flag and no significance question before a value is typed.
    expect(await lab.getByTestId('lab-flag-platelets').count()).toBe(0);
    expect(await lab.getByLabel('Platelets: clinical significance').count()).toBe(0);
    await lab.getByLabel('Platelets', { exact: true }).fill('80');
    // Live, before saving: the flag and the protocol range (WS/T 405-2012: 125–350 ×10⁹/L).
    await waitForText(lab.getByTestId('lab-flag-platelets'), 'L low · reference 125–350 10^9/L');
    await lab.getByLabel('Platelets: clinical significance').waitFor();
    await waitForText(
      lab.locator('.item-row[data-item="platelets_cs"]'),
      'Required: the value is outside its reference range',
    );
    await lab.getByLabel('White cells', { exact: true }).fill('5.0');
    await waitForText(lab.getByTestId('lab-flag-wbc'), 'N normal');
    await screenshot(page, 'labs-01-flag-as-typed');
    await lab.getByRole('button', { name: 'Save Laboratory tests' }).click();

    // Saved without an answer: the form cannot be complete, and the page says why, at the field's name.
    const form = page.getByRole('region', { name: 'Form Laboratory tests' });
    await form.getByRole('button', { name: 'Mark Laboratory tests complete' }).click();
    await waitForText(
      form,
      'Platelets: clinical significance is required: the value is outside its reference range, mark it CS or NCS',
    );
    await waitForText(page.getByTestId('form-status-labs'), 'incomplete');
    // The flag is derived again from the saved value.
    await waitForText(form.getByTestId('lab-flag-platelets'), 'L low');

    await form.getByLabel('Platelets: clinical significance').selectOption('NCS');
    await form.getByRole('button', { name: 'Save Laboratory tests' }).click();
    await page.getByRole('button', { name: 'Save Laboratory tests', disabled: true }).waitFor();
    const saved = page.getByRole('region', { name: 'Form Laboratory tests' });
    await saved.getByRole('button', { name: 'Mark Laboratory tests complete' }).click();
    await page.locator('[data-testid="form-status-labs"].status-complete').waitFor();
    expect(await saved.getByLabel('Platelets: clinical significance').inputValue()).toBe('NCS');
    await screenshot(page, 'labs-02-ncs-complete');
  });

  it('the monitor finds it in the out-of-range list, filters it, downloads it as CSV; axe is clean', async () => {
    // CSP is bypassed in this context only, so the test can inject axe-core.
    const page = await loginForAxe(e, 'monitor', { viewport: { width: 1440, height: 900 } });
    await page.goto(`/studies/${e.trial.studyId}`);
    await page.getByRole('link', { name: 'Out-of-range labs' }).click();
    await page.getByRole('heading', { name: 'Out-of-range labs' }).waitFor();
    const table = page.getByRole('table', { name: 'Out-of-range lab list' });
    const row = table.locator('tr[data-lab="platelets"]');
    await waitForText(row, subjectCode);
    await waitForText(row, 'Platelets');
    await waitForText(row, '80 10^9/L');
    await waitForText(row, 'L low');
    await waitForText(row, '125–350 10^9/L (protocol default)');
    await waitForText(row, 'Not clinically significant (NCS)');
    await waitForText(row, '2026-04-09 08:30');

    const filters = page.getByRole('form', { name: 'Filter out-of-range labs' });
    await filters.getByLabel('Lab').selectOption('platelets');
    await filters.getByLabel('Flag').selectOption('L');
    await filters.getByLabel('Clinical significance').selectOption('NCS');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await waitForText(page.getByRole('list', { name: 'Out-of-range lab counts' }), '1 out of range');
    expect(await table.locator('tbody tr').count()).toBe(1);
    // Nothing left unassessed once CS is asked for instead.
    await filters.getByLabel('Clinical significance').selectOption('CS');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No out-of-range lab value matches these filters.').waitFor();

    await filters.getByLabel('Clinical significance').selectOption('NCS');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await table.waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download this list (CSV)' }).click(),
    ]);
    const path = await download.path();
    const csv = readFileSync(path!, 'utf8').trim().split('\r\n');
    expect(csv[0]).toMatch(/^site,subject,visit,visit_date,sample_date,sample_time,lab,/);
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain(
      `,${subjectCode},M3,2026-04-10,2026-04-09,08:30,platelets,Platelets,80,10^9/L,L,low,10^9/L,,125,350,`,
    );
    expect(csv[1]).toMatch(/,NCS,complete$/);
    await screenshot(page, 'labs-03-monitor-out-of-range');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    await table.waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});
