// What the statistician signs sees what is computed (issue #18 item 9): the 95% CI of each mean
// change, Kaplan–Meier medians with CI or "not reached", the Cox global tests with the event count,
// a footnote for every "—" of a measure table and for a "not significant" on a degenerate sample,
// and a caution when a log-rank group has fewer than 5 events.
import { analyzeTrial, compareWithBaseline, type MeasureAnalysis } from '@msct/core/analysis';
import { exampleTrialDataset } from '@msct/core/testing';
import { describe, expect, it } from 'vitest';
import { renderReportHtml } from './html.js';
import { dashNotes } from './tables.js';

const measure = (values: (number | null)[][]): MeasureAnalysis => ({
  key: 'x',
  planId: 'R11',
  label: 'ANA',
  unit: 'log2',
  population: 'enrolled',
  populationN: values[0]!.length,
  ...compareWithBaseline({ timepoints: values.map((_, i) => (i === 0 ? 'D0' : `M${i}`)), values }),
});
const plain = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<');

describe('footnotes for "—" and degenerate samples', () => {
  const cases: Array<[string, (number | null)[][], string]> = [
    [
      'ANA at M1 not measured: no value at this timepoint',
      [
        [5, 6, 7],
        [null, null, null],
      ],
      'M1: no summary (no value recorded at this timepoint in the population); no patient has both a baseline and this value, so there is no change, CI or test.',
    ],
    [
      'all changes 0: every test undefined',
      [
        [5, 6, 7],
        [5, 6, 7],
      ],
      'M1: all 3 changes are 0 (no patient changed from baseline): the t-test, its CI and the Wilcoxon test are undefined.',
    ],
    [
      'all changes equal, not significant: the degenerate sample is named',
      [
        [5, 6, 7],
        [4, 5, 6],
      ],
      'M1: all 3 changes are equal (-1): the t-test and its CI are undefined; the Wilcoxon p = 0.149 rests on this degenerate sample, so "not significant" here says nothing about the size of the change; Holm column: "—" where that test has no p.',
    ],
    [
      'one value: SD undefined',
      [
        [5, null, null],
        [4, null, null],
      ],
      'D0: SD and SE need at least 2 values (n = 1).',
    ],
  ];
  it.each(cases)('%s', (_n, values, want) => {
    expect(plain(dashNotes(measure(values), 0.05))).toContain(want);
  });

  it('nothing to explain when every cell has a number', () => {
    expect(
      dashNotes(
        measure([
          [5, 6, 7, 9],
          [4, 6, 5, 6],
        ]),
        0.05,
      ),
    ).toBe('');
  });
});

describe('the rendered report shows the hidden statistics', async () => {
  const results = analyzeTrial(exampleTrialDataset());
  const html = await renderReportHtml(results, { softwareVersion: 't', generatedAt: '2014-02-02T10:00:00Z' });
  const text = plain(html);

  it('95% CI of each mean change, bound to the t-test CI in results.json', () => {
    expect(html).toContain('<th colspan="2">95% CI of mean change (t)</th>');
    const t = results.measures[0]!.timepoints[2]!.tTest;
    expect(t?.ok).toBe(true);
    expect(html).toContain(
      `data-path="measures.0.timepoints.2.tTest.value.ciLower" data-fmt="num" data-v="${t?.ok && t.value.ciLower}"`,
    );
  });

  it('Kaplan–Meier medians with CI or "not reached"', () => {
    const os = results.survival.overall.fit;
    expect(os.ok && os.value.median.estimate).toBeNull();
    expect(text).toContain('Median (days): not reached, 95% CI');
    for (const key of ['overall', 'relapseFree', 'timeToFirstResponse'])
      expect(html).toContain(`id="median-${key}"`);
  });

  it('Cox global tests (LR, score, Wald with df and p) and the event count next to the coefficients', () => {
    const cox = results.survival.coxResponse;
    expect(cox.ok).toBe(true);
    if (!cox.ok) return;
    expect(html).toContain('<table id="cox-global">');
    for (const k of ['likelihoodRatio', 'score', 'wald'])
      for (const f of ['statistic', 'df', 'pValue'])
        expect(html).toContain(`data-path="survival.coxResponse.value.${k}.${f}"`);
    expect(text).toContain(`events = ${cox.value.events}`);
  });

  it('a caution when a log-rank group has fewer than 5 events', () => {
    const lr = results.survival.logRankResponseLn;
    expect(lr.ok && lr.value.groups.some((g) => g.observed < 5)).toBe(true);
    expect(html).toContain('id="caution-logRankResponseLn"');
    expect(text).toMatch(/Caution: group \w+ has \d+ events?.*\(fewer than 5\)/);
  });
});
