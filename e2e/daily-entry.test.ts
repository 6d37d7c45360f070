// Daily entry (issue #22 leftovers), in Chromium against the real server on the built-in trial:
// - the administrator adds a lab reference range on the "Lab reference ranges" screen (saved as a
//   definition amendment with a reason), and a value entered outside it — in another unit, converted
//   by core's unit functions — shows the flag;
// - "Save and go to the next form": Alt+Shift+N saves a form and moves to the next form of the visit,
//   the button does the same, and after the last form the page says so at the top;
// - the BILAG form's tab order runs item by item;
// - a file uploaded to one form is listed on that form and in the patient casebook.
import { createHash } from 'node:crypto';
import { msctSleTrial } from '@msct/core/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type E2e, loginAs, screenshot, startE2e, stopE2e, waitForText } from './support.js';

// The built-in trial with the long BILAG-2004 form (97 items in 9 systems) collected too.
const definition = {
  ...msctSleTrial,
  bilagVersion: '2004',
  forms: [
    ...msctSleTrial.forms,
    { id: 'bilag2004', title: 'BILAG-2004', visitCodes: ['D0', 'M1', 'M3', 'M6', 'M9', 'M12'] },
  ],
};

const PDF = Buffer.from('%PDF-1.4\n% lab report, daily-entry e2e\n%%EOF\n');

