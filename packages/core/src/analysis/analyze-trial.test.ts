import { describe, expect, it } from 'vitest';
import { msctSleTrial } from '../protocol/msct-sle-trial.js';
import { exampleTrialDataset } from '../testing/example-trial.js';
import { randomisedLnTrial } from '../testing/randomised-trial.js';
import { analysisTimepointsOf, analyzeTrial, DEFAULT_TIMEPOINTS } from './analyze-trial.js';
import { compareWithBaseline } from './change-from-baseline.js';
import R from './fixtures/example-trial.json' with { type: 'json' };
import type { AnalysisResults, MeasureAnalysis, Proportion } from './types.js';

/** Relative agreement with R (1e-9, as the stats tests; p-values included). */
function close(actual: number | null | undefined, expected: number, tol = 1e-9) {
  expect(actual).not.toBeNull();
  expect(actual).not.toBeUndefined();
  const a = actual as number;
  const scale = Math.max(Math.abs(expected), 1e-300);
  expect(Math.abs(a - expected) / scale, `${a} vs R ${expected}`).toBeLessThanOrEqual(tol);
}

const results: AnalysisResults = analyzeTrial(exampleTrialDataset());
const measure = (key: string): MeasureAnalysis => {
  const m = results.measures.find((x) => x.key === key);
  if (!m) throw new Error(`no measure ${key}`);
  return m;
};
const cp = (p: Proportion) => (p.clopperPearson.ok ? p.clopperPearson.value : null);

