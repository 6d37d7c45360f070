// Exports in the browser (issue 22): the statistician starts a wide CSV export on the Exports page,
// sees it finish, and downloads the file and its data dictionary (pseudonymised: no subject code,
// no date); the admin exports the same data identified, downloads the file and its import mapping,
// and re-imports it through the Import data form: every value unchanged, nothing written.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msctSleTrial } from '@msct/core/protocol';
import { databaseFingerprint } from '@msct/exchange/testing';
import { createSubject, createVisit, saveItems } from '@msct/store';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type E2e, loginAs, screenshot, startE2e, stopE2e, waitForText } from './support.js';

describe('Exports page', () => {
  let e: E2e;
  const codes: string[] = [];
  beforeAll(async () => {
    e = await startE2e({ definition: msctSleTrial });
    const actor = { id: e.trial.users.admin!.id, name: 'admin' };
    for (const siteId of [e.trial.siteA, e.trial.siteB]) {
      const s = await createSubject(e.server.db, actor, { studyId: e.trial.studyId, siteId });
      codes.push(s.subject_code);
      const v = await createVisit(e.server.db, actor, {
        subjectId: s.id,
        visitCode: 'M3',
        visitDate: '2024-04-10',
      });
      await saveItems(e.server.db, actor, {
        visitId: v.id,
        formCode: 'labs',
        items: [
          { itemCode: 'creatinine', value: '88', unit: 'µmol/L' },
          { itemCode: 'c3', value: '0.62', unit: 'g/L' },
        ],
      });
    }
  });
  afterAll(() => stopE2e(e));

  async function exportWide(page: Page) {
    await page.goto(`/studies/${e.trial.studyId}`);
    await page.getByRole('link', { name: 'Exports' }).click();
    const form = page.getByRole('form', { name: 'Start an export' });
    await form.getByLabel('Format').selectOption('csv-wide');
    await form.getByRole('button', { name: 'Start the export' }).click();
    const table = page.getByRole('table', { name: 'My exports' });
    await table
      .getByRole('link', { name: /Download the export/ })
      .first()
      .waitFor();
    return table;
  }
  async function download(page: Page, name: RegExp, dir: string) {
    const [d] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('table', { name: 'My exports' }).getByRole('link', { name }).first().click(),
    ]);
    const path = join(dir, d.suggestedFilename());
    await d.saveAs(path);
    return { name: d.suggestedFilename(), text: readFileSync(path, 'utf8'), path };
  }

  it('the statistician exports a wide CSV with its dictionary and downloads both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msct-e2e-exports-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const page = await loginAs(e, 'statistician');
    const table = await exportWide(page);
    await waitForText(table, 'pseudonymised, study days');
    await screenshot(page, 'exports-statistician');
    const data = await download(page, /Download the export/, dir);
    expect(data.name).toMatch(/-deid-wide\.csv$/);
    expect(data.text.split('\r\n')[0]).toMatch(/^subject,site,visit,cycle,study_day,/);
    for (const code of codes) expect(data.text).not.toContain(code);
    expect(data.text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    const dict = await download(page, /Download its data dictionary/, dir);
    expect(dict.text.split('\r\n')[0]).toBe('column,form,item,label,type,unit,code list');
    expect(dict.text).toContain('labs.creatinine,labs,creatinine');
    // No import mapping for a file without subject codes.
    expect(await table.getByRole('link', { name: /import mapping/ }).count()).toBe(0);
  });

  it('the admin exports it identified and re-imports it unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msct-e2e-exports-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const page = await loginAs(e, 'admin');
    await exportWide(page);
    const data = await download(page, /Download the export/, dir);
    expect(data.text).toContain(codes[0]!);
    const mapping = await download(page, /Download the import mapping/, dir);
    expect(JSON.parse(mapping.text).columns['labs.creatinine']).toBe('labs.creatinine');

    const before = await databaseFingerprint(e.server.db);
    await page.goto('/admin');
    const form = page.getByRole('form', { name: 'Import data' });
    await form.getByLabel('Layout of the file').selectOption('wide');
    await form.getByLabel('Mapping (JSON: column → form.item)').fill(mapping.text);
    await form.getByLabel('File', { exact: true }).setInputFiles(data.path);
    await form.getByRole('button', { name: 'Check file' }).click();
    await waitForText(form.getByRole('status'), 'The file checked clean: 2 rows, 4 values');
    await form.getByRole('button', { name: 'Import checked file' }).click();
    await waitForText(form.getByRole('status'), 'Imported: 0 values entered, 0 changed, 4 unchanged');
    await screenshot(page, 'exports-reimported');
    expect(await databaseFingerprint(e.server.db)).toBe(before);
  });

  it('a role without export rights sees no Exports link', async () => {
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/studies/${e.trial.studyId}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.getByRole('link', { name: 'Exports' }).count()).toBe(0);
  });
});
