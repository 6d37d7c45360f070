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

    const newcoord = await loginAs(e, 'newcoord', 'a-long-enough-passphrase-42');
    await newcoord.getByRole('link', { name: /Second MSC trial/ }).click();
    await newcoord.getByRole('heading', { name: 'Subjects' }).waitFor();
    const sites = (await newcoord.getByRole('region', { name: 'Sites' }).textContent()) ?? '';
    expect(sites).toContain('Nanjing Drum Tower');
    expect(await newcoord.getByLabel('Site', { exact: true }).inputValue()).not.toBe('');
  });
});
