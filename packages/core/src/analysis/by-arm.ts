/**
 * The analysis of a randomised study by arm (issue 24 "Two-arm analysis"; analysis-plan.md
 * populations, endpoints and methods applied within each arm, then between the arms):
 * - CONSORT flow (CONSORT 2010 statement, Schulz et al., BMJ 2010;340:c332, item 13a): screened,
 *   randomised, allocated, received the infusion, lost (withdrawn or lost to follow-up), analysed;
 * - baseline characteristics by arm (descriptive, R mean/sd/quantile type 7);
 * - best response (MCR/PCR/NR, non-responder imputation as the single-arm plan) by arm; responders and
 *   MCR first arm against second: risk difference with Newcombe's hybrid score CI (Stat Med
 *   1998;17:873–890, method 10), Fisher's exact test with the conditional MLE odds ratio and CI (R
 *   fisher.test), χ² with Yates' correction (R prop.test) whose small-expected-count warning is kept;
 * - change from baseline of each measure, between the arms at each follow-up timepoint: Welch's t
 *   (R t.test(x, y)) whose estimate and CI are the difference of mean change (the effect size), and
 *   the Wilcoxon rank-sum test (R wilcox.test(x, y));
 * - overall survival and relapse-free survival by arm: Kaplan–Meier per arm, log-rank between the
 *   arms (R survdiff) and Cox with arm as covariate (R coxph, Efron ties), hazard ratio first : second.
 * The arm of each subject is its randomisation assignment (SubjectRecord.subject.arm); subjects not
 * randomised are counted in the flow and left out of every comparison.
 */
import {
  compareArmsSurvival,
  describe,
  fisherExactTest,
  riskDifference,
  type StatWarning,
  twoProportionTest,
  twoSampleTTest,
  wilcoxonRankSum,
} from '../stats/index.js';
import { MEASURES } from './measures.js';
import { responseTable } from './response.js';
import type { SubjectRecord } from './subject-record.js';
import { overallSurvivalOf, relapseFreeOf, survivalCurve, type Tte } from './survival.js';
import type {
  ArmChangeComparison,
  ArmMeasure,
  ArmRef,
  ArmResults,
  ArmSurvival,
  BaselineRow,
  ProportionComparison,
} from './types.js';

export interface ByArmOptions {
  timepoints: readonly string[];
  horizonDay: number;
  reportingDays: readonly number[];
  confLevel: number;
  measureKeys?: readonly string[];
}

function compareProportions(
  label: string,
  x: [number, number],
  n: [number, number],
  confLevel: number,
): ProportionComparison {
  // Rows: arms; columns: event, no event (R: fisher.test(matrix(c(x1, n1 - x1, x2, n2 - x2), 2, byrow = TRUE))).
  const table = [
    [x[0], n[0] - x[0]],
    [x[1], n[1] - x[1]],
  ];
  return {
    label,
    x,
    n,
    riskDifference: riskDifference(x[0], n[0], x[1], n[1], { confLevel }),
    fisher: fisherExactTest(table, { confLevel }),
    chiSquare: twoProportionTest(x[0], n[0], x[1], n[1], { confLevel }),
  };
}

function changesOf(
  group: readonly SubjectRecord[],
  read: (r: SubjectRecord, t: string) => number | null,
  baseline: string,
  t: string,
): number[] {
  const out: number[] = [];
  for (const r of group) {
    const b = read(r, baseline);
    const v = read(r, t);
    if (b !== null && v !== null) out.push(v - b);
  }
  return out;
}

