// A coordinator declares a visit missed with a reason; the page then offers no data entry, and the
// declaration can be taken back (both audited on the server: clinical.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type E2e, loginAs, screenshot, startE2e, stopE2e, waitForText } from './support.js';

describe('missed visit', () => {
  let e: E2e;
  beforeAll(async () => {
    e = await startE2e();
  });
  afterAll(() => stopE2e(e));

  it('declares a visit without date or data missed, then takes it back', async () => {
    const c = await apiAs(e, 'coordinator');
    const subject = await c.post<{ id: string }>(`/api/studies/${e.trial.studyId}/subjects`, {
      siteId: e.trial.siteA,
    });
    const visit = await c.post<{ id: string }>(`/api/subjects/${subject.body.id}/visits`, {
      visitCode: 'M3',
    });
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/visits/${visit.body.id}`);
    await page.getByRole('heading', { name: 'Enter a new form' }).waitFor();
    await page.getByRole('button', { name: 'Declare visit missed' }).click();
    const form = page.getByRole('form', { name: 'Declare visit missed' });
    await form.getByLabel('Reason the visit was missed').fill('patient travelling, could not attend');
    await form.getByRole('button', { name: 'Declare missed' }).click();
    await waitForText(page.locator('main'), 'Status: × missed');
    expect(await page.getByRole('heading', { name: 'Enter a new form' }).count()).toBe(0);
    await screenshot(page, '60-visit-declared-missed');

    await page.getByRole('button', { name: 'Take back “missed”' }).click();
    const back = page.getByRole('form', { name: 'Take back “missed”' });
    await back.getByLabel('Reason for taking it back').fill('declared on the wrong visit');
    await back.getByRole('button', { name: 'Take back' }).click();
    // One status vocabulary (issue #22): an open visit with no form yet reads "incomplete".
    await waitForText(page.locator('main'), 'Status: ◐ incomplete visit opened, no form entered yet');
    await page.getByRole('heading', { name: 'Enter a new form' }).waitFor();
  });
});
