// The admin imports a laboratory's FHIR R4 Bundle in the browser (issue #23): the check lists what
// is skipped (a test no item maps, a preliminary result) and what is refused, with the entry and
// rule, and writes nothing; the Bundle with its mapping then imports: the haemoglobin is stored as
// the lab sent it (g/dL is one of the item's units) on the visit the encounter maps to, entered by
// the admin.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msctSleTrial } from '@msct/core/protocol';
import { createSubject } from '@msct/store';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type E2e, loginAs, screenshot, startE2e, stopE2e, TEST_PASSWORD, waitForText } from './support.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

describe('FHIR lab import in the browser', () => {
  let e: E2e;
  let code = '';
  beforeAll(async () => {
    e = await startE2e({ definition: msctSleTrial });
    const s = await createSubject(
      e.server.db,
      { id: null, name: 'test' },
      { studyId: e.trial.studyId, siteId: e.trial.siteA },
    );
    code = s.subject_code;
  });
  afterAll(() => stopE2e(e));

  it('checks a Bundle, lists skipped and refused Observations, then imports it with its mapping', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msct-e2e-fhir-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const observation = (loinc: string, value: number, unit: string, status = 'final') => ({
      resourceType: 'Observation',
      status,
      category: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' },
          ],
        },
      ],
      code: { coding: [{ system: 'http://loinc.org', code: loinc }] },
      subject: { identifier: { system: 'urn:hospital:mrn', value: code } },
      encounter: { identifier: { system: 'urn:hospital:visit', value: 'A-17' } },
      effectiveDateTime: '2024-04-12T07:45:00+02:00',
      valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
    });
    const file = join(dir, 'lab-results.json');
    writeFileSync(
      file,
      JSON.stringify({
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          observation('718-7', 12.4, 'g/dL'),
          observation('2345-7', 92, 'mg/dL'),
          observation('777-3', 250, '10*3/uL', 'preliminary'),
        ].map((resource) => ({ resource })),
      }),
    );

    const page = await loginAs(e, 'admin');
    await page.getByRole('link', { name: 'Admin' }).click();
    const form = page.getByRole('form', { name: 'Import data' });
    await form.getByLabel('Layout of the file').selectOption('fhir');
    await form.getByLabel('File', { exact: true }).setInputFiles(file);
    // Without a mapping the subject has no day 0 to anchor the visit windows on; the glucose maps to no item.
    await form.getByRole('button', { name: 'Check file' }).click();
    const problems = form.getByRole('table', { name: 'Problems in the file' });
    await waitForText(form.getByRole('alert'), '2 of 3 Observations are invalid; nothing was written');
    const cells = await problems
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => [...r.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent)),
      );
    expect(cells).toEqual([
      ['1', 'entry[0] Observation.effectiveDateTime', 'visit-unassigned'],
      ['2', 'entry[1] Observation.code', 'item-unknown'],
    ]);
    expect(await form.getByRole('button', { name: 'Import checked file' }).isDisabled()).toBe(true);

    await form
      .getByLabel(/^Mapping \(JSON, optional/)
      .fill(JSON.stringify({ encounters: { 'urn:hospital:visit|A-17': 'M3' } }));
    await form.getByLabel('Skip the Observations whose code maps to no item (each listed)').check();
    await form.getByRole('button', { name: 'Check file' }).click();
    await waitForText(form.getByRole('status'), 'The file checked clean');
    await waitForText(form, '3 Observations: 0 imported, 1 valid but not written, 2 skipped, 0 refused.');
    await waitForText(form.getByRole('table', { name: 'Observations skipped' }), 'status "preliminary"');
    await screenshot(page, 'fhir-import-checked');
    await form.getByRole('button', { name: 'Import checked file' }).click();
    await waitForText(form.getByRole('status'), 'Imported: 1 values entered');
    await waitForText(form, '3 Observations: 1 imported');

    const row = await e.server.db.kysely
      .selectFrom('item_values')
      .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
      .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
      .innerJoin('users', 'users.id', 'item_values.updated_by')
      .select([
        'item_values.value',
        'item_values.unit',
        'visits.visit_code',
        'visits.visit_date',
        'users.username',
      ])
      .where('item_values.item_code', '=', 'haemoglobin')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      value: '12.4',
      unit: 'g/dL',
      visit_code: 'M3',
      visit_date: '2024-04-12',
      username: 'admin',
    });
  });

  it('the FHIR import and its report are usable at 390 px and clean under axe', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msct-e2e-fhir-phone-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'bad.json');
    const observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '718-7' }] },
      subject: { identifier: { value: code } },
      effectiveDateTime: '2024-04-12',
      valueQuantity: { value: '12,4', unit: 'g/dL' },
    };
    writeFileSync(
      file,
      JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: observation }] }),
    );
    // CSP is bypassed in this context only, so the test can inject axe (as e2e/accessibility.test.ts).
    const context = await e.browser.newContext({
      baseURL: e.server.baseUrl,
      viewport: { width: 390, height: 844 },
      bypassCSP: true,
    });
    context.setDefaultTimeout(10_000);
    e.contexts.push(context);
    const page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Studies' }).waitFor();
    await page.getByRole('link', { name: 'Admin' }).click();
    const form = page.getByRole('form', { name: 'Import data' });
    await form.getByLabel('Layout of the file').selectOption('fhir');
    await form.getByLabel('File', { exact: true }).setInputFiles(file);
    await form.getByRole('button', { name: 'Check file' }).click();
    await waitForText(form.getByRole('table', { name: 'Problems in the file' }), 'fhir-invalid');
    await screenshot(page, 'fhir-import-390');
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.addScriptTag({ content: axeSource });
    const violations = (await page.evaluate(`(async () => {
      const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id + ': ' + v.help);
    })()`)) as string[];
    expect(violations).toEqual([]);
  });
});