export function analyseByArm(
  records: readonly SubjectRecord[],
  arms: readonly ArmRef[],
  o: ByArmOptions,
): ArmResults {
  // ICH E9 §5.2.1 (full analysis set, intention-to-treat principle): subjects are analysed in the
  // arm they were randomised to. A correction of an assignment (store migration 016) is a record
  // beside it and never moves the subject; DatasetSubject.arm is the assignment as randomised.
  const notes: string[] = [
    'Arms are as randomised (intention to treat, ICH E9 §5.2.1): a corrected assignment does not move a subject to another arm in this analysis.',
  ];
  const warnings: string[] = [];
  const known = new Set(arms.map((a) => a.id));
  const randomised = records.filter((r) => r.subject.arm !== undefined);
  for (const r of randomised)
    if (!known.has(r.subject.arm!))
      notes.push(
        `${r.subject.subjectCode}: randomised to arm '${r.subject.arm}', which the definition does not name.`,
      );
  const allocated = arms.map((a) => randomised.filter((r) => r.subject.arm === a.id));
  const analysed = allocated.map((g) => g.filter((r) => r.enrolled));
  allocated.forEach((g, i) => {
    for (const r of g)
      if (!r.enrolled)
        notes.push(`${r.subject.subjectCode} (${arms[i]!.label}): randomised but not analysed (no day 0).`);
  });
  const two = arms.length === 2;
  if (!two) notes.push(`The study has ${arms.length} arms: the two-arm comparisons are not computed.`);
  const warn = (where: string, ws: readonly StatWarning[] | undefined) => {
    for (const w of ws ?? []) warnings.push(`${where}: ${w.message}`);
  };

  // Baseline characteristics of the analysed subjects.
  const baseline: BaselineRow[] = [];
  const summaryRow = (label: string, unit: string, read: (r: SubjectRecord) => number | null) => {
    baseline.push({
      label,
      unit,
      kind: 'summary',
      summaries: analysed.map((g) =>
        describe(g.map(read).filter((v): v is number => v !== null && Number.isFinite(v))),
      ),
    });
  };
  summaryRow('Age', 'years', (r) => r.age);
  summaryRow('Disease duration', 'months', (r) => r.diseaseDurationMonths);
  baseline.push({
    label: 'Female',
    unit: '',
    kind: 'count',
    counts: analysed.map((g) => {
      const known = g.filter((r) => r.subject.sex !== null);
      // Subjects' sex is stored as 'female' / 'male' (the API's enum); 'F' as ODM/CDISC code it.
      return { x: known.filter((r) => /^(f|female)$/i.test(r.subject.sex ?? '')).length, n: known.length };
    }),
  });
  baseline.push({
    label: 'Lupus nephritis',
    unit: '',
    kind: 'count',
    counts: analysed.map((g) => {
      const known = g.filter((r) => r.lupusNephritis !== null);
      return { x: known.filter((r) => r.lupusNephritis).length, n: known.length };
    }),
  });
  const measures = MEASURES.filter((m) => !o.measureKeys || o.measureKeys.includes(m.key));
  const baselineCode = o.timepoints[0]!;
  const readAt = (m: (typeof MEASURES)[number]) => (r: SubjectRecord, t: string) => {
    const dv = r.byVisit.get(t);
    return dv ? (m.read(dv.scores) ?? null) : null;
  };
  for (const m of measures)
    if (m.population === 'enrolled') summaryRow(m.label, m.unit, (r) => readAt(m)(r, baselineCode));

  // Best response by arm and between arms.
  const byArm = analysed.map((g, i) => responseTable(arms[i]!.label, g, o.confLevel));
  const comparisons: ProportionComparison[] = [];
  if (two) {
    const n: [number, number] = [byArm[0]!.n, byArm[1]!.n];
    for (const [label, x] of [
      ['Responders (MCR or PCR)', [byArm[0]!.responders.x, byArm[1]!.responders.x]],
      ['MCR', [byArm[0]!.MCR.x, byArm[1]!.MCR.x]],
    ] as const) {
      const c = compareProportions(label, [x[0], x[1]], n, o.confLevel);
      if (c.chiSquare.ok) warn(`${label}, χ² test`, c.chiSquare.value.warnings);
      comparisons.push(c);
    }
  }

  // Change from baseline between the arms.
  const armMeasures: ArmMeasure[] = measures.map((m) => {
    const groups = analysed.map((g) =>
      m.population === 'LN' ? g.filter((r) => r.lupusNephritis === true) : g,
    );
    const read = readAt(m);
    // R's warnings of the rank-sum tests, once per message with the timepoints it concerns.
    const rankSumWarnings = new Map<string, string[]>();
    const timepoints: ArmChangeComparison[] = o.timepoints.slice(1).map((t) => {
      const changes = groups.map((g) => changesOf(g, read, baselineCode, t));
      const comparable = two && changes[0]!.length > 0 && changes[1]!.length > 0;
      const rankSum = comparable ? wilcoxonRankSum(changes[0]!, changes[1]!) : null;
      for (const w of rankSum?.ok ? rankSum.value.warnings : [])
        rankSumWarnings.set(w.message, [...(rankSumWarnings.get(w.message) ?? []), t]);
      return {
        timepoint: t,
        change: changes.map((c) => describe(c)),
        welch: comparable ? twoSampleTTest(changes[0]!, changes[1]!, { confLevel: o.confLevel }) : null,
        rankSum,
      };
    });
    for (const [message, at] of rankSumWarnings)
      warnings.push(`${m.label} (${at.join(', ')}), rank-sum test: ${message}`);
    return {
      key: m.key,
      planId: m.planId,
      label: m.label,
      unit: m.unit,
      population: m.population,
      timepoints,
    };
  });

  // Time to event by arm.
  const survival = (
    label: string,
    tte: (r: SubjectRecord) => Tte | null,
    days: readonly number[],
  ): ArmSurvival => {
    const data = analysed.map((g) => g.map(tte));
    const curves = data.map((d, i) =>
      survivalCurve(
        arms[i]!.label,
        d.filter((x): x is Tte => x !== null),
        days,
        o.confLevel,
      ),
    );
    let comparison: ArmSurvival['comparison'] = null;
    if (two) {
      const time: number[] = [];
      const event: boolean[] = [];
      const arm: string[] = [];
      data.forEach((d, i) => {
        for (const x of d)
          if (x) {
            time.push(x.time);
            event.push(x.event);
            arm.push(arms[i]!.id);
          }
      });
      comparison = compareArmsSurvival(time, event, arm, { reference: arms[1]!.id, confLevel: o.confLevel });
      // An arm without events: the partial likelihood is monotone and the hazard ratio has no finite
      // estimate (R's coxph warns "coefficient may be infinite"); the log-rank test stays valid.
      const eventless = arms.filter((_, i) => data[i]!.every((x) => !x?.event));
      if (comparison.ok && eventless.length > 0)
        warnings.push(
          `${label}, Cox model: no event in ${eventless.map((a) => a.label).join(' and ')} — the hazard ratio is not estimable (R: coefficient may be infinite); read the log-rank test.`,
        );
    }
    return { label, curves, comparison };
  };

  return {
    arms: arms.map((a) => ({ id: a.id, label: a.label })),
    comparison: two ? { experimental: arms[0]!.id, reference: arms[1]!.id } : null,
    consort: {
      screened: records.length,
      randomised: randomised.length,
      notRandomised: records.length - randomised.length,
      arms: arms.map((a, i) => ({
        arm: a.id,
        label: a.label,
        allocated: allocated[i]!.length,
        receivedInfusion: allocated[i]!.filter((r) => r.subject.infusions.some((f) => f.status === 'given'))
          .length,
        lost: allocated[i]!.filter((r) => r.derivation.history?.withdrawal !== undefined).length,
        analysed: analysed[i]!.length,
        excluded: allocated[i]!.length - analysed[i]!.length,
      })),
    },
    baseline,
    response: { byArm, comparisons },
    measures: armMeasures,
    survival: {
      overall: survival('Overall survival', (r) => overallSurvivalOf(r, o.horizonDay), o.reportingDays),
      relapseFree: survival(
        'Relapse-free survival among responders (from first response)',
        relapseFreeOf,
        o.reportingDays.filter((d) => d <= o.horizonDay - 182),
      ),
    },
    warnings,
    notes,
  };
}
