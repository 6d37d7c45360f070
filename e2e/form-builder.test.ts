// Build without code (issue #20), in the browser: an admin creates a second study from a minimal
// definition file (two visits, no forms) on the admin page — an invalid file first, whose problem
// list is the API's — then builds in the form builder a form with a code-list item, a decimal item
// with unit and range and a required text item, assigns it to a visit, previews it (an out-of-range
// value is flagged at the field), sees a problem at the control it concerns, and saves it as
// definition version 2 with a reason. A coordinator then opens that visit for a subject and enters
// the form; an out-of-range value is refused at the field. Site roles do not get the builder.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msctSleTrial } from '@msct/core/protocol';
import { assignRole, createSite, listDefinitionVersions } from '@msct/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiAs,
  type E2e,
  loginAs,
  loginForAxe,
  screenshot,
  seriousAxeViolations,
  startE2e,
  stopE2e,
  waitForText,
} from './support.js';

/** The second study: two visits, no forms (a frame a trial team writes before building its CRFs). */
const minimalDefinition = {
  id: 'LN-REPEAT',
  title: 'Repeat MSCT in refractory lupus nephritis',
  version: '1.0',
  source: 'form-builder e2e: a follow-on trial defined as data',
  centres: [{ id: 'C1', name: 'Centre one', city: 'Nanjing', country: 'CN' }],
  visits: [
    { code: 'BL', label: 'Baseline', kind: 'baseline', targetDay: 0, windowDays: 0, repeatsInCycles: true },
    { code: 'W4', label: 'Week 4', kind: 'assessment', targetDay: 28, windowDays: 3, repeatsInCycles: true },
  ],
  infusion: { ...msctSleTrial.infusion, infusionVisitCodes: ['BL'], maxCycles: 1 },
  forms: [],
  eligibility: [],
  endpointRuleSetId: msctSleTrial.endpointRuleSetId,
  retreatment: { afterStudyDay: 196, flagOnRelapse: true, sledaiRise: 3, consecutiveAssessments: 2 },
  bilagVersion: 'classic',
  sledaiWindowDays: 10,
};

