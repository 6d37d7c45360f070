// A monitor raises a query on a field; the coordinator sees it on the study home and answers; the
// monitor closes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2e, loginAs, screenshot, startE2e, stopE2e, subjectWithLabValue } from './support.js';

describe('queries', () => {
  let e: E2e;
  beforeAll(async () => {
    e = await startE2e();
  });
  afterAll(() => stopE2e(e));

  it('raises, answers and closes a query on a field', async () => {
    const { visitId, subjectCode } = await subjectWithLabValue(e);
    const monitor = await loginAs(e, 'monitor');
    await monitor.goto(`/visits/${visitId}`);
    const lab = monitor.getByRole('region', { name: 'Form LAB' });
    expect(await lab.getByLabel('Value of HGB').isDisabled()).toBe(true);
    await lab.getByRole('button', { name: 'Raise query on HGB' }).click();
    await lab.getByLabel('Query text').fill('HGB 12.5 does not match the source lab report; please check.');
    await lab.getByRole('button', { name: 'Raise query', exact: true }).click();
    const onHgb = lab.getByRole('list', { name: 'Queries on HGB' });
    await onHgb.getByText('query open').waitFor();
    await screenshot(monitor, '20-visit-query-raised');

    const coord = await loginAs(e, 'coordinator');
    await coord.getByRole('link', { name: /Test trial/ }).click();
    const dash = coord.getByRole('list', { name: 'Queries' });
    await dash.getByText('does not match the source').waitFor();
    expect((await dash.textContent()) ?? '').toContain(subjectCode);
    expect((await dash.textContent()) ?? '').toContain('LAB.HGB');
    await screenshot(coord, '21-study-home-open-queries');
    await dash.getByRole('button', { name: 'Answer query' }).click();
    await dash
      .getByLabel('Answer', { exact: true })
      .fill('Checked against the source: 12.5 g/dL is correct.');
    await dash.getByRole('button', { name: 'Send answer' }).click();
    await dash.getByText('answered').waitFor();

    await monitor.reload();
    await onHgb.getByText('query answered').waitFor();
    await onHgb.getByRole('button', { name: 'Close query' }).click();
    await onHgb.getByLabel(/Comment/).fill('Verified.');
    await onHgb.getByRole('button', { name: 'Close query' }).click();
    await onHgb.getByText('query closed').waitFor();
    await screenshot(monitor, '22-visit-query-closed');
  });
});
