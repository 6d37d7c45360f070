// Issue 21 acceptance, the monitor's day: the monitor raises a query on a field of a catalog form and
// source-verifies the form; the coordinator sees the marker beside the field, corrects the value and
// answers; the monitor reads the answer beside the field and closes the query; the correction has
// cleared the verification, and the worklist and the study's query list (filters, CSV) show it.
import { msctSleTrial } from '@msct/core/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiAs,
  type E2e,
  loginAs,
  screenshot,
  startE2e,
  stopE2e,
  subjectWithVisit,
  waitForText,
} from './support.js';

describe("the monitor's day", () => {
  let e: E2e;
  let visitId = '';
  let subjectCode = '';
  beforeAll(async () => {
    e = await startE2e({ definition: msctSleTrial });
    // Enrolled through the store (audited) to reach a follow-up visit quickly, as msct-trial.test does.
    const set = await subjectWithVisit(e, {
      visitCode: 'M1',
      visitDate: '2026-02-05',
      day0Date: '2026-01-05',
    });
    const c = set.api;
    ({ subjectCode, visitId } = set);
    const labs = await c.put(`/api/visits/${visitId}/forms/labs`, {
      items: [{ itemCode: 'c3', value: '0.55', unit: 'g/L' }],
    });
    expect(labs.status).toBe(200);
  });
  afterAll(() => stopE2e(e));

  it('query on a field with its thread on both sides; verification cleared by a correction', async () => {
    const monitor = await loginAs(e, 'monitor');
    await monitor.goto(`/visits/${visitId}`);
    const mLabs = monitor.getByRole('region', { name: 'Form Laboratory tests' });
    // The field itself, read-only for the monitor; the query is raised beside it.
    expect(await mLabs.getByLabel('Complement C3', { exact: true }).isDisabled()).toBe(true);
    const c3Row = mLabs.locator('.item-row[data-item="c3"]');
    await c3Row.getByRole('button', { name: 'Raise query on Complement C3' }).click();
    await c3Row
      .getByLabel('Query text')
      .fill('C3 0.55 g/L does not match the lab report (0.45 g/L); please check.');
    await c3Row.getByRole('button', { name: 'Raise query', exact: true }).click();
    await waitForText(c3Row.getByTestId('query-marker-c3'), 'query: 1 open');
    await mLabs.getByRole('button', { name: 'Mark labs source verified' }).click();
    await waitForText(mLabs.getByTestId('review-labs'), 'Source verified by');
    await screenshot(monitor, '90-monitor-query-and-sdv');

    // The coordinator sees the marker beside the field, corrects the value and answers.
    const coord = await loginAs(e, 'coordinator');
    await coord.goto(`/visits/${visitId}`);
    const cLabs = coord.getByRole('region', { name: 'Form Laboratory tests' });
    const cRow = cLabs.locator('.item-row[data-item="c3"]');
    await waitForText(cRow.getByTestId('query-marker-c3'), 'query: 1 open');
    const cThread = cRow.getByRole('list', { name: 'Queries on Complement C3' });
    await cThread.getByText('does not match the lab report').waitFor();
    await cLabs.getByText('Source verified by').waitFor();
    await cLabs.getByLabel('Complement C3', { exact: true }).fill('0.45');
    await cLabs.getByLabel('Reason for change').fill('transcription error, corrected from the lab report');
    await cLabs.getByRole('button', { name: 'Save Laboratory tests' }).click();
    // The region is re-rendered after the save: look it up again.
    const cLabs2 = coord.getByRole('region', { name: 'Form Laboratory tests' });
    await waitForText(cLabs2.getByTestId('review-labs'), 'Not source verified');
    const cRow2 = cLabs2.locator('.item-row[data-item="c3"]');
    await cRow2.getByRole('button', { name: 'Answer query' }).click();
    await cRow2.getByLabel('Answer', { exact: true }).fill('Corrected to 0.45 g/L from the lab report.');
    await cRow2.getByRole('button', { name: 'Send answer' }).click();
    await waitForText(cRow2.getByTestId('query-marker-c3'), 'query: 1 answered');
    await screenshot(coord, '91-coordinator-answered-with-correction');

    // The monitor reads the answer beside the field (who and when), closes the query, and sees the
    // verification cleared by the correction.
    // The answered query is on the monitor's worklist, linked to its visit.
    await monitor.goto(`/studies/${e.trial.studyId}/worklist`);
    const toClose = monitor.getByRole('list', { name: 'Queries' });
    await waitForText(toClose, 'does not match the lab report');
    await toClose.getByRole('link', { name: /M1/ }).click();
    await monitor.waitForURL(`**/visits/${visitId}`);
    const mLabs2 = monitor.getByRole('region', { name: 'Form Laboratory tests' });
    const mRow = mLabs2.locator('.item-row[data-item="c3"]');
    const thread = mRow.getByRole('list', { name: 'Thread of the query on labs.c3' });
    await waitForText(thread, 'Corrected to 0.45 g/L from the lab report.');
    expect(await thread.textContent()).toMatch(/\S+ answered \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    expect(await mLabs2.getByLabel('Complement C3', { exact: true }).inputValue()).toBe('0.45');
    await waitForText(mLabs2.getByTestId('review-labs'), 'Not source verified (changed since verification)');
    await mRow.getByRole('button', { name: 'Close query' }).click();
    await mRow.getByLabel(/Comment/).fill('Correction matches the source.');
    await mRow.getByRole('button', { name: 'Close query' }).click();
    await waitForText(mRow.getByTestId('query-marker-c3'), 'query: 1 closed');
    await waitForText(thread, 'Correction matches the source.');
    await screenshot(monitor, '92-monitor-reads-answer-closes');

    // The worklist lists the form to verify again; the closed query stays findable in the list.
    await monitor.goto('/');
    await monitor.getByRole('link', { name: /Test trial/ }).click();
    await waitForText(monitor.getByTestId('query-counts'), 'Closed 1');
    await monitor.getByRole('link', { name: "Monitor's worklist" }).click();
    const toVerify = monitor.getByRole('table', { name: 'Forms to source verify at site SA' });
    await waitForText(toVerify, subjectCode);
    expect(await toVerify.textContent()).toContain('M1 labs');
    const changed = monitor.getByRole('list', { name: 'Forms changed since their review' });
    expect(await changed.textContent()).toContain(`${subjectCode} M1 labs`);
    await screenshot(monitor, '93-monitor-worklist');
    await monitor.getByRole('link', { name: 'All queries' }).click();
    await monitor.getByLabel('Status').selectOption('closed');
    const list = monitor.getByRole('list', { name: 'Queries' });
    await waitForText(list, 'does not match the lab report');
    expect(await list.textContent()).toContain('labs.c3');
    const csv = await monitor.getByRole('link', { name: 'Export these queries (CSV)' }).getAttribute('href');
    expect(csv).toContain('status=closed');
    const res = await monitor.request.get(csv!);
    expect(res.status()).toBe(200);
    expect(await res.text()).toContain(',M1,labs,labs.c3,item,closed,');
    await screenshot(monitor, '94-study-query-list-closed');
  });
  it('the admin narrows the SDV plan to a risk-based subset; the form no longer needs SDV', async () => {
    const admin = await loginAs(e, 'admin');
    await admin.getByRole('link', { name: /Test trial/ }).click();
    const plan = admin.getByRole('form', { name: 'Source data verification plan' });
    await plan.getByLabel('Only these forms (risk-based)').check();
    await plan.getByLabel('Form', { exact: true }).fill('vital-signs');
    await plan.getByLabel('Visit (empty: every visit)').fill('SCR');
    await plan.getByRole('button', { name: 'Add form' }).click();
    await waitForText(plan.getByRole('list', { name: 'Forms that need SDV' }), 'vital-signs at SCR');
    await plan.getByRole('button', { name: 'Save SDV plan' }).click();
    await plan.getByText('Saved.').waitFor();
    await screenshot(admin, '95-admin-sdv-plan');
    const api = await apiAs(e, 'monitor');
    const saved = await api.get<{ plan: unknown; version: number }>(
      `/api/studies/${e.trial.studyId}/sdv-plan`,
    );
    expect(saved.body).toEqual({
      plan: { mode: 'subset', rules: [{ formCode: 'vital-signs', visitCode: 'SCR' }] },
      version: 1,
    });

    const monitor = await loginAs(e, 'monitor');
    await monitor.goto(`/visits/${visitId}`);
    await waitForText(
      monitor.getByRole('region', { name: 'Form Laboratory tests' }).getByTestId('review-labs'),
      'SDV not required',
    );
  });
});
