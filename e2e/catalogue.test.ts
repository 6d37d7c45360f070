// Every word on the converted pages comes from the message catalogue (issue 22, "Languages"), proved
// in Chromium with the pseudo-locale: the user's language setting `x-pseudo` wraps every catalogue
// message in ⟦…⟧. On each page, as several roles of the demo trial, every visible text node and
// every aria-label/title must be either inside ⟦…⟧ (from the catalogue) or data: a string or number
// the API sent to this page (subject codes, names, terms, labels of the definition, query texts),
// a date, a number or punctuation. A text written into the code in English fails with its page,
// role and words. axe-core stays clean on the same pages.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BILAG2004_SYSTEM_LABELS, itemFormsFor, SLEDAI2K_DESCRIPTOR_ITEMS } from '@msct/core/crf';
import { BILAG2004_PROVISIONAL_NOTE } from '@msct/core/instruments';
import { storedDefinition } from '@msct/core/protocol';
import { raiseQuery } from '@msct/store';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadDemoResult, loadDemoTrial } from '../packages/cli/src/demo/load-demo.js';
import { type E2e, startE2e, stopE2e } from './support.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Every string and number in the API's JSON answers this page received: the page's data. */
function collectData(page: Page): Set<string> {
  const data = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      data.add(v.trim());
      // Instants are shown as `YYYY-MM-DD HH:mm UTC` (lib/dates.ts): covered by the date pattern.
    } else if (typeof v === 'number') data.add(String(v));
    else if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  page.on('response', async (res) => {
    if (!res.url().includes('/api/') || !(res.headers()['content-type'] ?? '').includes('json')) return;
    try {
      walk(await res.json());
    } catch {
      // a body already gone (navigation): nothing to learn from it
    }
  });
  return data;
}

// Dates, times, numbers, ranges and punctuation: data written by lib/dates.ts or a number format.
// Also numbers in exponent form (cells: 9.93e+5), the breadcrumb's › and the check boxes ☒ ☐.
const DATA_PATTERN =
  /^([\d\s.,:;+\-−–—=<>≤≥%()/·×○◔◐●✓▣!?[\]∅→›☒☐]|\d{4}-\d{2}-\d{2}( \d{2}:\d{2}( UTC)?)?|UTC|\d(\.\d+)?e[+-]\d+)*$/u;

/**
 * The strings of the instruments and the CRF catalogue behind a study definition (item labels, help,
 * code lists, group legends; SLEDAI-2K descriptors, BILAG-2004 systems): data, as the definition is.
 */
function instrumentStrings(definition: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.add(v.trim());
    else if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v instanceof Map) for (const x of v.values()) walk(x);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  walk(itemFormsFor(storedDefinition(definition)));
  walk(SLEDAI2K_DESCRIPTOR_ITEMS);
  walk(BILAG2004_SYSTEM_LABELS);
  walk(BILAG2004_PROVISIONAL_NOTE);
  return out;
}

/**
 * The texts on screen that neither come from the catalogue nor are data; `scope` (a CSS selector)
 * limits the check to the parts of a page that are converted (every element it matches).
 */