describe('analyzeTrial on the example trial (verdicts by hand from endpoints.md)', () => {
  it('counts the populations: 9 screened, 8 enrolled (the screen failure left out), 5 LN, 4 responders', () => {
    expect(results.populations).toEqual({ screened: 9, enrolled: 8, responders: 4, lupusNephritis: 5 });
    expect(results.notes).toContain('P9: not enrolled (no first infusion recorded).');
  });

  it('R3: best response MCR 3, PCR 1, NR 4 over the enrolled, with NRI for the death and the withdrawal', () => {
    const o = results.response.overall;
    expect([o.n, o.MCR.x, o.PCR.x, o.NR.x, o.responders.x]).toEqual([8, 3, 1, 4, 4]);
    expect(o.MCR.estimate).toBe(0.375);
    close(cp(o.MCR)?.lower, R.mcrCp[0]!);
    close(cp(o.MCR)?.upper, R.mcrCp[1]!);
    close(o.MCR.wilson.ok ? o.MCR.wilson.value.lower : null, R.mcrWilson[0]!);
    close(o.MCR.wilson.ok ? o.MCR.wilson.value.upper : null, R.mcrWilson[1]!);
    expect(results.response.imputed.map((r) => [r.label, r.patients])).toEqual([
      ['death', 1],
      ['withdrawal', 1],
    ]);
    expect(results.response.firstResponseMonth).toEqual([
      { month: 6, count: 3 },
      { month: 9, count: 1 },
    ]);
  });

  it('R3 per centre: A has P1, P2, P3, P7 (3 MCR, 1 PCR); B has P4, P5, P6, P8 (all NR)', () => {
    const [a, b] = results.response.bySite;
    expect([a?.group, a?.n, a?.MCR.x, a?.PCR.x, a?.NR.x]).toEqual(['A', 4, 3, 1, 0]);
    expect([b?.group, b?.n, b?.MCR.x, b?.PCR.x, b?.NR.x]).toEqual(['B', 4, 0, 0, 4]);
  });

  it('R4 and R12: one relapse among 4 responders, first detected at M9, and its re-treatment flag', () => {
    const r = results.relapse;
    expect(r.responders).toBe(4);
    expect(r.byVisit.map((v) => [v.visit, v.newRelapses, v.cumulative.x, v.cumulative.n])).toEqual([
      ['M6', 0, 0, 4],
      ['M9', 1, 1, 4],
      ['M12', 0, 1, 4],
    ]);
    expect(r.total.estimate).toBe(0.25);
    expect(r.retreatment.flagged.x).toBe(1);
    expect(r.retreatment.patients).toEqual([
      { subject: 'P2', visit: 'M9', studyDay: 273, rule: 'retreatment.relapse' },
    ]);
    // Relapse-free survival from first response: P2 relapses 91 days after M6; others censored.
    const rfs = results.survival.relapseFree.fit;
    expect(rfs.ok && [rfs.value.n, rfs.value.events, rfs.value.time[0], rfs.value.survival[0]]).toEqual([
      4, 1, 91, 0.75,
    ]);
  });

  it('R1 and R2: deaths with cause and day, alive 7/8, AE tables by term, grade, seriousness, relatedness', () => {
    const s = results.safety;
    expect(s.deaths).toEqual([
      { subject: 'P5', site: 'B', studyDay: 100, date: '2013-04-20', cause: 'Sepsis' },
    ]);
    expect([s.aliveAtHorizon.x, s.aliveAtHorizon.n]).toEqual([7, 8]);
    expect(s.vitalStatusUnknown).toBe(1);
    expect(s.adverseEvents.total).toBe(4);
    expect(s.adverseEvents.byTerm[0]).toEqual({ label: 'Herpes zoster', events: 2, patients: 1 });
    expect(s.adverseEvents.byGrade.find((g) => g.label === '5')).toEqual({
      label: '5',
      events: 1,
      patients: 1,
    });
    expect(s.adverseEvents.bySeriousness.slice(0, 2)).toEqual([
      { label: 'serious', events: 1, patients: 1 },
      { label: 'not serious', events: 3, patients: 2 },
    ]);
    expect(s.adverseEvents.transplantationRelated.x).toBe(1);
    expect(s.infusions).toMatchObject({ given: 16, patients: 8, withReaction: 1 });
  });

  it('R1: Kaplan–Meier overall survival equals R survfit at months 1–12', () => {
    const at = results.survival.overall.at;
    expect(at.ok).toBe(true);
    if (!at.ok) return;
    at.value.forEach((row, i) => {
      close(row.survival, R.osSurv[i]!);
      if (R.osLower[i] !== null) close(row.lower, R.osLower[i] as number);
      if (R.osUpper[i] !== null) close(row.upper, R.osUpper[i] as number);
    });
  });

  it('log-rank LN vs non-LN and the exploratory Cox model equal R survdiff and coxph', () => {
    const lr = results.survival.logRankResponseLn;
    expect(lr.ok).toBe(true);
    if (lr.ok) {
      close(lr.value.chiSquare, R.logRankChisq);
      close(lr.value.pValue, R.logRankP);
    }
    const cox = results.survival.coxResponse;
    expect([cox.n, cox.excluded]).toEqual([7, 1]);
    expect(cox.ok).toBe(true);
    if (cox.ok)
      cox.value.coefficients.forEach((c, i) => {
        close(c.coefficient, R.coxCoef[i]!, 1e-6);
        close(c.se, R.coxSe[i]!, 1e-6);
      });
  });

  it('R5 end to end: SLEDAI-2K paired tests inside AnalysisResults equal R t.test and wilcox.test', () => {
    const m = measure('sledai');
    expect(m.timepoints.map((t) => t.timepoint)).toEqual(['D0', 'M1', 'M3', 'M6', 'M9', 'M12']);
    expect(m.populationN).toBe(8);
    expect(m.timepoints[0]?.pairs).toBe(8);
    m.timepoints.slice(1).forEach((t, i) => {
      expect(t.pairs).toBe(R.sledai.n[i]);
      const s = t.summary.ok ? t.summary.value : null;
      close(s?.mean, R.sledai.mean[i]!);
      close(s?.sd, R.sledai.sd[i]!);
      close(s?.median, R.sledai.median[i]!);
      const tt = t.tTest?.ok ? t.tTest.value : null;
      close(tt?.t, R.sledai.t[i]!);
      close(tt?.pValue, R.sledai.tP[i]!);
      close(tt?.ciLower, R.sledai.tLower[i]!);
      close(tt?.ciUpper, R.sledai.tUpper[i]!);
      const w = t.wilcoxon?.ok ? t.wilcoxon.value : null;
      expect(w?.statistic).toBe(R.sledai.V[i]);
      close(w?.pValue, R.sledai.wP[i]!);
      close(t.tTestHolm, R.sledai.tHolm[i]!);
      close(t.wilcoxonHolm, R.sledai.wHolm[i]!);
      expect(t.primaryP).toBe(tt?.pValue);
    });
    const f = m.friedman;
    expect(f.completeCases).toBe(6);
    close(f.ok ? f.value.statistic : null, R.sledai.friedman);
    close(f.ok ? f.value.pValue : null, R.sledai.friedmanP);
  });

  it('R8: LN-subgroup proteinuria (5 patients) equals R; R9 repeats creatinine without the relapsed P2', () => {
    const m = measure('ln.proteinuria');
    expect(m.population).toBe('LN');
    expect(m.populationN).toBe(5);
    m.timepoints.slice(1).forEach((t, i) => {
      expect(t.pairs).toBe(R.proteinuria.n[i]);
      close(t.tTest?.ok ? t.tTest.value.pValue : null, R.proteinuria.tP[i]!);
      close(t.wilcoxon?.ok ? t.wilcoxon.value.pValue : null, R.proteinuria.wP[i]!);
    });
    const noRelapse = measure('ln-no-relapse.creatinine');
    expect(noRelapse.population).toBe('LN without relapse');
    expect(noRelapse.populationN).toBe(4);
    // Creatinine at M12 without P2: P1 98, P4 205, P6 92 → mean 131.666…
    const m12 = noRelapse.timepoints.at(-1)?.summary;
    close(m12?.ok ? m12.value.mean : null, (98 + 205 + 92) / 3);
  });

  it('R6, R7: BILAG total and per-system scores use the classic weights (A 9, B 3, C 1)', () => {
    const total = measure('bilag.total').timepoints[0]?.summary;
    // Baselines: P1 9, P2 9, P3 12, P4 9, P5 9, P6 6, P7 9, P8 9 → mean 72/8 = 9.
    expect(total?.ok && total.value.mean).toBe(9);
    const renalM6 = measure('bilag.renal').timepoints[3]?.summary;
    // M6 renal: P1 C 1, P2 C 1, P3 E 0, P4 A 9, P6 B 3, P7 E 0 → 14/6.
    close(renalM6?.ok ? renalM6.value.mean : null, 14 / 6);
    const muco = measure('bilag.mucocutaneous').timepoints[4];
    // M9 pairs: P3 B→B (0), P7 A→C (−8), the rest E→E (0).
    expect(muco?.change?.ok && muco.change.value.min).toBe(-8);
  });

  it('R10, R11: albumin and C3 rise, ANA is analysed on the log2 titre scale', () => {
    const ana = measure('ana').timepoints;
    // P1 ANA 640 → 160 at M6: log2 change −2 for everyone present at M6.
    const c = ana[3]?.change;
    close(c?.ok ? c.value.mean : null, -2, 1e-12);
    expect(c?.ok ? c.value.sd : null).toBeLessThan(1e-12);
    const alb = measure('albumin').timepoints[3]?.change;
    expect(alb?.ok && alb.value.mean).toBe(6);
  });

  it('lists every enrolled patient with its verdict trace summary', () => {
    expect(results.listing.map((r) => [r.subject, r.label, r.firstResponseMonth, r.relapseVisit])).toEqual([
      ['P1', 'MCR', 6, null],
      ['P2', 'MCR → relapse', 6, 'M9'],
      ['P3', 'PCR', 6, null],
      ['P4', 'NR', null, null],
      ['P5', 'NR', null, null],
      ['P6', 'NR', null, null],
      ['P7', 'MCR', 9, null],
      ['P8', 'NR', null, null],
    ]);
    const p5 = results.listing[4];
    expect(p5?.summary).toBe('NR by non-responder imputation: patient died on day 100.');
    expect(p5?.deathDay).toBe(100);
    expect(results.listing[0]?.sledai).toEqual({ D0: 12, M1: 8, M3: 6, M6: 4, M9: 4, M12: 2 });
    expect(results.listing[0]?.infusionDays).toEqual([0, 7]);
  });

  it('states the definitions and the missing-data rules, and is plain JSON', () => {
    expect(results.definitions.ruleSet).toMatchObject({ id: 'msct-sle-bilag-2014', version: '2.0.0' });
    expect(results.definitions.missingData.join(' ')).toMatch(/non-responder imputation.*available pairs/s);
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
  });
});

