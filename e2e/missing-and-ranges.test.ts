// Missing-data codes at entry (issues #20/#22), in Chromium: on a labs form whose definition makes
// C3 required and allows ND/NK, a form with C3 blank cannot be marked complete (the reason is shown);
// C3 marked "not done" disables its value field, is saved as ND, completes the form, and its history
// shows the code's words.
import { msctSleTrial, type StudyDefinition } from '@msct/core/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type E2e,
  loginAs,
  screenshot,
  startE2e,
  stopE2e,
  subjectWithVisit,
  waitForText,
} from './support.js';

function withMissingCodes(): StudyDefinition {
  const d: StudyDefinition = JSON.parse(JSON.stringify(msctSleTrial));
  const labs = d.forms.find((f) => f.id === 'labs')!;
  labs.items = labs.items!.map((i) =>
    i.code === 'c3' ? { ...i, required: true, missingCodes: ['ND', 'NK'] } : i,
  );
  return d;
}

describe('missing-data codes at entry', () => {
  let e: E2e;
  let visitId: string;
  beforeAll(async () => {
    e = await startE2e({ definition: withMissingCodes() });
    ({ visitId } = await subjectWithVisit(e, { visitCode: 'M3', visitDate: '2026-04-10' }));
  });
  afterAll(() => stopE2e(e));

  it('marks C3 "not done" and sees the form complete', async () => {
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/visits/${visitId}`);
    await page.getByText('Enter Laboratory tests').click();
    const lab = page.getByRole('region', { name: 'New Laboratory tests' });
    await lab.getByLabel('Complement C4', { exact: true }).fill('0.2');
    await lab.getByRole('button', { name: 'Save Laboratory tests' }).click();

    // C3 is required and blank: the form cannot be complete, and the page says why.
    const form = page.getByRole('region', { name: 'Form Laboratory tests' });
    await form.getByRole('button', { name: 'Mark Laboratory tests complete' }).click();
    await waitForText(form, 'cannot be complete');
    await waitForText(page.getByTestId('form-status-labs'), 'incomplete');

    // "Not done" in place of a value: the value field is disabled, the code is saved.
    const c3 = form.locator('.item-row[data-item="c3"]');
    await c3.getByLabel('Missing-data code of Complement C3').selectOption('ND');
    expect(await c3.getByLabel('Complement C3', { exact: true }).isDisabled()).toBe(true);
    await form.getByRole('button', { name: 'Save Laboratory tests' }).click();
    // Saved: nothing is left to send.
    await page.getByRole('button', { name: 'Save Laboratory tests', disabled: true }).waitFor();
    // Read back from the server: the code is what was stored.
    await page.reload();
    const saved = page.getByRole('region', { name: 'Form Laboratory tests' });
    await saved.locator('.item-row[data-item="c3"]').waitFor();
    expect(
      await saved
        .locator('.item-row[data-item="c3"]')
        .getByLabel('Missing-data code of Complement C3')
        .inputValue(),
    ).toBe('ND');
    await saved.getByRole('button', { name: 'Mark Laboratory tests complete' }).click();
    await page.locator('[data-testid="form-status-labs"].status-complete').waitFor();
    await screenshot(page, 'missing-01-not-done-complete');

    // The history shows the code with its words.
    const done = page.getByRole('region', { name: 'Form Laboratory tests' });
    await done.getByText('Items, history and queries').click();
    await done.getByRole('button', { name: 'History of Complement C3' }).click();
    await waitForText(done.getByRole('table', { name: 'History of Complement C3' }), '[ND: not done]');
  });
});
