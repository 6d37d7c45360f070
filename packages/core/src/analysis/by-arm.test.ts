// The analysis by arm of a randomised study on fixed data (issue 24), its two-arm numbers pinned
// against R on the same inputs (fixtures/two-arm-demo.R), and the single-arm results left as they were.
import { describe, expect, it } from 'vitest';
import { TWO_ARM_DEMO_ARMS, twoArmDemoDataset, twoArmDemoInputs } from '../testing/two-arm-demo.js';
import { analyzeTrial } from './analyze-trial.js';
import R from './fixtures/two-arm-demo.json' with { type: 'json' };

function close(actual: number | null | undefined, expected: number, tol = 1e-9) {
  expect(actual).not.toBeNull();
  expect(actual).not.toBeUndefined();
  const scale = Math.max(Math.abs(expected), 1e-300);
  expect(Math.abs((actual as number) - expected) / scale, `${actual} vs R ${expected}`).toBeLessThanOrEqual(
    tol,
  );
}
function value<T>(r: { ok: true; value: T } | { ok: false; issue: { message: string } } | null): T {
  if (!r) throw new Error('no result');
  if (!r.ok) throw new Error(r.issue.message);
  return r.value;
}

const dataset = twoArmDemoDataset();
const results = analyzeTrial(dataset, { arms: TWO_ARM_DEMO_ARMS });
const byArm = results.byArm!;