describe("the study definition's analysisMeasures (issue #20)", () => {
  it('analyses only the measures it names, each as without it', () => {
    const only = analyzeTrial(exampleTrialDataset(), { measureKeys: ['sledai', 'c3'] });
    expect(only.measures.map((m) => m.key)).toEqual(['sledai', 'c3']);
    expect(only.measures[0]).toEqual(measure('sledai'));
    expect(results.measures.length).toBeGreaterThan(2);
  });
});

describe("the study definition's schedule gives the analysis timepoints (issue #20)", () => {
  it('the built-in trial: D0 then months 1–12 (analysis-plan.md "Timepoints"), the defaults', () => {
    expect(analysisTimepointsOf(msctSleTrial.visits)).toEqual([...DEFAULT_TIMEPOINTS]);
  });
  it('a study defined as data: its own baseline and month visits, in schedule order', () => {
    expect(analysisTimepointsOf(randomisedLnTrial.visits)).toEqual(['D0', 'M3', 'M6']);
  });
  it('no baseline or no month visit: none (the plan defaults apply)', () => {
    expect(analysisTimepointsOf([{ code: 'BL', kind: 'baseline' }])).toBeUndefined();
    expect(analysisTimepointsOf([{ code: 'W4', kind: 'assessment', month: 1 }])).toBeUndefined();
  });
});