async function foreignTexts(page: Page, data: Set<string>, scope = 'body'): Promise<string[]> {
  const found: string[] = await page.evaluate(`(() => {
    const out = [];
    const visible = (el) => el && (el.checkVisibility ? el.checkVisibility() : true);
    for (const root of document.querySelectorAll(${JSON.stringify(scope)})) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const p = n.parentElement;
      if (!p || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(p.tagName)) continue;
      if (p.tagName !== 'OPTION' && !visible(p)) continue;
      if (n.textContent.trim()) out.push(n.textContent);
    }
    for (const el of root.querySelectorAll('[aria-label], [title], [placeholder]')) {
      if (!visible(el)) continue;
      for (const a of ['aria-label', 'title', 'placeholder']) {
        const v = el.getAttribute(a);
        if (v && v.trim()) out.push(v);
      }
    }
    }
    return out;
  })()`);
  const foreign: string[] = [];
  for (const text of found) {
    // Take out every catalogue message (innermost first: a message may carry another as a parameter).
    let rest = text;
    for (let before = ''; before !== rest; ) {
      before = rest;
      rest = rest.replace(/⟦[^⟦⟧]*⟧/gu, ' ');
    }
    rest = rest.trim();
    if (rest === '' || DATA_PATTERN.test(rest) || data.has(rest)) continue;
    // A data string with its punctuation (`SLE-001,`) or several data items in one node.
    if (
      rest.split(/\s+/).every((w) => DATA_PATTERN.test(w) || data.has(w) || data.has(w.replace(/[,;:]$/, '')))
    )
      continue;
    foreign.push(text);
  }
  return [...new Set(foreign)];
}

