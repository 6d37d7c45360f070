// Phone and print (issue #22 "Phone and print"): the study home, a subject page and a visit form at
// 390×844 (a phone in portrait) — no page-wide horizontal scrolling, every control on screen or in a
// scroll container of its own (the grid scrolls inside itself with its first column sticky), "Log out"
// reachable, axe-core clean; and the print stylesheet: no navigation or buttons on paper.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { listVisits } from '@msct/store';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadDemoResult, loadDemoTrial } from '../packages/cli/src/demo/load-demo.js';
import { chooseNewPassword, type E2e, screenshot, startE2e, stopE2e } from './support.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PHONE = { width: 390, height: 844 };

/** Serious or critical axe-core findings (WCAG 2.1 A/AA) on the page as it is now. */
async function axeSerious(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(`(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ': ' + v.help + ' — ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '));
  })()`);
}

/**
 * What a phone user cannot reach: the page's own width beyond the screen, and each visible control
 * (link, button, field) that lies outside the screen without a scrolling container of its own.
 */
async function unreachable(page: Page): Promise<{ pageOverflow: number; controls: string[] }> {
  return page.evaluate(`(() => {
    const vw = window.innerWidth;
    const scrollsX = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if ((o === 'auto' || o === 'scroll') && p.getBoundingClientRect().right <= vw + 1) return true;
      }
      return false;
    };
    const controls = [];
    for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (getComputedStyle(el).visibility === 'hidden') continue;
      if ((r.left < -1 || r.right > vw + 1) && !scrollsX(el))
        controls.push((el.getAttribute('aria-label') || el.textContent || el.tagName).trim().slice(0, 40) + ' @' + Math.round(r.left) + '..' + Math.round(r.right));
    }
    return { pageOverflow: document.documentElement.scrollWidth - vw, controls };
  })()`);
}

describe('phone (390×844) and print', () => {
  let e: E2e;
  let demo: LoadDemoResult;
  let page: Page;
  let visitId: string;

  beforeAll(async () => {
    e = await startE2e();
    demo = await loadDemoTrial(e.server.db, {});
    const visits = await listVisits(e.server.db, demo.patients[0]!.subjectId);
    visitId = visits.find((v) => v.visit_code === 'D0')!.id;
    const context = await e.browser.newContext({
      baseURL: e.server.baseUrl,
      viewport: PHONE,
      bypassCSP: true,
    });
    context.setDefaultTimeout(20_000);
    e.contexts.push(context);
    page = await context.newPage();
    const coordinator = demo.users.find((u) => u.role === 'coordinator')!;
    await page.goto('/');
    await page.getByLabel('Username').fill(coordinator.username);
    await page.getByLabel('Password').fill(coordinator.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await chooseNewPassword(page, 'phone-user-own-passphrase');
    await page.getByRole('heading', { name: 'Studies' }).waitFor();
  }, 120_000);
  afterAll(async () => stopE2e(e));

  it('the header, study home, subject page and a visit form are usable on a phone', async () => {
    const subjectId = demo.patients[0]!.subjectId;
    const pages: [string, string, string][] = [
      ['studies', '/', 'Studies'],
      ['study home', `/studies/${demo.studyId}`, 'Record status'],
      ['subject', `/subjects/${subjectId}`, 'Visits'],
      ['visit', `/visits/${visitId}`, 'SLEDAI-2K'],
      ['site worklist', `/studies/${demo.studyId}/entry-worklist`, 'Forms to complete'],
    ];
    const problems: string[] = [];
    for (const [name, path, text] of pages) {
      await page.goto(path);
      await page.getByText(text).first().waitFor();
      await page.waitForLoadState('networkidle');
      await screenshot(page, `phone-${name.replace(' ', '-')}`);
      const u = await unreachable(page);
      if (u.pageOverflow > 1) problems.push(`${name}: the page is ${u.pageOverflow}px wider than the screen`);
      for (const c of u.controls) problems.push(`${name}: off screen: ${c}`);
      for (const a of await axeSerious(page)) problems.push(`${name}: axe ${a}`);
    }
    expect(problems).toEqual([]);
    // Log out is on screen in the header.
    const logout = await page.getByRole('button', { name: 'Log out' }).boundingBox();
    expect(logout!.x + logout!.width).toBeLessThanOrEqual(PHONE.width);
  }, 180_000);

  it('the study grid scrolls inside itself, its first column sticky', async () => {
    await page.goto(`/studies/${demo.studyId}`);
    await page.locator('table.status-grid tbody tr').first().waitFor();
    const style = await page.evaluate(`(() => {
      const t = document.querySelector('table.status-grid');
      let p = t.parentElement;
      while (p && !['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) p = p.parentElement;
      const first = t.querySelector('tbody tr > :first-child');
      return { scroller: p ? p.scrollWidth > p.clientWidth : null, sticky: getComputedStyle(first).position };
    })()`);
    expect(style).toEqual({ scroller: true, sticky: 'sticky' });
  });

  it('prints without navigation or buttons (print stylesheet)', async () => {
    await page.goto(`/visits/${visitId}`);
    await page.getByText('SLEDAI-2K').first().waitFor();
    await page.emulateMedia({ media: 'print' });
    const shown = await page.evaluate(`(() => {
      const vis = (el) => el && getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().height > 0;
      return {
        header: vis(document.querySelector('.app-header')),
        buttons: [...document.querySelectorAll('button')].filter(vis).length,
        main: vis(document.querySelector('main')),
      };
    })()`);
    expect(shown).toEqual({ header: false, buttons: 0, main: true });
    await page.emulateMedia({ media: 'screen' });
  });
});
