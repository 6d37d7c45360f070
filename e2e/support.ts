// Shared set-up for the browser tests: the real server (serving the built web app) over a fresh
// SQLite database with a two-site test trial, and Debian's Chromium driven by playwright-core.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { updateSubject } from '@msct/store';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import type { ServerConfig } from '../packages/server/src/config.js';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  TEST_PASSWORD,
  type TestServer,
  type TestTrial,
} from '../packages/server/src/testing/test-server.js';

export { TEST_PASSWORD };

const webRoot = fileURLToPath(new URL('../packages/web/dist', import.meta.url));
const screenshotDir = fileURLToPath(new URL('../artifacts/screenshots', import.meta.url));

export interface E2e {
  server: TestServer;
  trial: TestTrial;
  browser: Browser;
  contexts: BrowserContext[];
}

/**
 * `definition`: the study definition of the test trial (default `{}`: free forms, no schedule);
 * `config`: server settings to change (attachment limits, a scanner).
 */
export async function startE2e(
  options: { definition?: unknown; config?: Partial<ServerConfig> } = {},
): Promise<E2e> {
  if (!existsSync(`${webRoot}/index.html`))
    throw new Error(`no web build at ${webRoot}: run \`npm run build:web\` first`);
  const server = await startTestServer('sqlite', { ...options.config, webRoot });
  const trial = await createTestTrial(server.db, options);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return { server, trial, browser, contexts: [] };
}

export async function stopE2e(e: E2e | undefined) {
  if (!e) return;
  for (const c of e.contexts) await c.close().catch(() => {});
  await e.browser.close();
  await e.server.close();
}

/**
 * A fresh browser profile, logged in as `username`, on the study picker. `newPassword`: the user's
 * password was set by someone else (an admin, the demo), so the first login asks for a new one
 * (issue 17); it is chosen in the "Choose a new password" form, as a user would.
 */
export async function loginAs(
  e: E2e,
  username: string,
  password = TEST_PASSWORD,
  newPassword?: string,
): Promise<Page> {
  return logIn(e, username, password, newPassword, {});
}

/**
 * `loginAs` (TEST_PASSWORD) in a browser context whose content security policy is bypassed, so the
 * test can inject axe-core (seriousAxeViolations); `viewport` (default 1280 × 900) and the default
 * `timeoutMs` of its waits (default 10 s) as the page under audit needs.
 */
export async function loginForAxe(
  e: E2e,
  username: string,
  options: { viewport?: { width: number; height: number }; timeoutMs?: number } = {},
): Promise<Page> {
  return logIn(e, username, TEST_PASSWORD, undefined, { ...options, bypassCSP: true });
}

async function logIn(
  e: E2e,
  username: string,
  password: string,
  newPassword: string | undefined,
  options: { viewport?: { width: number; height: number }; timeoutMs?: number; bypassCSP?: boolean },
): Promise<Page> {
  const context = await e.browser.newContext({
    baseURL: e.server.baseUrl,
    viewport: options.viewport ?? { width: 1280, height: 900 },
    ...(options.bypassCSP ? { bypassCSP: true } : {}),
  });
  context.setDefaultTimeout(options.timeoutMs ?? 10_000);
  e.contexts.push(context);
  const page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  await page.goto('/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  if (newPassword) await chooseNewPassword(page, newPassword);
  await page.getByRole('heading', { name: 'Studies' }).waitFor();
  return page;
}

/** Fills the "Choose a new password" form shown after a first login with a password set by someone else. */
export async function chooseNewPassword(page: Page, newPassword: string) {
  const form = page.getByRole('form', { name: 'Choose a new password' });
  await form.waitFor();
  await form.getByLabel('New password', { exact: true }).fill(newPassword);
  await form.getByLabel('Repeat the new password').fill(newPassword);
  await form.getByRole('button', { name: 'Save new password' }).click();
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: `${screenshotDir}/${name}.png`, fullPage: true });
}

/** An API client logged in as `username` (for setting up what a test does not exercise in the UI). */
export async function apiAs(e: E2e, username: string): Promise<ApiClient> {
  const c = new ApiClient(e.server.baseUrl);
  const res = await c.login(username);
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
  return c;
}

/** A subject at site A with a BASELINE visit whose LAB form holds HGB = 12.5 g/dL. */
export async function subjectWithLabValue(e: E2e) {
  const c = await apiAs(e, 'coordinator');
  const subject = await c.post<{ id: string; subjectCode: string }>(
    `/api/studies/${e.trial.studyId}/subjects`,
    {
      siteId: e.trial.siteA,
    },
  );
  if (subject.status !== 201) throw new Error(`enrol: ${subject.status}`);
  const visit = await c.post<{ id: string }>(`/api/subjects/${subject.body.id}/visits`, {
    visitCode: 'BASELINE',
    visitDate: '2026-03-01',
  });
  if (visit.status !== 201) throw new Error(`visit: ${visit.status}`);
  const form = await c.put(`/api/visits/${visit.body.id}/forms/LAB`, {
    items: [{ itemCode: 'HGB', value: '12.5', unit: 'g/dL' }],
  });
  if (form.status !== 200) throw new Error(`form: ${form.status} ${JSON.stringify(form.body)}`);
  return { subjectId: subject.body.id, subjectCode: subject.body.subjectCode, visitId: visit.body.id };
}

/** Waits until the element's text contains `text` (playwright-core has no expect of its own). */
export async function waitForText(locator: Locator, text: string, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    last = (await locator.textContent().catch(() => '')) ?? '';
    if (last.includes(text)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for "${text}"; the text was "${last}"`);
}

/**
 * A subject at site A (female, born 1990-01-01 unless `birthDate`) registered by the coordinator over
 * the API, with one visit; with `day0Date` the subject is first enrolled through the store (audited), to reach a
 * follow-up visit without the enrolment screens a test does not exercise.
 */
export async function subjectWithVisit(
  e: E2e,
  visit: { visitCode: string; visitDate: string; day0Date?: string; birthDate?: string },
): Promise<{ api: ApiClient; subjectId: string; subjectCode: string; visitId: string }> {
  const api = await apiAs(e, 'coordinator');
  const s = await api.post<{ id: string; subjectCode: string; version: number }>(
    `/api/studies/${e.trial.studyId}/subjects`,
    { siteId: e.trial.siteA, sex: 'female', birthDate: visit.birthDate ?? '1990-01-01' },
  );
  if (s.status !== 201) throw new Error(`subject: ${s.status} ${JSON.stringify(s.body)}`);
  if (visit.day0Date)
    await updateSubject(
      e.server.db,
      { id: e.trial.users.admin!.id, name: 'admin' },
      s.body.id,
      s.body.version,
      { status: 'enrolled', day0Date: visit.day0Date },
      'test set-up',
    );
  const v = await api.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
    visitCode: visit.visitCode,
    visitDate: visit.visitDate,
  });
  if (v.status !== 201) throw new Error(`visit: ${v.status} ${JSON.stringify(v.body)}`);
  return { api, subjectId: s.body.id, subjectCode: s.body.subjectCode, visitId: v.body.id };
}

let axeSource: string | undefined;

/** Serious or critical axe-core findings (WCAG 2.1 A/AA) on the page as it is now, one line each. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(`(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ': ' + v.help + ' — ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '));
  })()`);
}
