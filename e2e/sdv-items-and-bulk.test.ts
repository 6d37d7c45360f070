// Issue 21, session 8: the monitor verifies single items (a change to that item clears it, a change to
// another item does not) and then every form of the visit in one action, in Chromium against the real
// server; each form's verification is recorded and audited.
import { msctSleTrial } from '@msct/core/protocol';
import { updateSubject } from '@msct/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type E2e, loginAs, screenshot, startE2e, stopE2e, waitForText } from './support.js';

describe('per-item and bulk source verification', () => {
  let e: E2e;
  let visitId = '';
  let subjectId = '';
  beforeAll(async () => {
    e = await startE2e({ definition: msctSleTrial });
    const c = await apiAs(e, 'coordinator');
    const s = await c.post<{ id: string; subjectCode: string; version: number }>(
      `/api/studies/${e.trial.studyId}/subjects`,
      { siteId: e.trial.siteA, sex: 'female', birthDate: '1990-01-01' },
    );
    expect(s.status).toBe(201);
    subjectId = s.body.id;
    await updateSubject(
      e.server.db,
      { id: e.trial.users.admin!.id, name: 'admin' },
      s.body.id,
      s.body.version,
      { status: 'enrolled', day0Date: '2026-01-05' },
      'test set-up',
    );
    const v = await c.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
      visitCode: 'M1',
      visitDate: '2026-02-05',
    });
    expect(v.status).toBe(201);
    visitId = v.body.id;
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
    const labs = monitor.getByRole('region', { name: 'Form labs' });
    const items = labs.locator('details.item-verifications');
    await items.locator('summary').click();
    await items.getByRole('button', { name: 'Verify Complement C3' }).click();
    await waitForText(items.locator('summary'), 'Items source verified one by one: 1 of 2');
    await items.getByText(/Complement C3: Source verified by/).waitFor();
    await screenshot(monitor, '91-item-verified');

    await change('c4', '0.15');
    await monitor.reload();
    const items2 = monitor.getByRole('region', { name: 'Form labs' }).locator('details.item-verifications');
    await waitForText(items2.locator('summary'), '1 of 2');

    await change('c3', '0.45');
    await monitor.reload();
    const items3 = monitor.getByRole('region', { name: 'Form labs' }).locator('details.item-verifications');
    await waitForText(items3.locator('summary'), '0 of 2');
    await items3.locator('summary').click();
    await items3.getByText(/Complement C3: Not source verified \(changed since verification\)/).waitFor();

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
});
