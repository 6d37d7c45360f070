// Adverse events and infusions on the subject page: an SAE is highlighted (also for the safety
// role), and an infusion shows cells/kg.
import { msctSleTrial } from '@msct/core/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type E2e, loginAs, screenshot, startE2e, stopE2e, waitForText } from './support.js';

describe('adverse events and infusions', () => {
  let e: E2e;
  beforeAll(async () => {
    e = await startE2e({ definition: msctSleTrial });
  });
  afterAll(() => stopE2e(e));

  it('records an infusion and reports an SAE, highlighted for the safety reviewer', async () => {
    const api = await apiAs(e, 'coordinator');
    const s = await api.post<{ id: string }>(`/api/studies/${e.trial.studyId}/subjects`, {
      siteId: e.trial.siteA,
    });
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/subjects/${s.body.id}`);

    const inf = page.getByRole('form', { name: 'Record an infusion' });
    await inf.getByLabel('Planned date').fill('2026-03-02');
    await inf.getByLabel('Product lot').fill('LOT-42');
    await inf.getByLabel('Total cells').fill('60000000');
    await inf.getByLabel('Weight kg').fill('60');
    await waitForText(inf.getByLabel('Cells per kg'), '1.00e+6');
    await inf.getByRole('button', { name: 'Record infusion' }).click();
    const infusions = page.getByRole('table', { name: 'Infusions' });
    await waitForText(infusions, 'LOT-42');

    // The planned infusion is then recorded as given, with a viability under the 90 % release
    // criterion (trial.md "Intervention"): the row shows the time and the flag.
    await page.getByText('Record infusion 1 of cycle 1 as given').click();
    const given = page.getByRole('form', { name: 'Record infusion 1 of cycle 1 as given' });
    await given.getByLabel('Given at').fill('2026-03-02T09:30');
    await given.getByLabel('Viability %').fill('85');
    await given.getByRole('button', { name: 'Record as given' }).click();
    const row = infusions.locator('tr[data-infusion="1-1"]');
    await waitForText(row, 'given');
    await waitForText(row, '⚠');
    expect(await row.locator('.flag').textContent()).toMatch(/85/);
    expect(await row.locator('td').nth(3).textContent()).not.toBe('—');
    expect(await page.getByText('Record infusion 1 of cycle 1 as given').count()).toBe(0);

    const ae = page.getByRole('form', { name: 'Report an adverse event' });
    await ae.getByLabel('AE term').fill('Pneumonia');
    await ae.getByLabel('Onset date').fill('2026-03-10');
    await ae.getByLabel('CTCAE grade').selectOption('3');
    await ae.getByLabel('Relatedness to infusion').selectOption('unlikely');
    await ae.getByRole('checkbox', { name: 'hospitalisation' }).check();
    await ae.getByRole('button', { name: 'Report adverse event' }).click();
    const aes = page.getByRole('table', { name: 'Adverse events' });
    await waitForText(aes, 'Pneumonia');
    expect(await aes.locator('tr.sae').count()).toBe(1);
    await waitForText(aes, 'SAE');
    await screenshot(page, '60-subject-safety');

    const safety = await loginAs(e, 'safety');
    await safety.goto(`/subjects/${s.body.id}`);
    const saes = safety.getByRole('table', { name: 'Adverse events' });
    await waitForText(saes, 'Pneumonia');
    expect(await saes.locator('tr.sae').count()).toBe(1);
    expect(await safety.getByRole('form', { name: 'Report an adverse event' }).count()).toBe(0);
  });
});