describe('analysis by arm (the demo trial randomised 1:1, every seventh subject not randomised)', () => {
  it('R reads the same per-subject inputs the analysis derives (regenerate both if this fails)', () => {
    const inputs = twoArmDemoInputs(dataset);
    expect(R.inputs.subject).toEqual(inputs.map((r) => r.subject));
    expect(R.inputs.arm).toEqual(inputs.map((r) => r.arm));
    expect(R.inputs.responder).toEqual(inputs.map((r) => r.responder));
    expect(R.inputs.osTime).toEqual(inputs.map((r) => r.osTime));
    expect(R.inputs.rfsTime).toEqual(inputs.map((r) => r.rfsTime));
    expect(R.inputs.sledaiChange).toEqual(inputs.map((r) => r.sledaiChange));
  });

  it('CONSORT flow: 40 screened, 35 randomised (17 / 18), all infused and analysed, none lost', () => {
    expect(byArm.consort).toEqual({
      screened: 40,
      randomised: 35,
      notRandomised: 5,
      arms: [
        {
          arm: 'msct',
          label: 'Repeat MSCT',
          allocated: 17,
          receivedInfusion: 17,
          lost: 0,
          analysed: 17,
          excluded: 0,
        },
        {
          arm: 'control',
          label: 'Standard care',
          allocated: 18,
          receivedInfusion: 18,
          lost: 0,
          analysed: 18,
          excluded: 0,
        },
      ],
    });
    expect(byArm.comparison).toEqual({ experimental: 'msct', reference: 'control' });
  });

  it('baseline table: one summary or count per arm, over the analysed subjects', () => {
    const age = byArm.baseline.find((b) => b.label === 'Age')!;
    expect(age.summaries!.map((s) => value(s).n)).toEqual([17, 18]);
    const female = byArm.baseline.find((b) => b.label === 'Female')!;
    const sexes = [0, 1].map(
      (i) => dataset.subjects.filter((s) => s.arm === TWO_ARM_DEMO_ARMS[i]!.id && s.sex === 'female').length,
    );
    expect(female.counts!.map((c) => c.x)).toEqual(sexes);
    expect(sexes.every((n) => n > 0)).toBe(true);
    const ln = byArm.baseline.find((b) => b.label === 'Lupus nephritis')!;
    expect(ln.counts!.map((c) => c.n)).toEqual([17, 18]);
    expect(byArm.baseline.some((b) => b.label === 'SLEDAI-2K')).toBe(true);
  });

  it('best response by arm: risk difference (Newcombe), Fisher OR and CI, χ² — as R', () => {
    expect(byArm.response.byArm.map((t) => [t.n, t.responders.x, t.MCR.x])).toEqual([
      [17, 8, 5],
      [18, 12, 6],
    ]);
    for (const [i, r] of [
      [0, R.responders],
      [1, R.mcr],
    ] as const) {
      const c = byArm.response.comparisons[i]!;
      expect(c.x).toEqual(r.x);
      expect(c.n).toEqual(r.n);
      const rd = value(c.riskDifference);
      close(rd.difference, r.newcombe[0]!);
      close(rd.ciLower, r.newcombe[1]!);
      close(rd.ciUpper, r.newcombe[2]!);
      const f = value(c.fisher);
      close(f.pValue, r.fisherP);
      // fisher.test's own estimate and limits are uniroot's at its default tolerance (≈ 1.2e-4 on
      // its (0, 1) scale): 1e-3 relative; the same equations solved at tol = 1e-15 in R: 1e-9.
      close(f.oddsRatio, r.fisherOr, 1e-3);
      close(f.ciLower, r.fisherCi[0]!, 1e-3);
      close(f.ciUpper, r.fisherCi[1]!, 1e-3);
      close(f.oddsRatio, r.fisherPrecise.estimate);
      close(f.ciLower, r.fisherPrecise.conf[0]!);
      close(f.ciUpper, r.fisherPrecise.conf[1]!);
      const x2 = value(c.chiSquare);
      close(x2.statistic, r.chisq, r.chisq < 1e-20 ? 1 : 1e-9);
      close(x2.pValue, r.chisqP);
      expect(x2.warnings.map((w) => w.message)).toEqual(r.chisqWarnings);
    }
  });

  it('SLEDAI-2K change from baseline between arms: Welch t (difference of mean change, CI) and rank-sum — as R', () => {
    const m = byArm.measures.find((x) => x.key === 'sledai')!;
    expect(m.timepoints.map((t) => t.timepoint)).toEqual(['M1', 'M3', 'M6', 'M9', 'M12']);
    m.timepoints.forEach((t, i) => {
      const r = R.sledai[i]!;
      const w = value(t.welch);
      expect(w.n).toEqual(r.n);
      close(w.t, r.t);
      close(w.df, r.df);
      close(w.pValue, r.p);
      close(w.estimate, r.estimate);
      close(w.ciLower, r.ci[0]!);
      close(w.ciUpper, r.ci[1]!);
      const rs = value(t.rankSum);
      close(rs.statistic, r.W);
      close(rs.pValue, r.wP);
      expect(rs.warnings.map((x) => x.message)).toEqual(r.wWarnings);
    });
    // R's ties warning surfaces once per measure, naming its timepoints.
    expect(byArm.warnings).toContain(
      'SLEDAI-2K (M1, M3, M6, M9, M12), rank-sum test: cannot compute exact p-value with ties',
    );
  });

  it('survival by arm: log-rank and Cox HR (msct : control) — as R; an arm without deaths is flagged', () => {
    const os = value(byArm.survival.overall.comparison);
    close(os.logRank.chiSquare, R.osLogRank.chisq);
    close(os.logRank.pValue, R.osLogRank.p);
    expect(
      byArm.warnings.some((w) => w.startsWith('Overall survival, Cox model: no event in Standard care')),
    ).toBe(true);
    const rfs = value(byArm.survival.relapseFree.comparison);
    close(rfs.logRank.chiSquare, R.rfsLogRank.chisq);
    close(rfs.logRank.pValue, R.rfsLogRank.p);
    close(rfs.cox.coefficient, R.rfsCox.coef);
    close(rfs.cox.se, R.rfsCox.se);
    close(rfs.cox.hazardRatio, R.rfsCox.hr);
    close(rfs.cox.lower, R.rfsCox.lower);
    close(rfs.cox.upper, R.rfsCox.upper);
    close(rfs.cox.pValue, R.rfsCox.p);
    expect(byArm.survival.overall.curves.map((c) => c.label)).toEqual(['Repeat MSCT', 'Standard care']);
    expect(byArm.survival.overall.curves.every((c) => c.fit.ok)).toBe(true);
  });

  it('a study without arms gains no byArm key; the pooled results do not depend on the arms', () => {
    const pooled = analyzeTrial(dataset);
    expect('byArm' in pooled).toBe(false);
    const { byArm: _b, ...rest } = results;
    expect(rest).toEqual(pooled);
  });

  it('three arms: flows and tables by arm, no two-arm comparison (and a note saying so)', () => {
    const d = twoArmDemoDataset();
    d.subjects.forEach((s, i) => {
      if (i % 5 === 0) s.arm = 'third';
    });
    const three = analyzeTrial(d, { arms: [...TWO_ARM_DEMO_ARMS, { id: 'third', label: 'Third' }] }).byArm!;
    expect(three.comparison).toBeNull();
    expect(three.response.comparisons).toEqual([]);
    expect(three.survival.overall.comparison).toBeNull();
    expect(three.consort.arms.map((a) => a.allocated).reduce((s, n) => s + n, 0)).toBe(
      three.consort.randomised,
    );
    expect(three.notes).toContain('The study has 3 arms: the two-arm comparisons are not computed.');
  });
});
