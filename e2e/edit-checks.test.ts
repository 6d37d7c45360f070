// Issues #20/#21: an edit check of the study definition in the browser. A coordinator saves vital
// signs whose diastolic pressure is above the systolic; the automatic query's marker appears at the
// field, authored by "msct automatic check"; the coordinator corrects the value with a reason and the
// query closes by itself.
import { msctSleTrial } from '@msct/core/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type E2e, loginAs, screenshot, startE2e, stopE2e, waitForText } from './support.js';

describe('edit checks', () => {
  let e: E2e;
  beforeAll(async () => {
    e = await startE2e({ definition: msctSleTrial });
  });
  afterAll(() => stopE2e(e));

  it('a value that breaks a check raises a query at the field; correcting it closes the query', async () => {
    const api = await apiAs(e, 'coordinator');
    const s = await api.post<{ id: string }>(`/api/studies/${e.trial.studyId}/subjects`, {
      siteId: e.trial.siteA,
    });
    expect(s.status).toBe(201);
    const v = await api.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
      visitCode: 'D0',
      visitDate: '2026-03-01',
    });
    expect(v.status).toBe(201);

    const page = await loginAs(e, 'coordinator');
    await page.goto(`/visits/${v.body.id}`);
    await page.getByText('Enter Vital signs').click();
    const entry = page.getByRole('region', { name: 'New Vital signs' });
    await entry.getByLabel('Systolic blood pressure', { exact: true }).fill('120');
    await entry.getByLabel('Diastolic blood pressure', { exact: true }).fill('130');
    await entry.getByRole('button', { name: 'Save Vital signs' }).click();

    const form = page.getByRole('region', { name: 'Form Vital signs' });
    const marker = form.getByTestId('query-marker-diastolic_bp');
    await waitForText(marker, '1 open');
    const thread = form.getByRole('list', { name: 'Queries on Diastolic blood pressure' });
    await waitForText(thread, 'Diastolic blood pressure must be below systolic blood pressure');
    expect((await thread.textContent()) ?? '').toContain('msct automatic check');
    expect(await form.getByTestId('query-marker-systolic_bp').count()).toBe(0);
    await screenshot(page, '95-edit-check-query-raised');

    await form.getByLabel('Diastolic blood pressure', { exact: true }).fill('80');
    await form.getByLabel('Reason for change').fill('systolic and diastolic swapped at entry');
    await form.getByRole('button', { name: 'Save Vital signs' }).click();
    await waitForText(
      page.getByRole('region', { name: 'Form Vital signs' }).getByTestId('query-marker-diastolic_bp'),
      '1 closed',
    );
    await waitForText(
      page
        .getByRole('region', { name: 'Form Vital signs' })
        .getByRole('list', { name: 'Queries on Diastolic blood pressure' }),
      'query closed',
    );
    await screenshot(page, '96-edit-check-query-closed');
  });
});
