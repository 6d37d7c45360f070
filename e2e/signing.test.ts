// An investigator signs a form (meaning shown, password re-entered); the signed form is locked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type E2e,
  loginAs,
  screenshot,
  startE2e,
  stopE2e,
  subjectWithLabValue,
  TEST_PASSWORD,
} from './support.js';

describe('signature', () => {
  let e: E2e;
  beforeAll(async () => {
    e = await startE2e();
  });
  afterAll(() => stopE2e(e));

  it('signs a form, which then shows as signed and locked', async () => {
    const { visitId } = await subjectWithLabValue(e);
    const page = await loginAs(e, 'investigator');
    await page.goto(`/visits/${visitId}`);
    const lab = page.getByRole('region', { name: 'Form LAB' });
    await lab.getByRole('button', { name: 'Sign LAB' }).click();
    const sign = lab.getByRole('form', { name: 'Sign LAB' });
    expect(await sign.getByTestId('signature-meaning').textContent()).toMatch(
      /I am the investigator responsible/,
    );

    await sign.getByLabel('Password (re-enter to sign)').fill('not-my-password');
    await sign.getByRole('button', { name: 'Sign electronically' }).click();
    await sign.getByText('wrong or missing password').waitFor();
    await screenshot(page, '30-visit-sign-wrong-password');

    await sign.getByLabel('Password (re-enter to sign)').fill(TEST_PASSWORD);
    await sign.getByRole('button', { name: 'Sign electronically' }).click();
    await lab.getByTestId('form-status-LAB').getByText('signed — locked').waitFor();
    expect(await lab.getByLabel('Value of HGB').isDisabled()).toBe(true);
    expect(await lab.getByRole('button', { name: 'Save LAB' }).count()).toBe(0);
    await lab.getByRole('button', { name: 'Unlock LAB' }).waitFor();
    await screenshot(page, '31-visit-signed-locked');

    // The coordinator sees it locked too, without a sign button.
    const coord = await loginAs(e, 'coordinator');
    await coord.goto(`/visits/${visitId}`);
    const clab = coord.getByRole('region', { name: 'Form LAB' });
    await clab.getByText('signed — locked').waitFor();
    expect(await clab.getByLabel('Value of HGB').isDisabled()).toBe(true);
    expect(await clab.getByRole('button', { name: 'Sign LAB' }).count()).toBe(0);
  });
});