async function axeSerious(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const violations: { id: string; impact: string | null; help: string; at: string }[] =
    await page.evaluate(`(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, at: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' ' + (n.failureSummary || '').slice(0, 160)).join(' | ') }));
  })()`);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} ${v.help} (at ${v.at})`);
}

describe('the pseudo-locale: every word on the converted pages comes from the catalogue', () => {
  let e: E2e;
  let demo: LoadDemoResult;

  beforeAll(async () => {
    e = await startE2e();
    demo = await loadDemoTrial(e.server.db, {});
    // A query with a thread on the queries page (raised as the demo's monitor).
    const monitor = demo.users.find((u) => u.role === 'monitor')!;
    const user = await e.server.db.kysely
      .selectFrom('users')
      .select(['id', 'display_name'])
      .where('username', '=', monitor.username)
      .executeTakeFirstOrThrow();
    const subjectId = demo.patients[0]!.subjectId;
    await raiseQuery(
      e.server.db,
      { id: user.id, name: user.display_name },
      { subjectId, entityType: 'subject', entityId: subjectId, text: 'Please confirm the date of birth.' },
    );
  }, 120_000);
  afterAll(async () => stopE2e(e));

  /** Logged in as a demo user in the pseudo-locale; the login and new-password pages are checked on the way. */
  async function pseudoLogin(role: string): Promise<{ page: Page; data: Set<string>; problems: string[] }> {
    const login = demo.users.find((u) => u.role === role)!;
    const context = await e.browser.newContext({
      baseURL: e.server.baseUrl,
      viewport: { width: 1280, height: 900 },
      bypassCSP: true,
    });
    context.setDefaultTimeout(20_000);
    e.contexts.push(context);
    // The user's language setting (i18n/index.ts reads it when the app loads).
    await context.addInitScript("localStorage.setItem('msct.locale', 'x-pseudo')");
    const page = await context.newPage();
    const data = collectData(page);
    data.add(login.username);
    const problems: string[] = [];
    const check = async (where: string) => {
      for (const text of await foreignTexts(page, data)) problems.push(`${role} ${where}: "${text}"`);
      for (const v of await axeSerious(page)) problems.push(`${role} ${where}: axe ${v}`);
    };
    await page.goto('/');
    await page.getByLabel('⟦Username⟧').fill(login.username);
    await page.getByLabel('⟦Password⟧').fill(login.password);
    await check('login page');
    await page.getByRole('button', { name: '⟦Log in⟧' }).click();
    const choose = page.getByRole('form', { name: '⟦Choose a new password⟧' });
    await choose.waitFor();
    await check('choose a new password');
    await choose.getByLabel('⟦New password⟧', { exact: true }).fill('catalogue-own-passphrase');
    await choose.getByLabel('⟦Repeat the new password⟧').fill('catalogue-own-passphrase');
    await choose.getByRole('button', { name: '⟦Save new password⟧' }).click();
    await page.getByRole('heading', { name: '⟦Studies⟧' }).waitFor();
    return { page, data, problems };
  }

  it('the login, studies, queries, both worklists, signatures, exports, adverse events, out-of-range labs, visit, adverse-event and subject (entry panels) pages, as five roles', async () => {
    const studyId = demo.studyId;
    // The visit page with data on it: the visit of the coordinator's site with the most forms
    // (catalog forms, live scores, SLEDAI-2K, files), and an adverse event of that site (an SAE first).
    const db = e.server.db.kysely;
    const coordinator = demo.users.find((u) => u.role === 'coordinator')!;
    const site = await db
      .selectFrom('sites')
      .select('id')
      .where('study_id', '=', studyId)
      .where('code', '=', coordinator.site!)
      .executeTakeFirstOrThrow();
    const visit = await db
      .selectFrom('form_instances')
      .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
      .innerJoin('subjects', 'subjects.id', 'visits.subject_id')
      .where('subjects.site_id', '=', site.id)
      .where('visits.status', '!=', 'missed')
      .select(['visits.id as visitId', 'visits.subject_id as subjectId', (eb) => eb.fn.countAll().as('n')])
      .groupBy(['visits.id', 'visits.subject_id'])
      .orderBy('n', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const ae = await db
      .selectFrom('adverse_events')
      .innerJoin('subjects', 'subjects.id', 'adverse_events.subject_id')
      .where('subjects.site_id', '=', site.id)
      .select(['adverse_events.id', 'adverse_events.subject_id as subjectId'])
      .orderBy('adverse_events.serious', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const study = await db
      .selectFrom('studies')
      .select('definition_json')
      .where('id', '=', studyId)
      .executeTakeFirstOrThrow();
    const instruments = instrumentStrings(JSON.parse(study.definition_json));
    // The visit page but its status line: the status badge and core's reason belong to the status grid
    // (converted with the study home, i18n-a).
    const visitPage = 'main > section > :not(.visit-status)';
    // The subject page's panels that are converted (infusions, adverse events, files, casebook signatures).
    const subjectPanels =
      'section[aria-labelledby="inf-h"], section[aria-labelledby="ae-h"], section[aria-labelledby="casebook-h"], section.attachments';
    const visits: [role: string, path: string, ready: string, scope?: string][] = [
      ['monitor', `/studies/${studyId}/queries`, '⟦Queries — '],
      ['monitor', `/studies/${studyId}/out-of-range-labs`, '⟦Out-of-range labs⟧'],
      ['monitor', `/studies/${studyId}/worklist`, "⟦Monitor's worklist — "],
      ['coordinator', `/studies/${studyId}/queries`, '⟦Queries — '],
      ['coordinator', `/studies/${studyId}/entry-worklist`, "⟦My site's worklist — "],
      ['safety', `/studies/${studyId}/adverse-events`, '⟦Adverse events⟧'],
      ['investigator', `/studies/${studyId}/signatures`, '⟦Signatures and locks — '],
      ['admin', `/studies/${studyId}/signatures`, '⟦Signatures and locks — '],
      ['coordinator', `/studies/${studyId}/signatures`, '⟦Signatures and locks — '],
      ['investigator', `/studies/${studyId}/adverse-events`, '⟦Adverse events⟧'],
      ['admin', `/studies/${studyId}/out-of-range-labs`, '⟦Out-of-range labs⟧'],
      ['monitor', `/studies/${studyId}/exports`, '⟦Exports of '],
      ['coordinator', `/visits/${visit.visitId}`, '⟦Visit ', visitPage],
      ['monitor', `/visits/${visit.visitId}`, '⟦Visit ', visitPage],
      ['investigator', `/visits/${visit.visitId}`, '⟦Visit ', visitPage],
      ['safety', `/adverse-events/${ae.id}`, 'adverse event: '],
      ['coordinator', `/adverse-events/${ae.id}`, 'adverse event: '],
      ['coordinator', `/subjects/${ae.subjectId}`, '⟦Infusions⟧', subjectPanels],
      ['investigator', `/subjects/${visit.subjectId}`, '⟦Infusions⟧', subjectPanels],
    ];
    const problems: string[] = [];
    const byRole = new Map<string, Awaited<ReturnType<typeof pseudoLogin>>>();
    let checkedTexts = 0;
    for (const [role, path, ready, scope] of visits) {
      let session = byRole.get(role);
      if (!session) {
        session = await pseudoLogin(role);
        byRole.set(role, session);
        for (const x of instruments) session.data.add(x);
        // The studies page, in the pseudo-locale.
        await session.page.locator('.cards a').first().waitFor();
        for (const text of await foreignTexts(session.page, session.data))
          problems.push(`${role} studies: "${text}"`);
        problems.push(...session.problems);
      }
      const { page, data } = session;
      await page.goto(path);
      await page.getByRole('heading', { name: ready }).waitFor();
      // Lists load after the heading: wait for the page to settle.
      await page.waitForLoadState('networkidle');
      if (path.endsWith('/queries')) {
        // The query's thread too (its messages' kinds are catalogue words).
        const thread = page.getByRole('button', { name: '⟦Thread⟧' }).first();
        await thread.click();
        await page.getByRole('list', { name: /⟦Thread of the query on/ }).waitFor();
        await page.waitForLoadState('networkidle');
      }
      if (path.endsWith('/exports')) {
        // A job run to its end: its row, status and download links are catalogue words too.
        await page.getByRole('button', { name: '⟦Start the export⟧' }).click();
        await page
          .getByRole('link', { name: /⟦Download/ })
          .first()
          .waitFor({ timeout: 60_000 });
        await page.waitForLoadState('networkidle');
      }
      if (path.startsWith('/visits/') && role === 'coordinator') {
        // A form still to enter and a new record of a repeating form: open, with their entry fields.
        for (const summary of await page.locator('details.new-form > summary').all()) await summary.click();
      }
      if (path.startsWith('/visits/') && role === 'monitor') {
        // The per-item source verification lists of the form panels.
        for (const summary of await page.locator('details.item-verifications > summary').all())
          await summary.click();
      }
      if (path.startsWith('/subjects/') && role === 'coordinator') {
        // The adverse event form in its "change" state too.
        await page
          .getByRole('button', { name: /^⟦Edit / })
          .first()
          .click();
        await page.getByRole('form', { name: /⟦Change adverse event / }).waitFor();
      }
      const foreign = await foreignTexts(page, data, scope);
      for (const text of foreign) problems.push(`${role} ${path}: "${text}"`);
      for (const v of await axeSerious(page)) problems.push(`${role} ${path}: axe ${v}`);
      // The test is not vacuous: the page shows catalogue words and data side by side.
      const body = (await page.locator('main').textContent()) ?? '';
      expect(body, path).toContain('⟦');
      checkedTexts += (body.match(/⟦/g) ?? []).length;
    }
    expect(problems).toEqual([]);
    expect(checkedTexts).toBeGreaterThan(50);
  }, 600_000);

  it('English stays the default, and a text outside the catalogue would be caught', async () => {
    const context = await e.browser.newContext({ baseURL: e.server.baseUrl, locale: 'de-DE' });
    e.contexts.push(context);
    const page = await context.newPage();
    await page.goto('/');
    // No catalogue for German: English, with no brackets.
    await page.getByRole('button', { name: 'Log in', exact: true }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    // The detector itself: an English text put on the page is reported; a data string is not.
    await page.evaluate(`(() => {
      const p = document.createElement('p');
      p.textContent = 'Written in the code';
      document.querySelector('main').append(p);
    })()`);
    const data = new Set(['msct — log in', 'Username', 'Password', 'Log in']);
    expect(await foreignTexts(page, data)).toEqual(['Written in the code']);
  });
});
