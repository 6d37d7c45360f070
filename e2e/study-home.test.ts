// The study home of a trial with more subjects than one page (issue 16): the counts per site are the
// true ones (counted by the server over every subject, not from the page the browser holds), and the
// record status grid pages through all subjects, saying which part of how many it shows.
import { msctSleTrial } from '@msct/core/protocol';
import { createSubject, type Subject } from '@msct/store';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2e, loginAs, screenshot, startE2e, stopE2e, waitForText } from './support.js';

const N_A = 83;
const N_B = 47;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The subject codes of the grid's rows, top to bottom. */
async function gridCodes(page: Page): Promise<string[]> {
  const rows = page.getByRole('table', { name: 'Record status' }).locator('tbody tr');
  return rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-subject') ?? ''));
}

/** The cells of a site's row in the counts table (its header first). */
async function countsRow(page: Page, site: string): Promise<string[]> {
  return page
    .getByRole('table', { name: 'Counts per site' })
    .locator(`tr[data-site="${site}"]`)
    .locator('th, td')
    .allTextContents();
}

describe('study home at scale', () => {
  let e: E2e;
  let subjects: Subject[];
  beforeAll(async () => {
    e = await startE2e({ definition: msctSleTrial });
    // Straight through the store, all at once (SQLite's group commit writes them in a few commits).
    const admin = { id: e.trial.users.admin!.id, name: 'admin' };
    const plan = [
      ...Array.from({ length: N_A }, (_, i) => ({
        siteId: e.trial.siteA,
        status: i < 60 ? ('enrolled' as const) : ('screening' as const),
      })),
      ...Array.from({ length: N_B }, (_, i) => ({
        siteId: e.trial.siteB,
        status: i < 5 ? ('died' as const) : i < 12 ? ('withdrawn' as const) : ('enrolled' as const),
      })),
    ];
    subjects = await Promise.all(
      plan.map((p) => createSubject(e.server.db, admin, { studyId: e.trial.studyId, ...p })),
    );
  }, 120_000);
  afterAll(() => stopE2e(e));

  it('shows true counts per site and pages through every subject', async () => {
    const page = await loginAs(e, 'monitor');
    await page.getByRole('link', { name: /Test trial/ }).click();
    const pager = page.getByRole('navigation', { name: 'Record status pages', exact: true });
    await waitForText(pager, `Showing 1–50 of ${N_A + N_B} subjects`);

    // Counts over every subject, not over the 50 rows on the page.
    expect(await countsRow(page, 'SA')).toEqual([
      'SA',
      `${N_A}`,
      `${N_A - 60}`,
      '60',
      '0',
      '0',
      '0',
      '0',
      '0',
      '0',
    ]);
    expect(await countsRow(page, 'SB')).toEqual([
      'SB',
      `${N_B}`,
      '0',
      `${N_B - 12}`,
      '0',
      '7',
      '5',
      '0',
      '0',
      '0',
    ]);
    expect((await countsRow(page, ''))[1]).toBe(`${N_A + N_B}`);
    await screenshot(page, '80-study-home-at-scale');

    // Page 1, then 2, then the last: in subject-code order, no subject twice, none left out.
    const codes = subjects.map((s) => s.subject_code).sort(cmp);
    const seen = await gridCodes(page);
    expect(seen).toEqual(codes.slice(0, 50));
    await pager.getByRole('button', { name: 'Next' }).click();
    await waitForText(pager, `Showing 51–100 of ${N_A + N_B} subjects`);
    expect(await gridCodes(page)).toEqual(codes.slice(50, 100));
    await pager.getByRole('button', { name: 'Last' }).click();
    await waitForText(pager, `Showing 101–${N_A + N_B} of ${N_A + N_B} subjects · page 3 of 3`);
    expect(await gridCodes(page)).toEqual(codes.slice(100));
    expect(await pager.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await pager.getByRole('button', { name: 'Previous' }).click();
    await waitForText(pager, 'Showing 51–100');
    // The page is in the address: back from a subject returns to the same page of the grid.
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
    await page.getByRole('table', { name: 'Record status' }).getByRole('link', { name: codes[50]! }).click();
    await page.getByRole('heading', { name: new RegExp(`^Subject ${codes[50]}`) }).waitFor();
    await page.goBack();
    await waitForText(pager, 'Showing 51–100');
    expect(await gridCodes(page)).toEqual(codes.slice(50, 100));

    // The server filters: site B's 47 in pages of 25, the total saying what the filter matched.
    const filters = page.getByRole('form', { name: 'Find subjects' });
    await filters.getByLabel('Per page').selectOption('25');
    await waitForText(pager, `Showing 1–25 of ${N_A + N_B} subjects`);
    await filters.getByLabel('Filter by site').selectOption({ label: 'SB' });
    await waitForText(pager, `Showing 1–25 of ${N_B} matching subjects (${N_A + N_B} at your sites)`);
    expect((await gridCodes(page)).every((c) => c.startsWith('SB-'))).toBe(true);
    await filters.getByLabel('Filter by status').selectOption({ label: 'Died' });
    await waitForText(pager, 'Showing 1–5 of 5 matching subjects');
    await filters.getByLabel('Filter by status').selectOption({ label: 'Any status' });
    await filters.getByLabel('Subject contains').fill('SB-04');
    await waitForText(pager, 'Showing 1–8 of 8 matching subjects');
    expect(await gridCodes(page)).toEqual(codes.filter((c) => c.startsWith('SB-04')));
    // Sorted by the server: by status, descending, the died come first.
    await filters.getByLabel('Subject contains').fill('');
    await filters.getByLabel('Sort by').selectOption({ label: 'Status' });
    await filters.getByLabel('Order').selectOption({ label: 'Descending' });
    await waitForText(pager, `Showing 1–25 of ${N_B} matching subjects`);
    const grid = page.getByRole('table', { name: 'Record status' });
    await waitForText(grid.locator('tbody tr').first(), 'Died');
  });

  it("a site user's counts and pages hold its own site only", async () => {
    const page = await loginAs(e, 'coordinator');
    await page.getByRole('link', { name: /Test trial/ }).click();
    const pager = page.getByRole('navigation', { name: 'Record status pages', exact: true });
    await waitForText(pager, `Showing 1–50 of ${N_A} subjects`);
    expect((await countsRow(page, 'SA'))[1]).toBe(`${N_A}`);
    expect(
      await page.getByRole('table', { name: 'Counts per site' }).locator('tr[data-site="SB"]').count(),
    ).toBe(0);
    await pager.getByRole('button', { name: 'Next' }).click();
    await waitForText(pager, `Showing 51–${N_A} of ${N_A} subjects`);
    expect((await gridCodes(page)).every((c) => c.startsWith('SA-'))).toBe(true);
  });

  it('a kept address past the last page shows the last page, not an empty grid', async () => {
    const page = await loginAs(e, 'coordinator');
    await page.getByRole('link', { name: /Test trial/ }).click();
    const pager = page.getByRole('navigation', { name: 'Record status pages', exact: true });
    await waitForText(pager, `Showing 1–50 of ${N_A} subjects`);
    // Site A holds 83 subjects: two pages of 50; page 9 was kept from a larger list.
    await page.goto(`${page.url().split('?')[0]}?page=9`);
    await waitForText(pager, `Showing 51–${N_A} of ${N_A} subjects · page 2 of 2`);
    expect(await gridCodes(page)).toHaveLength(N_A - 50);
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
  });

  it('a statistician pages through pseudonyms, in pseudonym order, with no date to sort by', async () => {
    const page = await loginAs(e, 'statistician');
    await page.getByRole('link', { name: /Test trial/ }).click();
    const pager = page.getByRole('navigation', { name: 'Record status pages', exact: true });
    await waitForText(pager, `Showing 1–50 of ${N_A + N_B} subjects`);
    const pseudonyms = subjects.map((s) => s.pseudonym).sort(cmp);
    expect(await gridCodes(page)).toEqual(pseudonyms.slice(0, 50));
    await pager.getByRole('button', { name: 'Next' }).click();
    await waitForText(pager, 'Showing 51–100');
    expect(await gridCodes(page)).toEqual(pseudonyms.slice(50, 100));
    const sorts = await page
      .getByRole('form', { name: 'Find subjects' })
      .getByLabel('Sort by')
      .locator('option')
      .allTextContents();
    expect(sorts).toEqual(['Subject', 'Site', 'Status']);
    expect(
      await page
        .getByRole('table', { name: 'Record status' })
        .getByText(/S[AB]-0\d\d/)
        .count(),
    ).toBe(0);
  });
});
