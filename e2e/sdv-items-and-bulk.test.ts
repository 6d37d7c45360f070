// Issue 21, session 8: the monitor verifies single items (a change to that item clears it, a change to
// another item does not) and then every form of the visit in one action, in Chromium against the real
// server; each form's verification is recorded and audited.
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

describe('per-item and bulk source verification', () => {
  let e: E2e;
  let visitId = '';
  let subjectId = '';
  beforeAll(async () => {
    e = await startE2e({ definition: msctSleTrial });
    const set = await subjectWithVisit(e, {
      visitCode: 'M1',
      visitDate: '2026-02-05',
      day0Date: '2026-01-05',
    });
    const c = set.api;
    ({ subjectId, visitId } = set);
    for (const [form, items] of [
      [
        'labs',
        [
          { itemCode: 'c3', value: '0.55', unit: 'g/L' },
          { itemCode: 'c4', value: '0.12', unit: 'g/L' },
        ],
      ],
      ['vital-signs', [{ itemCode: 'heart_rate', value: '72', unit: '/min' }]],
    ] as const)
      expect((await c.put(`/api/visits/${visitId}/forms/${form}`, { items })).status).toBe(200);
  });
  afterAll(() => stopE2e(e));

  const change = async (itemCode: string, value: string) => {
    const c = await apiAs(e, 'coordinator');
    const visit = await c.get<{
      forms: { formCode: string; items: { itemCode: string; version: number }[] }[];
    }>(`/api/visits/${visitId}`);
    const item = visit.body.forms
      .find((f) => f.formCode === 'labs')!
      .items.find((i) => i.itemCode === itemCode)!;
    const r = await c.put(`/api/visits/${visitId}/forms/labs`, {
      items: [{ itemCode, value, unit: 'g/L', version: item.version }],
      reason: 'corrected from the lab report',
    });
    expect(r.status).toBe(200);
  };

  it('verifies one item, keeps it through another item’s change, loses it with its own; then the whole visit', async () => {
    const monitor = await loginAs(e, 'monitor');
    await monitor.goto(`/visits/${visitId}`);
    const labs = monitor.getByRole('region', { name: 'Form Laboratory tests' });
    const items = labs.locator('details.item-verifications');
    await items.locator('summary').click();
    await items.getByRole('button', { name: 'Verify Complement C3' }).click();
    await waitForText(items.locator('summary'), 'Items source verified one by one: 1 of 2');
    await items.getByText(/Complement C3: Source verified by/).waitFor();
    // Beside the field itself, not only in the review block.
    await waitForText(labs.getByTestId('sdv-marker-c3'), 'Source verified by');
    expect(await labs.getByTestId('sdv-marker-c4').count()).toBe(0);
    await screenshot(monitor, '91-item-verified');

    await change('c4', '0.15');
    await monitor.reload();
    const items2 = monitor
      .getByRole('region', { name: 'Form Laboratory tests' })
      .locator('details.item-verifications');
    await waitForText(items2.locator('summary'), '1 of 2');

    await change('c3', '0.45');
    await monitor.reload();
    const items3 = monitor
      .getByRole('region', { name: 'Form Laboratory tests' })
      .locator('details.item-verifications');
    await waitForText(items3.locator('summary'), '0 of 2');
    await items3.locator('summary').click();
    await items3.getByText(/Complement C3: Not source verified \(changed since verification\)/).waitFor();
    await waitForText(
      monitor.getByRole('region', { name: 'Form Laboratory tests' }).getByTestId('sdv-marker-c3'),
      'Source verification cleared (changed since verification)',
    );

    // The whole visit in one action.
    const bulk = monitor.getByRole('region', { name: 'Verify forms' });
    await bulk.getByRole('button', { name: /Source-verify all forms of visit .*\(2 forms\)/ }).click();
    await waitForText(bulk.getByRole('status'), '2 forms source verified.');
    await waitForText(monitor.getByTestId('review-labs'), 'Source verified by');
    await waitForText(monitor.getByTestId('review-vital-signs'), 'Source verified by');
    await screenshot(monitor, '92-visit-verified');

    const events = await e.server.db.kysely
      .selectFrom('audit_events')
      .select(['action', 'field'])
      .where('subject_id', '=', subjectId)
      .where('action', 'in', ['item.verify', 'item.verify.clear', 'form.verify'])
      .orderBy('seq')
      .execute();
    expect(events.map((x) => x.action)).toEqual([
      'item.verify',
      'item.verify.clear',
      'form.verify',
      'form.verify',
    ]);
  });

  it('verifies a visit, then a whole casebook, from the monitor’s worklist in one action each', async () => {
    const c = await apiAs(e, 'coordinator');
    const s = await c.post<{ id: string; subjectCode: string }>(`/api/studies/${e.trial.studyId}/subjects`, {
      siteId: e.trial.siteA,
    });
    expect(s.status).toBe(201);
    const visits: string[] = [];
    for (const [visitCode, visitDate] of [
      ['M1', '2026-02-05'],
      ['M3', '2026-04-06'],
    ] as const) {
      const v = await c.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, { visitCode, visitDate });
      expect(v.status).toBe(201);
      visits.push(v.body.id);
      for (const [form, items] of [
        ['labs', [{ itemCode: 'c3', value: '0.6', unit: 'g/L' }]],
        ['vital-signs', [{ itemCode: 'heart_rate', value: '70', unit: '/min' }]],
      ] as const)
        expect((await c.put(`/api/visits/${v.body.id}/forms/${form}`, { items })).status).toBe(200);
    }
    const code = s.body.subjectCode;
    const monitor = await loginAs(e, 'monitor');
    await monitor.goto(`/studies/${e.trial.studyId}/worklist`);
    const row = monitor.getByRole('row').filter({ has: monitor.getByRole('rowheader', { name: code }) });
    await waitForText(row, 'M3 labs');

    // One visit: the forms of the scope are read and named, then verified on confirmation.
    await row.getByRole('button', { name: 'Verify visit M1…' }).click();
    const confirm = row.getByRole('region', { name: 'Verify forms' });
    await waitForText(confirm, 'Not yet source verified: Laboratory tests, Vital signs.');
    await confirm.getByRole('button', { name: `Source-verify visit M1 of ${code} (2 forms)` }).click();
    const status = monitor.getByRole('status').filter({ hasText: 'Source verified:' });
    await waitForText(status, `Source verified: visit M1 of ${code}.`);
    // The worklist reloads after the status is shown: wait for the verified visit to leave the row.
    await expect.poll(() => row.getByText('M1 labs').count(), { timeout: 10_000 }).toBe(0);
    await waitForText(row, 'M3 labs');

    // The rest of the casebook.
    await row.getByRole('button', { name: `Verify all forms of ${code}…` }).click();
    const rest = row.getByRole('region', { name: 'Verify forms' });
    await waitForText(rest, 'M3 Laboratory tests');
    await rest.getByRole('button', { name: `Source-verify all forms of ${code} (2 forms)` }).click();
    await waitForText(status, `Source verified: all forms of ${code}.`);
    await monitor.getByRole('rowheader', { name: code }).waitFor({ state: 'detached' });
    await screenshot(monitor, '93-worklist-bulk-verified');

    const verified = await e.server.db.kysely
      .selectFrom('audit_events')
      .select(['action', 'entity_id'])
      .where('subject_id', '=', s.body.id)
      .where('action', '=', 'form.verify')
      .execute();
    expect(verified).toHaveLength(4);
  });
});
