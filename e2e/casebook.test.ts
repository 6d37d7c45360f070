// Issue #22 acceptance in Chromium: print a blank CRF and a casebook to PDF from the UI. The
// investigator downloads the study's blank CRFs from the study home and a subject's casebook (with a
// signed visit) from the subject page; both files are PDFs of more than one page.
import { readFile } from 'node:fs/promises';
import { SIGNATURE_MEANING } from '@msct/contract';
import { msctSleTrial } from '@msct/core/protocol';
import { createSubject, createVisit, saveItems, setFormStatus, signForms } from '@msct/store';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2e, loginAs, screenshot, startE2e, stopE2e } from './support.js';

/** Pages of a PDF: its page objects (`/Type /Page`, not `/Pages`). */
const pageCount = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length;

/** Clicks a link that downloads a file and returns the file's name and bytes. */
async function download(page: Page, linkName: string) {
  const [file] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    page.getByRole('link', { name: linkName }).click(),
  ]);
  return { name: file.suggestedFilename(), bytes: await readFile((await file.path())!) };
}

describe('printed CRFs and casebook', () => {
  let e: E2e;
  let subjectId: string;
  beforeAll(async () => {
    e = await startE2e({ definition: msctSleTrial });
    const admin = { id: e.trial.users.admin!.id, name: 'admin' };
    const s = await createSubject(e.server.db, admin, {
      studyId: e.trial.studyId,
      siteId: e.trial.siteA,
      status: 'enrolled',
      sex: 'F',
      birthDate: '1971-04-23',
      enrolledAt: '2013-01-03',
      day0Date: '2013-01-10',
    });
    subjectId = s.id;
    const v = await createVisit(e.server.db, admin, {
      subjectId: s.id,
      visitCode: 'M1',
      visitDate: '2013-02-11',
    });
    const labs = await saveItems(e.server.db, admin, {
      visitId: v.id,
      formCode: 'labs',
      items: [{ itemCode: 'albumin', value: '30', unit: 'g/L' }],
    });
    const done = await setFormStatus(e.server.db, admin, labs.form.id, labs.form.version, 'complete');
    await signForms(
      e.server.db,
      { id: e.trial.users.investigator!.id, name: 'investigator' },
      {
        subjectId: s.id,
        visitId: v.id,
        forms: [{ formId: done.id, version: done.version }],
        meaning: SIGNATURE_MEANING,
      },
    );
  }, 60_000);
  afterAll(() => stopE2e(e));

  it('the investigator prints the blank CRFs and a casebook to PDF', async () => {
    const page = await loginAs(e, 'investigator');
    await page.goto(`/studies/${e.trial.studyId}`);
    const crfs = await download(page, 'Print blank CRFs (PDF)');
    expect(crfs.name).toMatch(/-blank-crfs\.pdf$/);
    expect(crfs.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pageCount(crfs.bytes)).toBeGreaterThanOrEqual(msctSleTrial.forms!.length);
    await screenshot(page, '120-study-home-print-crfs');

    await page.goto(`/subjects/${subjectId}`);
    const casebook = await download(page, 'Print casebook (PDF)');
    expect(casebook.name).toMatch(/^casebook-.+\.pdf$/);
    expect(casebook.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pageCount(casebook.bytes)).toBeGreaterThan(1);
    await screenshot(page, '121-subject-print-casebook');
    // Taking the casebook is in the audit trail as an export, by the investigator.
    const exported = await e.server.db.kysely
      .selectFrom('audit_events')
      .select(['actor_name', 'new_value'])
      .where('action', '=', 'casebook.export')
      .where('subject_id', '=', subjectId)
      .execute();
    expect(exported).toEqual([
      { actor_name: 'investigator', new_value: '{"format":"pdf","pseudonymised":false}' },
    ]);
  });
});