describe('form builder: a second study built without code', () => {
  let e: E2e;
  let dir = '';
  beforeAll(async () => {
    e = await startE2e({ definition: msctSleTrial });
    dir = mkdtempSync(join(tmpdir(), 'msct-e2e-builder-'));
  });
  afterAll(async () => {
    await stopE2e(e);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the study from a file, builds, previews and saves a form; a coordinator enters it', async () => {
    const good = join(dir, 'ln-repeat.json');
    writeFileSync(good, JSON.stringify(minimalDefinition, null, 2));
    const badDefinition = { ...minimalDefinition, centres: [], visits: [minimalDefinition.visits[0]] };
    const bad = join(dir, 'ln-repeat-bad.json');
    writeFileSync(bad, JSON.stringify(badDefinition));

    // Admin, in a context where axe can be injected.
    const page = await loginForAxe(e, 'admin');
    await page.getByRole('link', { name: 'Admin' }).click();

    // 1. The study from a file: an invalid one lists the API's problems; the valid one is created.
    const upload = page.getByRole('form', { name: 'Study from a definition file' });
    await upload.getByLabel(/^Definition file/).setInputFiles(bad);
    await upload.getByRole('button', { name: 'Check file' }).click();
    const problems = upload.getByRole('region', { name: 'Problems in the study file' });
    await problems.waitFor();
    const admin = await apiAs(e, 'admin');
    const dry = await admin.post<{ problems: string[] }>('/api/studies/from-file', {
      format: 'msct',
      file: JSON.stringify(badDefinition),
      dryRun: true,
    });
    expect(dry.body.problems.length).toBeGreaterThan(0);
    expect(await problems.locator('li').allTextContents()).toEqual(dry.body.problems);
    expect(await upload.getByRole('button', { name: 'Create study from file' }).count()).toBe(0);

    await upload.getByLabel(/^Definition file/).setInputFiles(good);
    await upload.getByRole('button', { name: 'Check file' }).click();
    await waitForText(upload.getByRole('status'), 'Checked: the definition is valid');
    await upload.getByRole('button', { name: 'Create study from file' }).click();
    await waitForText(upload.getByRole('status'), 'Study LN-REPEAT created (definition version 1)');
    await screenshot(page, 'builder-01-study-from-file');
    const studies = await admin.get<{ id: string; code: string }[]>('/api/studies');
    const studyId = studies.body.find((s) => s.code === 'LN-REPEAT')!.id;

    // 2. The form builder, from the study's home page.
    await page.goto(`/studies/${studyId}`);
    await page.getByRole('link', { name: 'Form builder' }).click();
    await page.getByRole('heading', { name: 'Form builder — LN-REPEAT' }).waitFor();

    // A code list, referenced by an item below.
    await page.getByRole('button', { name: 'Add code list' }).click();
    const list = page.locator('fieldset.builder-codelist').first();
    await list.getByLabel('Code list id').fill('ln-class');
    await list.getByLabel('Code list label').fill('ISN/RPS class');
    const code1 = list.getByRole('group', { name: 'Code 1 of ln-class' });
    await code1.getByLabel('Code', { exact: true }).fill('III');
    await code1.getByLabel('Code label').fill('Class III');
    await list.getByRole('button', { name: 'Add code to ln-class' }).click();
    const code2 = list.getByRole('group', { name: 'Code 2 of ln-class' });
    await code2.getByLabel('Code', { exact: true }).fill('IV');
    await code2.getByLabel('Code label').fill('Class IV');

    // A form with three items; while an item has no code, the problem is shown at its code field.
    await page.getByRole('button', { name: 'Add form' }).click();
    await page.getByLabel('Form code').fill('renal');
    await page.getByLabel('Form title').fill('Renal assessment');
    await page.getByRole('button', { name: 'Add item' }).click();
    const item1 = page.locator('fieldset.builder-item').nth(0);
    const code = item1.getByLabel('Item code');
    expect(await code.getAttribute('aria-invalid')).toBe('true');
    const codeError = await code.getAttribute('aria-describedby');
    expect(await page.locator(`[id="${codeError}"]`).textContent()).toBe('must not be empty');
    expect(await page.getByRole('button', { name: 'Check changes' }).isDisabled()).toBe(true);
    await screenshot(page, 'builder-02-problem-at-field');
    await code.fill('ln_class');
    expect(await code.getAttribute('aria-invalid')).toBeNull();
    await item1.getByLabel('Label').fill('ISN/RPS class on the latest biopsy');
    await item1.getByLabel('Type').selectOption('code');
    await item1.getByLabel('Code list').selectOption('ln-class');

    await page.getByRole('button', { name: 'Add item' }).click();
    const item2 = page.locator('fieldset.builder-item').nth(1);
    await item2.getByLabel('Item code').fill('upcr');
    await item2.getByLabel('Label').fill('Urine protein/creatinine ratio');
    await item2.getByLabel('Type').selectOption('decimal');
    await item2.getByLabel('Help text').fill('Spot morning urine');
    await item2.getByLabel(/^Units/).fill('g/g');
    await item2.getByLabel('Minimum').fill('0');
    await item2.getByLabel('Maximum').fill('20');

    await page.getByRole('button', { name: 'Add item' }).click();
    const item3 = page.locator('fieldset.builder-item').nth(2);
    await item3.getByLabel('Item code').fill('biopsy_note');
    await item3.getByLabel('Label').fill('Biopsy summary');
    await item3.getByLabel('Required').check();

    // Reorder with the keyboard: the biopsy summary moves up, then back down.
    await item3.getByRole('button', { name: 'Move biopsy_note up' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('fieldset.builder-item').nth(1).getAttribute('data-item')).toBe('biopsy_note');
    await page
      .locator('fieldset.builder-item')
      .nth(1)
      .getByRole('button', { name: 'Move biopsy_note down' })
      .click();
    expect(
      await page
        .locator('fieldset.builder-item')
        .evaluateAll((fs) => fs.map((f) => f.getAttribute('data-item'))),
    ).toEqual(['ln_class', 'upcr', 'biopsy_note']);

    // A form collected at no visit is a problem at the visit choices; assign it to week 4.
    const visits = page.getByRole('group', { name: 'Collected at the visits' });
    await waitForText(visits, 'must');
    await visits.getByLabel('W4 — Week 4').check();

    // The preview: the form as a site sees it, checked as typed.
    const preview = page.getByRole('region', { name: 'Preview' });
    expect(
      await preview.getByLabel('ISN/RPS class on the latest biopsy').locator('option').allTextContents(),
    ).toEqual(['(not recorded)', 'Class III', 'Class IV']);
    await waitForText(preview, 'Spot morning urine · plausible 0–20 g/g');
    await preview.getByLabel('Urine protein/creatinine ratio').fill('25');
    await waitForText(
      preview.getByRole('alert'),
      'Urine protein/creatinine ratio: 25 is above the plausible maximum 20 g/g',
    );
    expect(await preview.getByRole('button', { name: /^Save/ }).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Problems in the definition' }).count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'builder-03-preview');

    // Save: the amendment report, then version 2 with a reason.
    await page.getByRole('button', { name: 'Check changes' }).click();
    const report = page.getByRole('region', { name: 'Amendment report' });
    await waitForText(report, 'definition version 1 → 2');
    expect((await report.getByRole('list', { name: 'Added' }).textContent()) ?? '').toContain('renal');
    const save = page.getByRole('button', { name: 'Save as version 2' });
    expect(await save.isDisabled()).toBe(true);
    await page.getByLabel('Reason for the amendment (audit trail)').fill('Renal assessment CRF for week 4');
    await save.click();
    await waitForText(page.getByRole('status').first(), 'Definition version 2 stored (was version 1)');
    await page.getByText('definition version 2').first().waitFor();
    await screenshot(page, 'builder-04-saved');
    const stored = await listDefinitionVersions(e.server.db, studyId);
    expect(stored.map((v) => [v.version, v.createdByName, v.reason])).toEqual([
      [1, 'admin', null],
      [2, 'admin', 'Renal assessment CRF for week 4'],
    ]);

    // 3. A coordinator at the new study's site enters the form at week 4.
    const system = { id: e.trial.users.admin!.id, name: 'admin' };
    const site = await createSite(e.server.db, system, { studyId, code: 'C1', name: 'Centre one' });
    await assignRole(e.server.db, system, {
      userId: e.trial.users.coordinator!.id,
      role: 'coordinator',
      studyId,
      siteId: site.id,
    });
    const coordinator = await apiAs(e, 'coordinator');
    const subject = await coordinator.post<{ id: string }>(`/api/studies/${studyId}/subjects`, {
      siteId: site.id,
      sex: 'female',
      birthDate: '1988-05-02',
    });
    expect(subject.status).toBe(201);

    const coord = await loginAs(e, 'coordinator');
    await coord.goto(`/studies/${studyId}`);
    await coord.getByRole('heading', { name: /LN-REPEAT/ }).waitFor();
    expect(await coord.getByRole('link', { name: 'Form builder' }).count()).toBe(0);
    await coord.goto(`/subjects/${subject.body.id}`);
    await coord.getByLabel('Visit code').selectOption('W4');
    await coord.getByLabel('Visit date').fill('2026-11-02');
    await coord.getByRole('button', { name: 'Open visit' }).click();
    await coord.getByRole('heading', { name: /Visit W4/ }).waitFor();
    await coord.getByText('Enter Renal assessment').click();
    const entry = coord.getByRole('region', { name: 'New Renal assessment' });
    await entry.getByLabel('ISN/RPS class on the latest biopsy').selectOption('IV');
    await entry.getByLabel('Urine protein/creatinine ratio').fill('25');
    await entry.getByLabel('Biopsy summary').fill('Class IV, active lesions');
    await entry.getByRole('button', { name: 'Save Renal assessment' }).click();
    await waitForText(
      entry.locator('[data-item="upcr"] [role="alert"]'),
      'Urine protein/creatinine ratio: 25 is above the plausible maximum 20 g/g',
    );
    await screenshot(coord, 'builder-05-refused-at-field');
    const none = await e.server.db.kysely
      .selectFrom('item_values')
      .select('item_code')
      .where('item_code', '=', 'upcr')
      .execute();
    expect(none).toEqual([]);

    await entry.getByLabel('Urine protein/creatinine ratio').fill('2.4');
    await entry.getByRole('button', { name: 'Save Renal assessment' }).click();
    await coord.getByRole('region', { name: 'New Renal assessment' }).waitFor({ state: 'detached' });
    const saved = await e.server.db.kysely
      .selectFrom('item_values')
      .select(['item_code', 'value', 'unit', 'definition_version'])
      .where('item_code', 'in', ['ln_class', 'upcr', 'biopsy_note'])
      .orderBy('item_code')
      .execute();
    expect(saved.map((r) => [r.item_code, r.value, r.unit, Number(r.definition_version)])).toEqual([
      ['biopsy_note', 'Class IV, active lesions', null, 2],
      ['ln_class', 'IV', null, 2],
      ['upcr', '2.4', 'g/g', 2],
    ]);
  });

  it('site roles do not get the builder, and the API refuses their amendments', async () => {
    const studies = await (await apiAs(e, 'admin')).get<{ id: string; code: string; version: number }[]>(
      '/api/studies',
    );
    const study = studies.body.find((s) => s.code !== 'LN-REPEAT')!;
    for (const role of ['coordinator', 'investigator']) {
      const page = await loginAs(e, role);
      await page.goto(`/studies/${study.id}`);
      await page.getByRole('link', { name: 'Adverse events and SAEs' }).waitFor();
      expect(await page.getByRole('link', { name: 'Form builder' }).count()).toBe(0);
      await page.goto(`/studies/${study.id}/builder`);
      await waitForText(page.getByRole('alert'), 'The form builder is for administrators');
      expect(await page.getByRole('button', { name: 'Add form' }).count()).toBe(0);
      const api = await apiAs(e, role);
      const r = await api.post(`/api/studies/${study.id}/definition/amendments`, {
        definition: msctSleTrial,
        version: study.version,
        dryRun: true,
      });
      expect(r.status).toBe(403);
    }
  });
});
