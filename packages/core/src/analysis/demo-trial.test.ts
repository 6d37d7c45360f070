// Issue 8 acceptance through the analysis: the demo trial generated as items, then adjudicated and
// analysed by msct's own rules, regenerates the published results (trial.md "Published results").
import { describe, expect, it } from 'vitest';
import { demoDataset, generateDemoTrial } from '../demo/index.js';
import { analyzeTrial } from './analyze-trial.js';

describe('the demo trial regenerates the publication', () => {
  const results = analyzeTrial(demoDataset(generateDemoTrial({ seed: 2014 })));

  it('40 enrolled, 37 alive at 12 months (overall survival 92.5%), no transplantation-related AE', () => {
    expect(results.populations.enrolled).toBe(40);
    expect(results.safety.aliveAtHorizon).toMatchObject({ x: 37, n: 40 });
    expect(results.safety.aliveAtHorizon.estimate).toBeCloseTo(0.925, 12);
    expect(results.safety.deaths.map((d) => d.studyDay).sort((a, b) => a - b)).toEqual([7, 192, 256]);
    expect(results.safety.adverseEvents.transplantationRelated.x).toBe(0);
  });

  it('MCR 13 (32.5%), PCR 11 (27.5%), NR 16 of 40', () => {
    const r = results.response.overall;
    expect([r.MCR.x, r.PCR.x, r.NR.x, r.n]).toEqual([13, 11, 16, 40]);
    expect(r.MCR.estimate).toBeCloseTo(0.325, 12);
    expect(r.PCR.estimate).toBeCloseTo(0.275, 12);
  });

  it('relapse among the 24 responders: 3 first found at 9 months (12.5%), 4 more at 12 months (16.7%)', () => {
    expect(results.relapse.responders).toBe(24);
    const at = (v: string) => results.relapse.byVisit.find((b) => b.visit === v)!;
    expect(at('M9').newRelapses).toBe(3);
    expect(at('M12').newRelapses).toBe(4);
    expect(results.relapse.total.x).toBe(7);
    expect(3 / 24).toBeCloseTo(0.125, 12);
  });

  it('SLEDAI falls significantly from baseline at 3, 6, 9 and 12 months', () => {
    const sledai = results.measures.find((m) => m.key === 'sledai' && m.population === 'enrolled')!;
    for (const tp of ['M3', 'M6', 'M9', 'M12']) {
      const row = sledai.timepoints.find((t) => t.timepoint === tp)!;
      expect(row.primaryP, tp).not.toBeNull();
      expect(row.primaryP!, tp).toBeLessThan(0.05);
    }
  });
});
