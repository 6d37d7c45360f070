// Issue 16: the patient charts of a 20 000-patient report are drawn from aggregates — the data of
// each chart stay a few dozen rows whatever the number of patients, and the SVG renders quickly.
import { analyzeTrial } from '@msct/core/analysis';
import { demoDataset, generateDemoTrial } from '@msct/core/demo';
import { describe, expect, it } from 'vitest';
import { PER_PATIENT_CHART_LIMIT, spaghettiSpec, swimmerSpec, toSvg } from './charts.js';

const base = analyzeTrial(demoDataset(generateDemoTrial({ seed: 2014 })));
const scaled = {
  ...base,
  listing: Array.from({ length: 500 }, (_, k) =>
    base.listing.map((p) => ({ ...p, subject: `${p.subject}-${k}` })),
  ).flat(),
};

const rows = (spec: unknown): number => {
  let n = 0;
  const walk = (x: unknown) => {
    if (!x || typeof x !== 'object') return;
    const o = x as Record<string, unknown>;
    const values = (o.data as { values?: unknown[] } | undefined)?.values;
    if (values) n += values.length;
    for (const v of Object.values(o)) if (typeof v === 'object') walk(v);
  };
  walk(spec);
  return n;
};

describe('patient charts at 20 000 patients', () => {
  it('a 40-patient trial keeps one line and one lane per patient', () => {
    expect(base.listing.length).toBeLessThanOrEqual(PER_PATIENT_CHART_LIMIT);
    expect(rows(swimmerSpec(base))).toBeGreaterThanOrEqual(40);
    expect(JSON.stringify(spaghettiSpec(base))).toContain('"detail"');
  });

  it('20 000 patients: aggregates of a few dozen rows, rendered to SVG in seconds', async () => {
    expect(scaled.listing).toHaveLength(20_000);
    const spaghetti = spaghettiSpec(scaled);
    const swimmer = swimmerSpec(scaled);
    expect(rows(spaghetti)).toBeLessThanOrEqual(scaled.definitions.timepoints.length * 4);
    expect(rows(swimmer)).toBeLessThan(200);
    // The aggregate is the data's: the medians of the best-response groups at baseline.
    const mcrD0 = scaled.listing.filter((p) => p.bestResponse === 'MCR').map((p) => p.sledai.D0!);
    const sorted = [...mcrD0].sort((a, b) => a - b);
    const median = (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
    const d0 = (
      spaghetti as { data: { values: { timepoint: string; best: string; median: number; n: number }[] } }
    ).data.values.find((v) => v.timepoint === 'D0' && v.best === 'MCR')!;
    expect(d0).toMatchObject({ median, n: mcrD0.length });
    const t0 = performance.now();
    const svgs = await Promise.all([toSvg(spaghetti), toSvg(swimmer)]);
    expect(performance.now() - t0).toBeLessThan(10_000);
    for (const svg of svgs) {
      expect(svg).toMatch(/^<svg/);
      expect(svg.length).toBeLessThan(200_000);
    }
  });
});
