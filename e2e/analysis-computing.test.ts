// Issue 16 in Chromium: the first derivation of a study does not hold the request. The server here
// answers "computing" at once (MSCT_DERIVATION_WAIT_MS=0, as a large trial's first derivation would
// after the default 2 s); the analysis page says "Computing…", asks again after the server's
// Retry-After, and then shows the endpoint counts and the analysis from the derived data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type E2e, loginAs, screenshot, startE2e, stopE2e, waitForText } from './support.js';

describe('the analysis page while the server derives the study', () => {
  let e: E2e;
  beforeAll(async () => {
    e = await startE2e({ config: { derivationWaitMs: 0 } });
    const coord = await apiAs(e, 'coordinator');
    for (let i = 0; i < 2; i++) {
      const s = await coord.post(`/api/studies/${e.trial.studyId}/subjects`, { siteId: e.trial.siteA });
      if (s.status !== 201) throw new Error(`subject: ${s.status} ${JSON.stringify(s.body)}`);
    }
  });
  afterAll(() => stopE2e(e));

  it('shows "Computing…", polls, then shows the counts and the analysis', async () => {
    const page = await loginAs(e, 'statistician');
    const asked: number[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith(`/api/studies/${e.trial.studyId}/endpoints`)) asked.push(r.status());
    });
    await page.goto(`/studies/${e.trial.studyId}/analysis`);
    const computing = page.getByTestId('computing');
    await waitForText(computing, 'Computing… the server is deriving this study');
    await waitForText(computing, 'asks again every 2 s');
    await screenshot(page, '78-analysis-computing');
    // Then the result, without the user doing anything.
    await page.getByRole('heading', { name: /^Analysis — / }).waitFor({ timeout: 30_000 });
    await waitForText(page.getByTestId('count-subjects'), '2', 30_000);
    expect(await computing.count()).toBe(0);
    await waitForText(page.getByTestId('population-screened'), '2', 30_000);
    // The page was told "computing" (202) first, and the result (200) came to a later request.
    expect(asked[0]).toBe(202);
    expect(asked.at(-1)).toBe(200);
    await screenshot(page, '79-analysis-derived');
  });
});
