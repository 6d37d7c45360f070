// A coordinator of site B cannot see site A's subject: not in the list, and its URL says "not found".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2e, loginAs, screenshot, startE2e, stopE2e, subjectWithLabValue } from './support.js';

describe('site isolation', () => {
  let e: E2e;
  beforeAll(async () => {
    e = await startE2e();
  });
  afterAll(() => stopE2e(e));

  it("hides site A's subject from site B's coordinator", async () => {
    const a = await subjectWithLabValue(e);
    const page = await loginAs(e, 'coordinator_b');
    await page.getByRole('link', { name: /Test trial/ }).click();
    await page.getByRole('heading', { name: 'Subjects' }).waitFor();
    await page.getByText('No subjects at your sites yet.').waitFor();
    expect(await page.getByRole('link', { name: a.subjectCode }).count()).toBe(0);
    const sitesText = (await page.getByRole('region', { name: 'Sites' }).textContent()) ?? '';
    expect(sitesText).not.toContain('Site A');
    await screenshot(page, '10-study-home-site-b');

    await page.goto(`/subjects/${a.subjectId}`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await page.goto(`/visits/${a.visitId}`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    expect(await page.getByText('12.5').count()).toBe(0);
    await screenshot(page, '11-not-found');

    // Site A's coordinator sees it.
    const pa = await loginAs(e, 'coordinator');
    await pa.getByRole('link', { name: /Test trial/ }).click();
    await pa.getByRole('link', { name: a.subjectCode }).waitFor();
  });
});
