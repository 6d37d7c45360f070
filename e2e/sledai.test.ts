// A coordinator enters a baseline SLEDAI-2K: the score and its trace update live as descriptors are
// ticked (lab-derived descriptors come from the labs entered at the visit), and the saved form
// gives the same score.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type E2e, loginAs, screenshot, startE2e, stopE2e, waitForText } from './support.js';

describe('SLEDAI-2K form', () => {
  let e: E2e;
  beforeAll(async () => {
    e = await startE2e();
  });
  afterAll(() => stopE2e(e));

  it('scores live from ticked descriptors and entered labs, and saves', async () => {
    const api = await apiAs(e, 'coordinator');
    const s = await api.post<{ id: string }>(`/api/studies/${e.trial.studyId}/subjects`, {
      siteId: e.trial.siteA,
    });
    const v = await api.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
      visitCode: 'BASELINE',
      visitDate: '2026-03-01',
    });
    // 24-h urine protein 1.2 g/24h > 0.5 g/24h: SLEDAI-2K proteinuria (4) is derived from the lab.
    const labs = await api.put(`/api/visits/${v.body.id}/forms/labs`, {
      items: [{ itemCode: 'proteinuria_24h', value: '1.2', unit: 'g/24h' }],
    });
    expect(labs.status).toBe(200);

    const page = await loginAs(e, 'coordinator');
    await page.goto(`/visits/${v.body.id}`);
    const panel = page.getByRole('region', { name: 'New SLEDAI-2K' });
    const score = panel.getByTestId('sledai-score');
    await waitForText(score, 'SLEDAI-2K 4');
    await panel
      .getByRole('list', { name: 'SLEDAI-2K trace' })
      .getByText(/proteinuria/)
      .waitFor();

    await panel.getByRole('checkbox', { name: /Arthritis/ }).check();
    await waitForText(score, 'SLEDAI-2K 8');
    await panel.getByRole('checkbox', { name: /Rash/ }).check();
    await panel.getByRole('checkbox', { name: /Low complement/ }).check();
    await waitForText(score, 'SLEDAI-2K 12');
    // The definition is the checkbox's description (help text).
    const arthritis = panel.getByRole('checkbox', { name: /Arthritis/ });
    expect(await arthritis.getAttribute('aria-describedby')).toBeTruthy();
    await screenshot(page, '50-visit-sledai-live');
    await panel.getByRole('button', { name: 'Save SLEDAI-2K' }).click();

    const saved = page.getByRole('region', { name: 'Form sledai2k' });
    await waitForText(saved.getByTestId('sledai-score'), 'SLEDAI-2K 12');
    expect(await saved.getByRole('checkbox', { name: /Arthritis/ }).isChecked()).toBe(true);

    // Unticking a saved descriptor is a change: it needs a reason.
    await saved.getByRole('checkbox', { name: /Rash/ }).uncheck();
    await waitForText(saved.getByTestId('sledai-score'), 'SLEDAI-2K 10');
    await saved.getByLabel('Reason for change').fill('rash judged drug-related');
    await saved.getByRole('button', { name: 'Save SLEDAI-2K' }).click();
    await waitForText(
      page.getByRole('region', { name: 'Form sledai2k' }).getByTestId('sledai-score'),
      'SLEDAI-2K 10',
    );
    await screenshot(page, '51-visit-sledai-saved');

    // A lab-derived descriptor can be recorded as not due to SLE: it then scores nothing.
    const form = page.getByRole('region', { name: 'Form sledai2k' });
    await form.getByRole('checkbox', { name: /Proteinuria.*not due to SLE/ }).check();
    await waitForText(form.getByTestId('sledai-score'), 'SLEDAI-2K 6');
  });
});
