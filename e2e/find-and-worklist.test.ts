// Finding and entering (issue 22), in Chromium against the real server: a coordinator finds a subject
// by search in the study home (searched, filtered and paged by the server), reads one status
// vocabulary in the grid and on the subject page (a visit after death is "not expected"; the
// end-of-study record has its own column), and works from their site's worklist: visits due this
// week and overdue (MSCT-SLE windows from day 0, trial.md "Schedule"), forms to complete and open
// queries, each a link to where the work is done — and never sees another site's subjects.
import { msctSleTrial } from '@msct/core/protocol';
import { createSubject, type Subject } from '@msct/store';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type E2e, loginAs, screenshot, startE2e, stopE2e, waitForText } from './support.js';

/** The browser's "today" (local date, as the web app reads it) moved by `days`. */
function dayFrom(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

async function gridCodes(page: Page): Promise<string[]> {
  const rows = page.getByRole('table', { name: 'Record status' }).locator('tbody tr');
  return rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-subject') ?? ''));
}

describe('finding and entering', () => {
  let e: E2e;
  /** Enrolled at site A, day 0 25 days ago: Month 1 (day 30 ± 7) is due now. */
  let due: Subject;
  /** Died at site A, day 0 200 days ago, with an end-of-study record. */
  let died: Subject;
  /** Enrolled at site B, day 0 200 days ago: visits overdue, but not the site A coordinator's. */
  let other: Subject;
  const fillers: Subject[] = [];
  let eosVisitId = '';

  beforeAll(async () => {
    e = await startE2e({ definition: msctSleTrial });
    const admin = { id: e.trial.users.admin!.id, name: 'admin' };
    const make = (siteId: string, status: 'enrolled' | 'died', day0: string) =>
      createSubject(e.server.db, admin, {
        studyId: e.trial.studyId,
        siteId,
        status,
        enrolledAt: day0,
        day0Date: day0,
      });
    due = await make(e.trial.siteA, 'enrolled', dayFrom(-25));
    died = await make(e.trial.siteA, 'died', dayFrom(-200));
    other = await make(e.trial.siteB, 'enrolled', dayFrom(-200));
    // More subjects at site A, so the search has something to leave out.
    for (let i = 0; i < 6; i++) fillers.push(await make(e.trial.siteA, 'enrolled', dayFrom(-3)));
    const c = await apiAs(e, 'coordinator');
    const v = await c.post<{ id: string }>(`/api/subjects/${died.id}/visits`, {
      visitCode: 'UNSCHEDULED',
      visitDate: dayFrom(-10),
      reason: 'death reported by the family',
    });
    expect(v.status, JSON.stringify(v.body)).toBe(201);
    eosVisitId = v.body.id;
    const eos = await c.put<{ items: { itemCode: string; version: number }[] }>(
      `/api/visits/${eosVisitId}/forms/end-of-study`,
      {
        items: [
          { itemCode: 'status', value: 'withdrawn' },
          { itemCode: 'date', value: dayFrom(-10) },
        ],
      },
    );
    expect(eos.status, JSON.stringify(eos.body)).toBe(200);
    // Corrected: the history reads "Withdrawn → Died", not "withdrawn → died".
    const fixed = await c.put(`/api/visits/${eosVisitId}/forms/end-of-study`, {
      items: [
        {
          itemCode: 'status',
          value: 'died',
          version: eos.body.items.find((i) => i.itemCode === 'status')!.version,
        },
      ],
      reason: 'the family reported the death',
    });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    const m = await apiAs(e, 'monitor');
    const q = await m.post(`/api/subjects/${due.id}/queries`, {
      entityType: 'subject',
      entityId: due.id,
      field: 'sex',
      text: 'Please record the sex',
    });
    expect(q.status).toBe(201);
  }, 120_000);
  afterAll(() => stopE2e(e));

  it('finds a subject by search, and by status, on the study home', async () => {
    const page = await loginAs(e, 'coordinator');
    await page.getByRole('link', { name: /Test trial/ }).click();
    const pager = page.getByRole('navigation', { name: 'Record status pages', exact: true });
    await waitForText(pager, 'of 8 subjects');
    expect(await gridCodes(page)).not.toContain(other.subject_code);

    await page.getByLabel('Subject contains').fill(due.subject_code);
    await waitForText(pager, 'of 1 matching subject');
    expect(await gridCodes(page)).toEqual([due.subject_code]);
    // The search is kept in the address, so going back returns to it.
    await page.waitForFunction("new URL(location.href).searchParams.has('q')");

    // Another site's subject is not found, whatever is typed.
    await page.getByLabel('Subject contains').fill(other.subject_code);
    await waitForText(page.locator('main'), 'No subject matches these filters.');

    await page.getByLabel('Subject contains').fill('');
    await page.getByLabel('Filter by status').selectOption({ label: 'Died' });
    await waitForText(pager, 'of 1 matching subject');
    expect(await gridCodes(page)).toEqual([died.subject_code]);
    const row = page.locator(`tr[data-subject="${died.subject_code}"]`);
    await waitForText(row.locator('td').nth(1), 'Died');
    // After death no visit is expected; the end-of-study record has its own column.
    expect(await row.locator('td[data-visit="M12"]').getAttribute('data-status')).toBe('not_expected');
    await waitForText(row.locator('td[data-visit="M12"]'), 'not expected');
    const eosCell = row.locator('td[data-visit="EOS"]');
    expect(await eosCell.getAttribute('data-status')).toBe('incomplete');
    await page.getByRole('columnheader', { name: 'End of study' }).waitFor();
    await screenshot(page, 'find-search-died');

    // Open the subject found: the same words on the subject page.
    await row.getByRole('link', { name: died.subject_code }).click();
    await page.getByRole('heading', { name: `Subject ${died.subject_code}` }).waitFor();
    const status = page.getByRole('table', { name: 'Record status of this subject' });
    expect(await status.locator('td[data-visit="M12"]').getAttribute('data-status')).toBe('not_expected');
    expect(await status.locator('td[data-visit="EOS"]').getAttribute('data-status')).toBe('incomplete');
    await waitForText(page.getByRole('table', { name: 'Visits' }), 'incomplete');

    // The visit page: its status in the same words, the form headed by its title.
    await status.locator('td[data-visit="EOS"]').getByRole('link').click();
    await page.getByRole('heading', { name: /Visit UNSCHEDULED/ }).waitFor();
    await waitForText(page.locator('main'), 'Status: ◐ incomplete');
    await page.getByRole('heading', { name: /End of study \/ withdrawal \/ death/ }).waitFor();

    // The item's history reads with the code list's labels; the codes only when asked for.
    const panel = page.getByRole('region', { name: 'Form End of study / withdrawal / death' });
    await panel.getByText('Items, history and queries').click();
    await panel.getByRole('button', { name: 'History of status' }).click();
    const history = panel.getByRole('table', { name: 'History of status' });
    await waitForText(history, 'Withdrawn → Died');
    await panel.getByLabel('Show coded values').check();
    await waitForText(history, 'Withdrawn [withdrawn] → Died [died]');
  });

  it('finds a subject from the quick search in the header', async () => {
    const page = await loginAs(e, 'coordinator');
    await page.getByRole('link', { name: /Test trial/ }).click();
    const find = page.getByRole('form', { name: 'Find a subject' });
    // One match: straight to the subject.
    await find.getByLabel('Find subject').fill(due.subject_code);
    await find.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('heading', { name: `Subject ${due.subject_code}` }).waitFor();
    // Several: the study home's grid shows them, searched by the server.
    await find.getByLabel('Find subject').fill('SA-');
    await find.getByRole('button', { name: 'Find' }).click();
    const pager = page.getByRole('navigation', { name: 'Record status pages', exact: true });
    await waitForText(pager, 'of 8 matching subjects');
    expect(await page.getByLabel('Subject contains').inputValue()).toBe('SA-');
    // Typed again while the grid is shown: the grid follows (site B's subjects are not found).
    await find.getByLabel('Find subject').fill('SB-');
    await find.getByRole('button', { name: 'Find' }).click();
    await waitForText(page.locator('main'), 'No subject matches these filters.');
    expect(await page.getByLabel('Subject contains').inputValue()).toBe('SB-');
  });

  it("the coordinator's worklist: due, overdue, forms and queries at their own site, each a link", async () => {
    const page = await loginAs(e, 'coordinator');
    await page.getByRole('link', { name: /Test trial/ }).click();
    await page.getByRole('link', { name: "My site's worklist" }).click();
    await page.getByRole('heading', { name: /My site's worklist/ }).waitFor();

    const dueList = page.getByRole('list', { name: 'Visits due this week' });
    await waitForText(dueList, `${due.subject_code} — Month 1`);
    const overdue = page.getByRole('list', { name: 'Overdue visits' });
    // Baseline (day 0, no window) was not recorded: overdue; nothing of the subject who died.
    await waitForText(overdue, `${due.subject_code} — Baseline / infusion 1`);
    const everything = (await page.locator('main').textContent()) ?? '';
    expect(everything).not.toContain(other.subject_code);
    expect(await overdue.textContent()).not.toContain(died.subject_code);

    const forms = page.getByRole('list', { name: 'Forms to complete' });
    await waitForText(forms, `${died.subject_code} — Unscheduled visit`);
    await waitForText(forms, 'incomplete: End of study / withdrawal / death');
    const queries = page.getByRole('list', { name: 'Open queries to answer' });
    await waitForText(queries, 'Please record the sex');
    await screenshot(page, 'find-entry-worklist');

    // Each item leads to where the work is done.
    await dueList.getByRole('link', { name: `${due.subject_code} — Month 1` }).click();
    await page.getByRole('heading', { name: `Subject ${due.subject_code}` }).waitFor();
    await page.goBack();
    await forms.getByRole('link', { name: `${died.subject_code} — Unscheduled visit` }).click();
    await page.getByRole('heading', { name: /Visit UNSCHEDULED/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/visits/${eosVisitId}`);
  });

  it("site B's coordinator sees site B's overdue visits only", async () => {
    const page = await loginAs(e, 'coordinator_b');
    await page.getByRole('link', { name: /Test trial/ }).click();
    await page.getByRole('link', { name: "My site's worklist" }).click();
    const overdue = page.getByRole('list', { name: 'Overdue visits' });
    await waitForText(overdue, `${other.subject_code} — Month 1`);
    const text = (await page.locator('main').textContent()) ?? '';
    for (const s of [due, died, ...fillers]) expect(text).not.toContain(s.subject_code);
  });
});