describe('compareWithBaseline', () => {
  it('uses available pairs, refuses a test R refuses, and leaves Holm null where p is missing', () => {
    const r = compareWithBaseline({
      timepoints: ['B', 'T1', 'T2'],
      values: [
        [1, 2, 3, null],
        [2, 3, 4, 9],
        [null, 5, null, 1],
      ],
    });
    expect(r.timepoints[1]?.pairs).toBe(3);
    // All differences are 1: the t statistic is undefined (R: "data are essentially constant").
    expect(r.timepoints[1]?.tTest?.ok).toBe(false);
    expect(r.timepoints[2]?.pairs).toBe(1);
    expect(r.timepoints[2]?.tTest?.ok).toBe(false);
    expect(r.timepoints[2]?.tTestHolm).toBeNull();
    expect(r.friedman.completeCases).toBe(1);
  });

  it('marks the Wilcoxon p as primary when asked', () => {
    const r = compareWithBaseline(
      {
        timepoints: ['B', 'T'],
        values: [
          [1, 2, 3, 4, 5],
          [2, 4, 3.5, 7, 9],
        ],
      },
      'wilcoxon',
    );
    const t = r.timepoints[1];
    // R: wilcox.test(c(2,4,3.5,7,9), 1:5, paired = TRUE)$p.value = 0.0625 (exact, V = 15).
    expect(t?.wilcoxon?.ok && [t.wilcoxon.value.statistic, t.wilcoxon.value.pValue]).toEqual([15, 0.0625]);
    expect(t?.primaryP).toBe(0.0625);
  });
});
