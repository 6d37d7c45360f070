// The report renders in real Chromium and every number it prints equals results.json (issue 5
// acceptance). Screenshot: artifacts/screenshots/report.png (git-ignored).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnalysisResults, analyzeTrial } from '@msct/core/analysis';
import { exampleTrialDataset } from '@msct/core/testing';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultsToCsv } from './csv.js';
import { atPath, formatNumber, type NumberFormat } from './format.js';
import { renderReportHtml } from './html.js';
import { CHROMIUM_ARGS, renderPdf } from './pdf.js';

const screenshots = fileURLToPath(new URL('../../../../artifacts/screenshots', import.meta.url));
const meta = { softwareVersion: '9.9.9-test', generatedAt: '2014-02-02T10:00:00.000Z' };

let browser: Browser;
let results: AnalysisResults;
let html: string;

beforeAll(async () => {
  results = analyzeTrial(exampleTrialDataset());
  html = await renderReportHtml(results, meta);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe('renderReportHtml', () => {
  it('is one self-contained document: inline CSS and SVG, no external resource', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<(script|link|img)\b/i);
    expect(html).not.toMatch(/(src|href)="https?:/i);
    expect((html.match(/<svg\b/g) ?? []).length).toBe(5 + results.measures.length);
  });

  it('renders in Chromium; each printed number equals the JSON value at its path', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.setContent(html, { waitUntil: 'load' });
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, 'report.png'), fullPage: true });

    const cells = await page.$$eval('[data-path]', (els) =>
      els.map((e) => ({
        path: e.getAttribute('data-path') ?? '',
        fmt: e.getAttribute('data-fmt') ?? '',
        v: e.getAttribute('data-v') ?? '',
        text: (e.textContent ?? '').trim(),
      })),
    );
    expect(cells.length).toBeGreaterThan(400);
    // The JSON as the API and `msct analyze` write it.
    const json = JSON.parse(JSON.stringify(results)) as unknown;
    let numbers = 0;
    for (const c of cells) {
      const value = atPath(json, c.path);
      expect(c.text, c.path).toBe(formatNumber(c.fmt as NumberFormat, value));
      if (typeof value === 'number') {
        numbers++;
        expect(Number(c.v), c.path).toBe(value);
      } else {
        expect(c.v, c.path).toBe('');
      }
    }
    expect(numbers).toBeGreaterThan(300);

    // Spot checks against hand-computed values of the example trial.
    const cell = (path: string) => cells.find((c) => c.path === path)?.text;
    expect(cell('response.overall.MCR.x')).toBe('3');
    expect(cell('response.overall.MCR.estimate')).toBe('37.5%');
    expect(cell('safety.aliveAtHorizon.x')).toBe('7');
    expect(cell('relapse.byVisit.1.newRelapses')).toBe('1');
    await expect(page.locator('#snapshot-hash').textContent()).resolves.toBe('sha256:test');
    await expect(page.locator('#software-version').textContent()).resolves.toBe('msct 9.9.9-test');
    await expect(page.locator('#rule-set').textContent()).resolves.toContain('msct-sle-bilag-2014 v2.0.0');
    await expect(page.locator('#missing-data').textContent()).resolves.toContain('non-responder imputation');
    // The charts are drawn (Vega SVG with marks), not empty boxes.
    const marks = await page.$$eval('#chart-km-overall path, #chart-spaghetti path', (ps) => ps.length);
    expect(marks).toBeGreaterThan(5);
    await page.close();
  }, 60_000);

  it('prints a PDF through Chromium', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msct-report-'));
    try {
      const file = join(dir, 'report.pdf');
      await renderPdf(html, file);
      expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
      expect(statSync(file).size).toBeGreaterThan(20_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('resultsToCsv', () => {
  it('writes one CSV per table at full precision, quoting as RFC 4180', () => {
    const csv = resultsToCsv(results);
    const lines = csv.change_from_baseline!.trim().split('\r\n');
    expect(lines.length).toBe(1 + results.measures.reduce((n, m) => n + m.timepoints.length, 0));
    const head = lines[0]!.split(',');
    const sledaiM3 = lines[3]!.split(',');
    const m3 = results.measures[0]!.timepoints[2]!;
    expect(sledaiM3[head.indexOf('timepoint')]).toBe('M3');
    expect(Number(sledaiM3[head.indexOf('p_t')])).toBe(m3.tTest?.ok ? m3.tTest.value.pValue : null);
    // A summary with a comma is quoted.
    expect(csv.patient_listing).toContain(
      '"MCR → relapse: response at month 6 (M6, day 182), relapse at M9 (day 273); flagged for re-treatment."',
    );
    expect(csv.response!.split('\r\n')[1]).toMatch(/^all centres,MCR,3,8,0.375,0.0852/);
  });
});
