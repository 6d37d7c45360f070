// The admin creates a study, a site and a user with a role; that user then sees the study.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2e, loginAs, screenshot, startE2e, stopE2e } from './support.js';

describe('administration', () => {
  let e: E2e;
  beforeAll(async () => {
    e = await startE2e();
  });
  afterAll(() => stopE2e(e));

  it('creates a study, a site and a user with a role', async () => {
    const page = await loginAs(e, 'admin');
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Administration' }).waitFor();

    const study = page.getByRole('form', { name: 'Create a study' });
    await study.getByLabel('Study code').fill('MSCT-2');
    await study.getByLabel('Study title').fill('Second MSC trial');
    await study.getByRole('button', { name: 'Create study' }).click();
    await page.getByRole('link', { name: 'MSCT-2' }).waitFor();

    const site = page.getByRole('form', { name: 'Add a site' });
    await site.getByLabel('Study of the site').selectOption({ label: 'MSCT-2' });
    await site.getByLabel('Site code').fill('NJ');
    await site.getByLabel('Site name').fill('Nanjing Drum Tower');
    await site.getByRole('button', { name: 'Add site' }).click();
    await site.getByLabel('Site code').and(page.locator('[value=""]')).waitFor();

    const user = page.getByRole('form', { name: 'Create a user' });
    await user.getByLabel('New username').fill('newcoord');
    await user.getByLabel('Display name').fill('New Coordinator');
    await user.getByLabel(/Initial password/).fill('short');
    await user.getByRole('button', { name: 'Create user' }).click();
    await user.locator('.field-error').first().waitFor();
    await user.getByLabel(/Initial password/).fill('a-long-enough-passphrase-42');
    await user.getByRole('button', { name: 'Create user' }).click();
    const users = page.getByRole('table', { name: 'Users' });
    await users.getByRole('cell', { name: 'newcoord' }).waitFor();

    const role = page.getByRole('form', { name: 'Assign a role' });
    await role.getByLabel('User').selectOption({ label: 'newcoord (New Coordinator)' });
    await role.getByLabel('Role', { exact: true }).selectOption('coordinator');
    await role.getByLabel('Study of the role').selectOption({ label: 'MSCT-2' });
    await role.getByLabel('Site of the role').selectOption({ label: 'NJ — Nanjing Drum Tower' });
    await role.getByRole('button', { name: 'Assign role' }).click();
    await users
      .getByRole('row', { name: /newcoord/ })
      .getByText('coordinator @ MSCT-2')
      .waitFor();
    await screenshot(page, '40-admin');

    await users.getByTestId('state-newcoord').getByText('active (must change password)').waitFor();
    // The admin chose the password: the first login shows only "Choose a new password" (issue 17).
    const newcoord = await loginAs(e, 'newcoord', 'a-long-enough-passphrase-42', 'coordinator-own-phrase-26');
    await newcoord.getByRole('link', { name: /Second MSC trial/ }).click();
    await newcoord.getByRole('heading', { name: 'Subjects' }).waitFor();
    const sites = (await newcoord.getByRole('region', { name: 'Sites' }).textContent()) ?? '';
    expect(sites).toContain('Nanjing Drum Tower');
    expect(await newcoord.getByLabel('Site', { exact: true }).inputValue()).not.toBe('');
  });

  it('shows the forced password change, refuses a common password, and lets an admin deactivate and reactivate a user', async () => {
    const admin = await loginAs(e, 'admin');
    await admin.getByRole('link', { name: 'Admin' }).click();
    const user = admin.getByRole('form', { name: 'Create a user' });
    await user.getByLabel('New username').fill('leaver');
    await user.getByLabel('Display name').fill('Leaving Monitor');
    await user.getByLabel(/Initial password/).fill('password1234');
    await user.getByRole('button', { name: 'Create user' }).click();
    await user
      .getByText(/commonly used password/)
      .first()
      .waitFor();
    await user.getByLabel(/Initial password/).fill('departing-initial-phrase-1');
    await user.getByRole('button', { name: 'Create user' }).click();
    const users = admin.getByRole('table', { name: 'Users' });
    await users.getByRole('cell', { name: 'leaver', exact: true }).waitFor();

    // The first login: only the new-password form, until the password is changed.
    const context = await e.browser.newContext({ baseURL: e.server.baseUrl });
    e.contexts.push(context);
    const leaver = await context.newPage();
    await leaver.goto('/');
    await leaver.getByLabel('Username').fill('leaver');
    await leaver.getByLabel('Password').fill('departing-initial-phrase-1');
    await leaver.getByRole('button', { name: 'Log in' }).click();
    const form = leaver.getByRole('form', { name: 'Choose a new password' });
    await form.waitFor();
    await form.getByLabel('New password', { exact: true }).fill('password1234');
    await form.getByLabel('Repeat the new password').fill('password1234');
    await form.getByRole('button', { name: 'Save new password' }).click();
    await form
      .getByText(/commonly used password/)
      .first()
      .waitFor();
    await screenshot(leaver, '41-choose-new-password');
    await form.getByLabel('New password', { exact: true }).fill('departing-own-phrase-2026');
    await form.getByLabel('Repeat the new password').fill('departing-own-phrase-2026');
    await form.getByRole('button', { name: 'Save new password' }).click();
    await leaver.getByRole('heading', { name: 'Studies' }).waitFor();

    // Deactivated by the admin with a reason: the list shows it, the session ends at its next request.
    await admin.reload();
    await users
      .getByRole('row', { name: /leaver/ })
      .getByRole('button', { name: 'Deactivate' })
      .click();
    const deactivate = admin.getByRole('form', { name: 'Deactivate leaver' });
    await deactivate.getByLabel('Reason to deactivate leaver').fill('Left the trial');
    await deactivate.getByRole('button', { name: 'Deactivate' }).click();
    await users
      .getByTestId('state-leaver')
      .getByText(/^deactivated/)
      .waitFor();
    await screenshot(admin, '42-admin-user-deactivated');
    await leaver.reload();
    await leaver.getByRole('form', { name: 'Log in' }).waitFor();
    await leaver.getByLabel('Username').fill('leaver');
    await leaver.getByLabel('Password').fill('departing-own-phrase-2026');
    await leaver.getByRole('button', { name: 'Log in' }).click();
    await leaver.getByText(/wrong username or password/).waitFor();
    // The admin's own row offers no deactivation.
    expect(
      await users
        .getByRole('row', { name: /^admin / })
        .getByRole('button', { name: 'Deactivate' })
        .count(),
    ).toBe(0);

    await users
      .getByRole('row', { name: /leaver/ })
      .getByRole('button', { name: 'Reactivate' })
      .click();
    const reactivate = admin.getByRole('form', { name: 'Reactivate leaver' });
    await reactivate.getByLabel('Reason to reactivate leaver').fill('Back on the trial');
    await reactivate.getByRole('button', { name: 'Reactivate' }).click();
    await users.getByTestId('state-leaver').getByText('active', { exact: true }).waitFor();

    // An admin reset: the user must choose their own password again at the next login.
    await users
      .getByRole('row', { name: /leaver/ })
      .getByRole('button', { name: 'Reset password' })
      .click();
    const reset = admin.getByRole('form', { name: 'Reset the password of leaver' });
    await reset.getByLabel(/New password for leaver/).fill('departing-reset-phrase-3');
    await reset.getByRole('button', { name: 'Set password' }).click();
    await users.getByTestId('state-leaver').getByText('active (must change password)').waitFor();
    await leaver.goto('/');
    await leaver.getByLabel('Username').fill('leaver');
    await leaver.getByLabel('Password').fill('departing-reset-phrase-3');
    await leaver.getByRole('button', { name: 'Log in' }).click();
    await leaver.getByRole('form', { name: 'Choose a new password' }).waitFor();
  });
});
