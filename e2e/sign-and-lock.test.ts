// Issue 21 acceptance: an investigator signs a whole visit with one password entry and the signature
// shows the signer's name and its meaning; an administrator locks the study and a coordinator's save
// is refused with 423, the lock named to the user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiAs,
  type E2e,
  loginAs,
  screenshot,
  startE2e,
  stopE2e,
  subjectWithLabValue,
  TEST_PASSWORD,
} from './support.js';

describe('signatures and locks', () => {
  let e: E2e;
  beforeAll(async () => {
    e = await startE2e();
  });
  afterAll(() => stopE2e(e));

  it('signs a whole visit in one ceremony; the signatures show name, time and meaning', async () => {
    const { visitId, subjectId, subjectCode } = await subjectWithLabValue(e);
    // A second form in the visit, and both marked complete by the coordinator.
    const c = await apiAs(e, 'coordinator');
    const vit = await c.put<{ id: string }>(`/api/visits/${visitId}/forms/VIT`, {
      items: [{ itemCode: 'SBP', value: '120', unit: 'mmHg' }],
    });
    expect(vit.status).toBe(200);
    const visit = await c.get<{ forms: { id: string; version: number }[] }>(`/api/visits/${visitId}`);
    for (const f of visit.body.forms)
      expect(
        (await c.post(`/api/forms/${f.id}/status`, { version: f.version, status: 'complete' })).status,
      ).toBe(200);

    const page = await loginAs(e, 'investigator');
    await page.getByRole('link', { name: /Test trial/ }).click();
    await page.getByRole('link', { name: /Awaiting my signature/ }).click();
    const worklist = page.getByRole('table', { name: 'Awaiting my signature' });
    await worklist.getByRole('link', { name: subjectCode }).waitFor();
    expect(await worklist.textContent()).toContain('LAB, VIT');
    await screenshot(page, '60-signature-worklist');

    // Review the visit, then sign it whole.
    await worklist.getByRole('link', { name: 'BASELINE' }).click();
    await page.getByRole('heading', { name: /Visit BASELINE/ }).waitFor();
    await page.getByRole('button', { name: 'Sign visit BASELINE (2 forms)' }).click();
    const ceremony = page.getByRole('form', { name: 'Sign visit BASELINE' });
    expect(await ceremony.getByTestId('forms-to-sign').textContent()).toMatch(
      /BASELINE — LAB.*BASELINE — VIT/,
    );
    expect(await ceremony.getByTestId('signer').textContent()).toBe('investigator');
    expect(await ceremony.getByTestId('signature-meaning').textContent()).toMatch(
      /I am the investigator responsible/,
    );
    // One password field for the whole visit.
    expect(await ceremony.locator('input[type=password]').count()).toBe(1);
    await ceremony.getByLabel('Password (entered once for all these forms)').fill(TEST_PASSWORD);
    await screenshot(page, '61-sign-visit-ceremony');
    await ceremony.getByRole('button', { name: 'Sign 2 forms electronically' }).click();

    for (const code of ['LAB', 'VIT']) {
      const panel = page.getByRole('region', { name: `Form ${code}` });
      await panel.getByTestId(`form-status-${code}`).getByText('signed — locked').waitFor();
      const note = panel.getByTestId('signature');
      expect(await note.getByTestId('signer-name').textContent()).toBe('investigator');
      expect(await note.getByTestId('signed-meaning').textContent()).toMatch(
        /I am the investigator responsible/,
      );
      expect(await note.locator('time').getAttribute('datetime')).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/,
      );
    }
    await screenshot(page, '62-visit-signed');

    // The subject page shows the casebook's signatures.
    await page.goto(`/subjects/${subjectId}`);
    const casebook = page.getByRole('table', { name: 'Casebook signatures' });
    await casebook.locator('time').first().waitFor();
    expect(await casebook.locator('time').count()).toBe(2);
    expect(await casebook.textContent()).toMatch(/investigator, \d{4}-.*I am the investigator responsible/);

    // Each form's signature is audited on its own, after one password check.
    const signs = await e.server.db.kysely
      .selectFrom('audit_events')
      .select(['entity_id', 'reason'])
      .where('action', '=', 'form.sign')
      .where('subject_id', '=', subjectId)
      .execute();
    expect(signs).toHaveLength(2);
  });

  it('an administrator locks the study; a save is refused with 423 and the lock is shown to the user', async () => {
    const { visitId, subjectId } = await subjectWithLabValue(e);
    // The coordinator has the visit open and is editing when the study is locked.
    const coord = await loginAs(e, 'coordinator');
    await coord.goto(`/visits/${visitId}`);
    const lab = coord.getByRole('region', { name: 'Form LAB' });
    await lab.getByLabel('Value of HGB').fill('13.0');
    await lab.getByLabel('Reason for change').fill('re-measured');

    const admin = await loginAs(e, 'admin');
    await admin.getByRole('link', { name: /Test trial/ }).click();
    await admin.getByRole('link', { name: /locks$/ }).click();
    await admin.getByRole('heading', { name: 'Freezes and locks' }).waitFor();
    await admin.getByRole('button', { name: 'Lock study' }).click();
    const lockForm = admin.getByRole('form', { name: 'Lock study' });
    // The ready-to-lock report (issue #21): the subject's forms are not signed nor verified.
    const report = lockForm.getByRole('region', { name: 'Ready to lock report' });
    await report.getByRole('heading', { name: 'Not ready to lock' }).waitFor();
    expect(await report.textContent()).toMatch(/\d+ forms not signed by the investigator/);
    await screenshot(admin, '62-ready-to-lock-report');
    await lockForm.getByLabel('Reason', { exact: true }).fill('database lock for the primary analysis');
    await lockForm
      .getByLabel('Reason to lock the study although it is not ready')
      .fill('the open items are accepted for the interim analysis');
    await lockForm.getByRole('button', { name: 'Lock study' }).click();
    const locks = admin.getByRole('table', { name: 'Freezes and locks' });
    await locks.getByText('database lock for the primary analysis').waitFor();
    expect(await locks.textContent()).toContain('whole study');
    expect(await locks.textContent()).toContain(
      'locked although not ready: the open items are accepted for the interim analysis',
    );
    await screenshot(admin, '63-study-locked');

    const answer = coord.waitForResponse((r) => r.url().includes(`/api/visits/${visitId}/forms/LAB`));
    await lab.getByRole('button', { name: 'Save LAB' }).click();
    expect((await answer).status()).toBe(423);
    const alert = lab.getByRole('alert');
    await alert
      .getByText(/the study is locked \(lock by admin at .*: database lock for the primary analysis\)/)
      .waitFor();
    await screenshot(coord, '64-save-refused-study-locked');
    // Opened now, the visit says so before any save, and offers no entry.
    const later = await loginAs(e, 'coordinator');
    await later.goto(`/visits/${visitId}`);
    await later
      .getByRole('status', { name: 'Locked' })
      .getByText(/The study is locked/)
      .waitFor();
    expect(
      await later.getByRole('region', { name: 'Form LAB' }).getByLabel('Value of HGB').isDisabled(),
    ).toBe(true);
    await screenshot(later, '65-visit-study-locked-banner');
    await later.goto(`/subjects/${subjectId}`);
    await later
      .getByRole('status', { name: 'Locked' })
      .getByText(/The study is locked/)
      .waitFor();
    expect(await later.getByRole('button', { name: 'Open visit' }).count()).toBe(0);

    // Released with a reason, the same save goes through.
    await locks.getByRole('button', { name: 'Release' }).click();
    const release = admin.getByRole('form', { name: 'Release lock' });
    await release.getByLabel('Reason for releasing').fill('a late query on the primary endpoint');
    await release.getByRole('button', { name: 'Release' }).click();
    await locks.getByText('a late query on the primary endpoint').waitFor();
    await lab.getByRole('button', { name: 'Save LAB' }).click();
    await lab.getByText('v2').waitFor();
  });
});
