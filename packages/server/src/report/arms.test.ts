// The report of a randomised study (issue 24): the CONSORT flow diagram, the tables by arm with every
// number bound to its JSON path, the curves by arm and the tests' caveats; nothing of it for a
// single-arm study.
import { analyzeTrial } from '@msct/core/analysis';
import { exampleTrialDataset, TWO_ARM_DEMO_ARMS, twoArmDemoDataset } from '@msct/core/testing';
import { describe, expect, it } from 'vitest';
import { atPath, formatNumber, type NumberFormat } from './format.js';
import { renderReportHtml } from './html.js';

const meta = { softwareVersion: '9.9.9-test', generatedAt: '2014-02-02T10:00:00.000Z' };

describe('the report of a randomised study', async () => {
  const results = analyzeTrial(twoArmDemoDataset(), { arms: TWO_ARM_DEMO_ARMS });
  const html = await renderReportHtml(results, meta);
  const section = html.slice(html.indexOf('<h2 id="by-arm">'), html.indexOf('<h2 id="safety">'));

  it('draws the CONSORT flow with the counts of the analysis', () => {
    const svg = section.slice(section.indexOf('<svg'), section.indexOf('</svg>'));
    const count = (id: string) => Number(new RegExp(`id="consort-${id}"[^]*?n = (\\d+)`).exec(svg)?.[1]);
    expect(count('screened')).toBe(40);
    expect(count('randomised')).toBe(35);
    expect(svg).toContain('not randomised: 5');
    for (const a of results.byArm!.consort.arms) {
      expect(count(`allocated-${a.arm}`)).toBe(a.allocated);
      expect(count(`received-${a.arm}`)).toBe(a.receivedInfusion);
      expect(count(`lost-${a.arm}`)).toBe(a.lost);
      expect(count(`analysed-${a.arm}`)).toBe(a.analysed);
    }
  });

  it('prints each number of the tables by arm as the JSON value at its path', () => {
    const cells = [...section.matchAll(/data-path="([^"]+)" data-fmt="([a-z]+)" data-v="([^"]*)">([^<]*)</g)];
    expect(cells.length).toBeGreaterThan(300);
    for (const [, path, fmt, raw, shown] of cells) {
      expect(path!.startsWith('byArm.'), path).toBe(true);
      const v = atPath(results, path!);
      expect(raw, path).toBe(typeof v === 'number' && Number.isFinite(v) ? String(v) : '');
      expect(shown!.replace('&lt;', '<'), path).toBe(formatNumber(fmt as NumberFormat, v));
    }
    for (const id of [
      'arm-baseline',
      'arm-response',
      'arm-response-comparison',
      'arm-change-sledai',
      'arm-survival-relapseFree',
    ])
      expect(section).toContain(`<table id="${id}">`);
  });

  it('shows the Kaplan–Meier curves by arm and the tests’ caveats', () => {
    expect(section).toContain('id="chart-arm-km-overall"');
    expect(section).toContain('id="chart-arm-km-relapseFree"');
    expect(section).toContain('Repeat MSCT: n = 17');
    expect(section).toContain('cannot compute exact p-value with ties');
    expect(section).toContain('the hazard ratio is not estimable');
    // No events in one arm (overall survival): no hazard ratio printed.
    const os = section.slice(section.indexOf('<table id="arm-survival-overall">'));
    expect(os.slice(0, os.indexOf('</table>'))).toContain('not estimable: an arm has no event');
  });

  it('has no section by arm for a single-arm study', async () => {
    const single = await renderReportHtml(analyzeTrial(exampleTrialDataset()), meta);
    expect(single).not.toContain('id="by-arm"');
    expect(single).not.toContain('byArm.');
  });
});