describe('daily entry: lab ranges screen, next form, tab order, form files in the casebook', () => {
  let e: E2e;
  let subjectId: string;
  let visitId: string;
  beforeAll(async () => {
    e = await startE2e({ definition });
    const api = await apiAs(e, 'coordinator');
    const s = await api.post<{ id: string }>(`/api/studies/${e.trial.studyId}/subjects`, {
      siteId: e.trial.siteA,
      sex: 'female',
      birthDate: '1990-01-01',
    });
    expect(s.status).toBe(201);
    subjectId = s.body.id;
    const v = await api.post<{ id: string }>(`/api/subjects/${subjectId}/visits`, {
      visitCode: 'M3',
      visitDate: '2026-04-10',
    });
    expect(v.status).toBe(201);
    visitId = v.body.id;
  });
  afterAll(() => stopE2e(e));

  it('the administrator adds a range; a value in another unit outside it is flagged', async () => {
    const admin = await loginAs(e, 'admin');
    await admin.goto(`/studies/${e.trial.studyId}`);
    await admin.getByRole('link', { name: 'Lab reference ranges' }).click();
    await admin.getByRole('heading', { name: /Lab reference ranges/ }).waitFor();
    const before = await admin.locator('table tbody tr').count();
    expect(before).toBeGreaterThan(5); // the built-in trial's protocol defaults are listed
    await admin.getByRole('button', { name: 'Add a range' }).click();
    const n = before + 1;
    await admin.getByLabel(`Lab of range ${n}`, { exact: true }).selectOption({ label: 'Serum albumin' });
    await admin.getByLabel(`Unit of range ${n}`, { exact: true }).selectOption('g/L');
    await admin.getByLabel(`Low of range ${n}`, { exact: true }).fill('35');
    await admin.getByLabel(`High of range ${n}`, { exact: true }).fill('55');
    // A protocol default without its source is refused by the definition's validation, named by path.
    await admin.getByLabel('Reason for the amendment').fill('albumin range of the central laboratory');
    await admin.getByRole('button', { name: 'Save ranges as an amendment' }).click();
    await waitForText(admin.getByRole('region', { name: 'Problems in the ranges' }), 'source', 30_000);
    await admin
      .getByLabel(`Source of range ${n}`, { exact: true })
      .fill('Central laboratory manual 2026, §4');
    await admin.getByRole('button', { name: 'Save ranges as an amendment' }).click();
    // The amendment is checked against the stored data, then stored: slow on a loaded machine.
    await admin
      .getByRole('status')
      .filter({ hasText: 'Saved as definition version 2.' })
      .waitFor({ timeout: 45_000 });
    await screenshot(admin, 'daily-01-lab-ranges');
    const study = await (await apiAs(e, 'admin')).get<{ definition: typeof msctSleTrial }>(
      `/api/studies/${e.trial.studyId}`,
    );
    expect(study.body.definition.labReferenceRanges?.at(-1)).toMatchObject({
      itemCode: 'albumin',
      unit: 'g/L',
      low: 35,
      high: 55,
    });

    // The coordinator enters albumin 3.0 g/dL: no range in g/dL, converted (× 10, instruments.md §6.4).
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/visits/${visitId}`);
    await page.getByText('Enter Laboratory tests').click();
    const lab = page.getByRole('region', { name: 'New Laboratory tests' });
    await lab.getByLabel('Serum albumin', { exact: true }).fill('3.0');
    await lab.getByLabel('Unit of Serum albumin').selectOption('g/dL');
    await waitForText(lab.getByTestId('lab-flag-albumin'), 'L low · reference 35–55 g/L');
    await waitForText(lab.getByTestId('lab-flag-albumin'), '3 g/dL = 30 g/L');
    await screenshot(page, 'daily-02-flag-across-units');
  });

  it('Alt+Shift+N saves and goes to the next form; the button too; after the last form the page says so', async () => {
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/visits/${visitId}`);
    await page.getByText('Enter Laboratory tests').click();
    const lab = page.getByRole('region', { name: 'New Laboratory tests' });
    await lab.getByLabel('Serum albumin', { exact: true }).fill('40');
    await lab.getByLabel('Serum albumin', { exact: true }).press('Alt+Shift+N');
    // Saved (the labs panel is now an entered form) and the next form of the visit is open, focused.
    await page.getByRole('region', { name: 'Form Laboratory tests' }).waitFor();
    const focusedForm = () =>
      page.evaluate<string | null | undefined>(
        "document.activeElement?.closest('[data-form-code]')?.getAttribute('data-form-code')",
      );
    const order = definition.forms.filter((f) => f.visitCodes.includes('M3')).map((f) => f.id);
    const afterLabs = order.slice(order.indexOf('labs') + 1);
    let at = await focusedForm();
    expect(afterLabs).toContain(at);
    const tag = await page.evaluate<string | undefined>('document.activeElement?.tagName');
    expect(['INPUT', 'SELECT', 'TEXTAREA']).toContain(tag);
    // The button, form after form, until the page says there is none left.
    for (let i = 0; i < afterLabs.length; i++) {
      const panel = page.locator(`[data-form-code="${at}"]`);
      await panel.getByRole('button', { name: 'Save and go to the next form' }).click();
      const notice = page.locator('#next-form-notice');
      if (await notice.isVisible().catch(() => false)) break;
      await page.waitForFunction(
        `document.activeElement?.closest('[data-form-code]')?.getAttribute('data-form-code') !== ${JSON.stringify(at)} || document.getElementById('next-form-notice') !== null`,
      );
      if (await notice.isVisible().catch(() => false)) break;
      const next = await focusedForm();
      expect(afterLabs.indexOf(next!)).toBeGreaterThan(afterLabs.indexOf(at!));
      at = next;
    }
    const notice = page.locator('#next-form-notice');
    await waitForText(notice, 'was the last form left to enter at this visit: back at the top of the visit.');
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('next-form-notice');
    await screenshot(page, 'daily-03-last-form');
  });

  it("the long BILAG-2004 form's tab order runs item by item", async () => {
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/visits/${visitId}`);
    await page.getByText('Enter BILAG-2004').click();
    const form = page.locator('[data-form-code="bilag2004"]');
    // Every field of the form (the live panel's grades and the item rows), numbered in the order shown.
    const fields = await form
      .locator('input:not([type="hidden"]):not(:disabled), select:not(:disabled), textarea:not(:disabled)')
      .evaluateAll((els) =>
        els.map((el, i) => {
          el.setAttribute('data-tab-check', String(i));
          return (
            el.closest('[data-item]')?.getAttribute('data-item') ?? el.getAttribute('aria-label') ?? el.id
          );
        }),
      );
    expect(fields.length).toBeGreaterThan(20);
    await form.locator('[data-tab-check="0"]').focus();
    const seen: number[] = [];
    for (let i = 0; i < 120; i++) {
      const n = await page.evaluate<string | null>(
        "document.activeElement?.getAttribute('data-tab-check') ?? null",
      );
      if (n !== null) seen.push(Number(n));
      await page.keyboard.press('Tab');
    }
    // Tab reaches the fields one after another in the order the form shows them: none skipped, no jump
    // back (buttons beside a field — history, queries — may come between two fields).
    expect(seen.length).toBeGreaterThan(20);
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i));
  });

  it('a file on the labs form is listed there and in the patient casebook', async () => {
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/visits/${visitId}`);
    const labs = page.getByRole('region', { name: 'Form Laboratory tests' });
    await labs.getByText('Files of this form').click();
    const files = labs.locator('section.form-files');
    await files.getByText('No files attached to this form.').waitFor();
    await files.getByLabel('File', { exact: true }).setInputFiles({
      name: 'Lab report M3.pdf',
      mimeType: 'application/pdf',
      buffer: PDF,
    });
    await files.getByRole('button', { name: 'Upload' }).click();
    await files.getByRole('row', { name: /Lab report M3\.pdf/ }).waitFor();
    await screenshot(page, 'daily-04-form-file');
    // The visit's Files section lists it too (the form's visit is the file's visit).
    await page.reload();
    await page
      .locator('section.attachments')
      .getByRole('row', { name: /Lab report M3\.pdf/ })
      .waitFor();
    // The casebook lists its metadata: the record it belongs to, name, type, size, SHA-256.
    await page.goto(`/api/subjects/${subjectId}/casebook.html`);
    const html = await page.content();
    expect(html).toContain('Attached files');
    expect(html).toMatch(
      /Visit M3, form Laboratory tests<\/td><td>Lab report M3\.pdf<\/td><td>application\/pdf<\/td>/,
    );
    expect(html).toContain(createHash('sha256').update(PDF).digest('hex'));
    expect(html).toContain(`${PDF.length} bytes`);
  });
});
