// A visit or form opened by mistake is deleted with a reason (issue #20, "Entry follows the
// definition"), in Chromium against the real server: a blank form (saved with no value) offers
// "Delete form …", asks for a reason and is gone; a form holding a value offers no deletion; a visit
// opened by mistake is deleted from its page, which then goes to the subject, where the visit is no
// longer listed; both deletions are in the audit trail with their reasons.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type E2e, loginAs, screenshot, startE2e, stopE2e } from './support.js';

describe('deleting a visit or form opened by mistake', () => {
  let e: E2e;
  let subjectId: string;
  let m3: string;
  let m6: string;
  beforeAll(async () => {
    e = await startE2e();
    const api = await apiAs(e, 'coordinator');
    const s = await api.post<{ id: string }>(`/api/studies/${e.trial.studyId}/subjects`, {
      siteId: e.trial.siteA,
      sex: 'female',
      birthDate: '1990-01-01',
    });
    expect(s.status).toBe(201);
    subjectId = s.body.id;
    const open = async (visitCode: string, visitDate: string) => {
      const v = await api.post<{ id: string }>(`/api/subjects/${subjectId}/visits`, { visitCode, visitDate });
      expect(v.status).toBe(201);
      return v.body.id;
    };
    m3 = await open('M3', '2026-04-10');
    m6 = await open('M6', '2026-04-10');
    // On M3: vital signs saved blank (opened by mistake), labs with a value.
    expect(
      (
        await api.put(`/api/visits/${m3}/forms/vital-signs`, {
          items: [{ itemCode: 'systolic_bp', value: null }],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api.put(`/api/visits/${m3}/forms/labs`, {
          items: [{ itemCode: 'c4', value: '0.2', unit: 'g/L' }],
        })
      ).status,
    ).toBe(200);
  });
  afterAll(() => stopE2e(e));

  it('deletes a blank form and a visit opened by mistake, each with a reason', async () => {
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/visits/${m3}`);
    const vitals = page.getByRole('region', { name: 'Form vital-signs' });
    const labs = page.getByRole('region', { name: 'Form labs' });
    await labs.waitFor();
    // A form holding a value, and the visit holding it, offer no deletion.
    expect(await labs.getByRole('button', { name: 'Delete form labs' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete visit M3' }).count()).toBe(0);

    await vitals.getByRole('button', { name: 'Delete form vital-signs' }).click();
    const ask = vitals.getByRole('form', { name: 'Delete form vital-signs' });
    await ask.getByLabel('Reason for deleting form vital-signs').fill('opened the wrong form');
    await screenshot(page, 'delete-01-form-reason');
    await ask.getByRole('button', { name: 'Delete', exact: true }).click();
    await vitals.waitFor({ state: 'detached' });
    await labs.waitFor();

    await page.goto(`/visits/${m6}`);
    await page.getByRole('heading', { name: /Visit M6/ }).waitFor();
    await page.getByRole('button', { name: 'Delete visit M6' }).click();
    const askVisit = page.getByRole('form', { name: 'Delete visit M6' });
    // The reason is required: the browser keeps the form open without one.
    await askVisit.getByRole('button', { name: 'Delete', exact: true }).click();
    await askVisit.getByLabel('Reason for deleting visit M6').fill('opened M6 instead of M3');
    await askVisit.getByRole('button', { name: 'Delete', exact: true }).click();
    // The page goes to the subject, where M6 is no longer listed.
    await page.waitForURL(`**/subjects/${subjectId}`);
    await page.getByRole('link', { name: 'M3', exact: true }).first().waitFor();
    expect(await page.getByRole('link', { name: 'M6', exact: true }).count()).toBe(0);
    await screenshot(page, 'delete-02-visit-gone');

    // Both deletions are in the subject's trail with who and why; only M3 is left.
    const api = await apiAs(e, 'coordinator');
    const trail = await api.get<{ action: string; reason: string | null; actor: string }[]>(
      `/api/subjects/${subjectId}/audit?limit=1000`,
    );
    expect(trail.status).toBe(200);
    expect(
      trail.body
        .filter((x) => x.action === 'visit.delete' || x.action === 'form.delete')
        .map((x) => `${x.action} ${x.reason}`),
    ).toEqual(['form.delete opened the wrong form', 'visit.delete opened M6 instead of M3']);
    const visits = await api.get<{ visitCode: string }[]>(`/api/subjects/${subjectId}/visits`);
    expect(visits.body.map((v) => v.visitCode)).toEqual(['M3']);
  });
});
