// The form builder edits the definition's edit checks (issue #20 "edit checks as data"), in Chromium.
// On a study whose renal form has a protein/creatinine ratio and a biopsy, an admin adds a range check
// of severity query on the ratio and a required-if warning (biopsy class when a biopsy was done); a
// check without an id is shown invalid at its field and cannot be saved; the preview shows the
// warning as typed. Saved as definition version 2 through the same validation. A coordinator then
// enters the form at a visit: the warning is shown at the class while it is blank, and the save with
// an implausible ratio raises the automatic query at the ratio.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { msctSleTrial } from '@msct/core/protocol';
import { getDefinitionVersion } from '@msct/store';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiAs,
  type E2e,
  loginAs,
  screenshot,
  startE2e,
  stopE2e,
  TEST_PASSWORD,
  waitForText,
} from './support.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(`(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', '));
  })()`);
}

const definition = {
  id: 'LN-CHECKS',
  title: 'Edit checks built in the builder',
  version: '1.0',
  source: 'builder-edit-checks e2e',
  centres: [{ id: 'C1', name: 'Centre one', city: 'Nanjing', country: 'CN' }],
  visits: [
    { code: 'BL', label: 'Baseline', kind: 'baseline', targetDay: 0, windowDays: 0, repeatsInCycles: true },
    { code: 'W4', label: 'Week 4', kind: 'assessment', targetDay: 28, windowDays: 3, repeatsInCycles: true },
  ],
  infusion: { ...msctSleTrial.infusion, infusionVisitCodes: ['BL'], maxCycles: 1 },
  forms: [
    {
      id: 'renal',
      title: 'Renal assessment',
      visitCodes: ['BL', 'W4'],
      items: [
        {
          code: 'upcr',
          label: 'Urine protein/creatinine ratio',
          type: 'decimal',
          units: ['g/g'],
          min: 0,
          max: 30,
        },
        { code: 'biopsy', label: 'Kidney biopsy done', type: 'boolean' },
        { code: 'biopsy_class', label: 'ISN/RPS class', type: 'text' },
      ],
    },
  ],
  eligibility: [],
  endpointRuleSetId: msctSleTrial.endpointRuleSetId,
  retreatment: { afterStudyDay: 196, flagOnRelapse: true, sledaiRise: 3, consecutiveAssessments: 2 },
  bilagVersion: 'classic',
  sledaiWindowDays: 10,
};

describe('form builder: edit checks', () => {
  let e: E2e;
  beforeAll(async () => {
    e = await startE2e({ definition });
  });
  afterAll(() => stopE2e(e));

  it('adds a range query and a required-if warning, saves version 2; a coordinator breaks both', async () => {
    const context = await e.browser.newContext({
      baseURL: e.server.baseUrl,
      viewport: { width: 1280, height: 900 },
      bypassCSP: true,
    });
    context.setDefaultTimeout(10_000);
    e.contexts.push(context);
    const page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto('/');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Studies' }).waitFor();
    await page.goto(`/studies/${e.trial.studyId}/builder`);
    await page.getByRole('heading', { name: /^Form builder/ }).waitFor();

    const checks = page.getByRole('region', { name: 'Edit checks of renal' });
    await waitForText(checks, 'No edit checks on this form.');

    // 1. A range check of severity query on the ratio. Without an id it is invalid at its field.
    await checks.getByRole('button', { name: 'Add edit check to renal' }).click();
    const first = checks.locator('fieldset.builder-check').nth(0);
    const id = first.getByLabel('Check id');
    await waitForText(
      page.locator(`[id="${await id.getAttribute('aria-describedby')}"]`),
      'must not be empty',
    );
    expect(await id.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('button', { name: 'Check changes' }).isDisabled()).toBe(true);
    await screenshot(page, 'builder-checks-01-problem');
    await id.fill('upcr-plausible');
    await first
      .getByLabel(/^Message of upcr-plausible/)
      .fill('UPCR above 10 g/g is implausible: check the unit');
    expect(await first.getByLabel('Severity of upcr-plausible').inputValue()).toBe('query');
    expect(await first.getByLabel('Item upcr-plausible checks').inputValue()).toBe('upcr');
    await first.getByLabel('Plausible maximum of upcr-plausible').fill('10');
    await first.getByLabel(/^Unit of the bounds of upcr-plausible/).fill('g/g');
    await first.getByLabel(/^Source of upcr-plausible/).fill('KDIGO 2024 lupus nephritis guideline');

    // 2. A required-if warning: the class is asked for when a biopsy was done.
    await checks.getByRole('button', { name: 'Add edit check to renal' }).click();
    const second = checks.locator('fieldset.builder-check').nth(1);
    await second.getByLabel('Check id').fill('class-if-biopsy');
    await second.getByLabel(/^Message of class-if-biopsy/).fill('Give the ISN/RPS class of the biopsy');
    await second.getByLabel('Severity of class-if-biopsy').selectOption('warning');
    await second.getByLabel('Rule of class-if-biopsy').selectOption('required-if');
    await second.getByLabel('Item class-if-biopsy checks').selectOption('biopsy_class');
    await second.getByLabel('class-if-biopsy: required when item').selectOption('biopsy');
    expect(await second.getByLabel('class-if-biopsy: … is').inputValue()).toBe('true');
    await page.locator('fieldset.builder-check [aria-invalid="true"]').first().waitFor({ state: 'detached' });

    // The preview evaluates the warning as typed.
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.getByLabel('Kidney biopsy done', { exact: true }).selectOption('1');
    await waitForText(preview, 'Warning: Give the ISN/RPS class of the biopsy');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'builder-checks-02-preview');

    await page.getByRole('button', { name: 'Check changes' }).click();
    const report = page.getByRole('region', { name: 'Amendment report' });
    await waitForText(report, 'definition version 1 → 2');
    await page
      .getByLabel('Reason for the amendment (audit trail)')
      .fill('Plausibility checks on the renal form');
    await page.getByRole('button', { name: 'Save as version 2' }).click();
    await waitForText(page.getByRole('status').first(), 'Definition version 2 stored (was version 1)');

    const saved = JSON.parse(await getDefinitionVersion(e.server.db, e.trial.studyId, 2)) as {
      editChecks: unknown[];
    };
    expect(saved.editChecks).toEqual([
      {
        id: 'upcr-plausible',
        message: 'UPCR above 10 g/g is implausible: check the unit',
        severity: 'query',
        form: 'renal',
        rule: { kind: 'range', item: 'upcr', max: 10, unit: 'g/g' },
        source: 'KDIGO 2024 lupus nephritis guideline',
      },
      {
        id: 'class-if-biopsy',
        message: 'Give the ISN/RPS class of the biopsy',
        severity: 'warning',
        form: 'renal',
        rule: {
          kind: 'required-if',
          item: 'biopsy_class',
          condition: { op: 'is', item: 'biopsy', value: true },
        },
      },
    ]);

    // 3. A coordinator's save that breaks them: the warning at the class, the query at the ratio.
    const api = await apiAs(e, 'coordinator');
    const s = await api.post<{ id: string }>(`/api/studies/${e.trial.studyId}/subjects`, {
      siteId: e.trial.siteA,
    });
    expect(s.status).toBe(201);
    const v = await api.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
      visitCode: 'BL',
      visitDate: '2026-03-01',
    });
    expect(v.status).toBe(201);
    const site = await loginAs(e, 'coordinator');
    await site.goto(`/visits/${v.body.id}`);
    await site.getByText('Enter Renal assessment').click();
    const entry = site.getByRole('region', { name: 'New Renal assessment' });
    await entry.getByLabel('Urine protein/creatinine ratio', { exact: true }).fill('12');
    await entry.getByLabel('Kidney biopsy done', { exact: true }).selectOption('1');
    await waitForText(entry, 'Warning: Give the ISN/RPS class of the biopsy');
    await entry.getByRole('button', { name: 'Save Renal assessment' }).click();
    const form = site.getByRole('region', { name: 'Form Renal assessment' });
    await waitForText(form.getByTestId('query-marker-upcr'), '1 open');
    const thread = form.getByRole('list', { name: 'Queries on Urine protein/creatinine ratio' });
    await waitForText(thread, 'UPCR above 10 g/g is implausible: check the unit');
    expect((await thread.textContent()) ?? '').toContain('msct automatic check');
    // A warning raises no query.
    expect(await form.getByTestId('query-marker-biopsy_class').count()).toBe(0);
    await screenshot(site, 'builder-checks-03-query');
  });
});
