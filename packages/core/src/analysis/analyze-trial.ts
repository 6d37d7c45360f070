/**
 * The analysis plan (shared/protocol/analysis-plan.md) as one pure function: TrialDataset in,
 * AnalysisResults out. Each subject is derived once (deriveSubject → adjudicate →
 * deriveTimeToEvent); every table below reads those derivations, never a typed-in number.
 */

import type { TrialDataset } from '../dataset/trial-dataset.js';
import { type EndpointRuleSet, msctSleBilag2014 } from '../endpoints/rule-set.js';
import type { RetreatmentRuleParameters } from '../protocol/study-definition.js';
import { analyseByArm } from './by-arm.js';
import { compareWithBaseline } from './change-from-baseline.js';
import { listingRow } from './listing.js';
import { MEASURES, type MeasureDefinition } from './measures.js';
import { analyseRelapse } from './relapse.js';
import { analyseResponse, isResponder } from './response.js';
import { analyseSafety } from './safety.js';
import { type SubjectRecord, type SubjectRecordOptions, subjectRecord } from './subject-record.js';
import { analyseSurvival } from './survival.js';
import type { AnalysisResults, MeasureAnalysis, PairedTestName } from './types.js';

export interface AnalyzeOptions {
  /** Endpoint rule set (default: the built-in trial's msct-sle-bilag-2014). */
  ruleSet?: EndpointRuleSet;
  /** The study definition's re-treatment rule, when it overrides the rule set's. */
  retreatment?: RetreatmentRuleParameters;
  bilagVersion?: string;
  /** Primary paired test (analysis-plan.md R5 asks to flag it); default the paired t-test. */
  primaryPairedTest?: PairedTestName;
  confLevel?: number;
  /** Two-sided significance level (analysis-plan.md "Methods": α = 0.05). */
  alpha?: number;
  /** SLEDAI-2K look-back window of the study definition (10 or 30 days). */
  sledaiWindowDays?: 10 | 30;
  /** Baseline then follow-up visit codes (analysis-plan.md "Timepoints"). */
  timepoints?: readonly string[];
  /** Relapse visits in order (the response assessments of the rule set, plus unscheduled). */
  reportingDays?: readonly number[];
  /**
   * The measures (MEASURES keys) the study definition's `analysisMeasures` names; absent: every
   * measure of the plan.
   */
  measureKeys?: readonly string[];
  /** The study definition's arms (issue 24): when present, the results gain `byArm`. */
  arms?: readonly { id: string; label: string }[];
}

/** analysis-plan.md: "baseline (day 0, before the first infusion), months 1, 3, 6, 9, 12". */
export const DEFAULT_TIMEPOINTS = ['D0', 'M1', 'M3', 'M6', 'M9', 'M12'] as const;
/**
 * The analysis timepoints of a study defined as data (issue #20: "analyse the measures its definition
 * names" at its own schedule): its baseline visit, then its assessment visits that carry a month, in
 * schedule order — the analysis plan's "baseline (day 0), months 1, 3, 6, 9, 12" read from the
 * definition (the built-in trial's schedule gives DEFAULT_TIMEPOINTS). Undefined when the schedule
 * has no baseline or no such assessment (then the plan's defaults apply).
 */
export function analysisTimepointsOf(
  visits: readonly { code: string; kind: string; month?: number | undefined }[],
): string[] | undefined {
  const baseline = visits.find((v) => v.kind === 'baseline');
  const followUp = visits.filter((v) => v.kind === 'assessment' && v.month !== undefined);
  return baseline && followUp.length > 0 ? [baseline.code, ...followUp.map((v) => v.code)] : undefined;
}

/** trial.md "Schedule" target days of months 1, 3, 6, 9, 12. */
export const DEFAULT_REPORTING_DAYS = [30, 91, 182, 273, 365] as const;

export const MISSING_DATA_RULES = [
  'Response (R3): non-responder imputation — patients who died, withdrew, started re-treatment or lack a response assessment are counted as NR over the enrolled denominator (analysis-plan.md "Missing data"; endpoints.md "No response").',
  'Paired comparisons (R5–R11): available pairs — each timepoint uses the patients with both a baseline and that timepoint value; n is stated at every timepoint. No imputation.',
  'Friedman sensitivity test: complete cases across all timepoints.',
  'Overall survival: censored at last contact (or at the horizon); relapse-free survival censored at the last assessment of follow-up.',
  'Cox model: complete cases for the covariates (subjects missing age, disease duration or baseline SLEDAI-2K are left out; the count is shown).',
];

/** How each subject is derived for the analysis (the same for every subject of a run). */
export function subjectRecordOptionsOf(options: AnalyzeOptions = {}): SubjectRecordOptions {
  const ruleSet = options.ruleSet ?? msctSleBilag2014;
  return {
    ruleSet,
    ...(options.retreatment ? { retreatment: options.retreatment } : {}),
    horizonDay: ruleSet.endOfFollowUp.latestDay,
    ...(options.sledaiWindowDays ? { sledaiWindowDays: options.sledaiWindowDays } : {}),
  };
}

export function analyzeTrial(dataset: TrialDataset, options: AnalyzeOptions = {}): AnalysisResults {
  const recordOptions = subjectRecordOptionsOf(options);
  return analyzeRecords(
    dataset,
    dataset.subjects.map((s) => subjectRecord(s, recordOptions)),
    options,
  );
}

/** What the analysis needs besides the subjects' records. */
export interface AnalysisFrame {
  study: TrialDataset['study'];
  sites: TrialDataset['sites'];
  snapshot: TrialDataset['snapshot'];
}

/**
 * The analysis plan over subjects already derived (subjectRecord with subjectRecordOptionsOf the
 * same options, compacted or not), in subject order: a caller can derive subject by subject from a
 * stream and keep only the records (issue 16).
 */
export function analyzeRecords(
  dataset: AnalysisFrame,
  records: readonly SubjectRecord[],
  options: AnalyzeOptions = {},
): AnalysisResults {
  const ruleSet = options.ruleSet ?? msctSleBilag2014;
  const confLevel = options.confLevel ?? 0.95;
  const timepoints = [...(options.timepoints ?? DEFAULT_TIMEPOINTS)];
  const primary = options.primaryPairedTest ?? 'paired-t';
  const horizonDay = ruleSet.endOfFollowUp.latestDay;
  const notes: string[] = [];

  const enrolled = records.filter((r) => r.enrolled);
  for (const r of records)
    if (!r.enrolled) notes.push(`${r.subject.subjectCode}: not enrolled (no first infusion recorded).`);
  for (const r of enrolled) {
    if (!r.adjudication)
      notes.push(`${r.subject.subjectCode}: counted NR by imputation — ${r.derivation.problems.join('; ')}.`);
    if (r.lupusNephritis === null) notes.push(`${r.subject.subjectCode}: LN status not recorded.`);
  }
  const ln = enrolled.filter((r) => r.lupusNephritis === true);
  const lnNoRelapse = ln.filter((r) => !r.adjudication?.primary.relapse);

  const analyseMeasure = (
    m: MeasureDefinition,
    population: MeasureAnalysis['population'],
    group: readonly SubjectRecord[],
    key: string,
  ): MeasureAnalysis => {
    const values = timepoints.map((t) =>
      group.map((r) => {
        const dv = r.byVisit.get(t);
        return dv ? (m.read(dv.scores) ?? null) : null;
      }),
    );
    return {
      key,
      planId: m.planId,
      label: population === 'LN without relapse' ? `${m.label}, relapsed excluded` : m.label,
      unit: m.unit,
      population,
      populationN: group.length,
      ...compareWithBaseline({ timepoints, values }, primary),
    };
  };
  const measures: MeasureAnalysis[] = [];
  for (const m of MEASURES) {
    if (options.measureKeys && !options.measureKeys.includes(m.key)) continue;
    const group = m.population === 'LN' ? ln : enrolled;
    measures.push(analyseMeasure(m, m.population, group, m.key));
    if (m.alsoWithoutRelapse)
      measures.push(
        analyseMeasure(m, 'LN without relapse', lnNoRelapse, m.key.replace(/^ln\./, 'ln-no-relapse.')),
      );
  }

  const relapseVisits = ruleSet.responseVisits.map((v) => v.visitCode);
  const responders = enrolled.filter(isResponder);
  const reportingDays = options.reportingDays ?? DEFAULT_REPORTING_DAYS;
  const results: AnalysisResults = {
    study: { ...dataset.study },
    snapshot: { ...dataset.snapshot },
    definitions: {
      ruleSet: { id: ruleSet.id, version: ruleSet.version, title: ruleSet.title },
      bilagVersion: options.bilagVersion ?? 'classic',
      timepoints,
      horizonDay,
      primaryPairedTest: primary,
      alpha: options.alpha ?? 0.05,
      confLevel,
      missingData: MISSING_DATA_RULES,
      methods: [
        'Descriptive: n, mean, SD, SE, median, IQR (quantile type 7), min–max (R mean, sd, quantile).',
        'Proportions: exact Clopper–Pearson 95% CI (R binom.test) and Wilson score CI (R prop.test, correct = FALSE).',
        `Paired vs baseline: paired t-test (R t.test paired) and Wilcoxon signed-rank (R wilcox.test paired: exact when n < 50 without ties/zeros, else normal with continuity and tie correction); two-sided; primary: ${primary === 'paired-t' ? 'paired t-test' : 'Wilcoxon signed-rank'}. Holm adjustment across the follow-up timepoints of each measure (R p.adjust "holm") as sensitivity.`,
        'Repeated measures: Friedman test across all timepoints, complete cases (R friedman.test).',
        'Time to event: Kaplan–Meier with Greenwood variance and log-log CI (R survfit), log-rank LN vs non-LN (R survdiff), exploratory Cox model with Efron ties (R coxph).',
        'BILAG per-system numeric score: classic weights A = 9, B = 3, C = 1, D = E = 0; total = their sum.',
      ],
    },
    populations: {
      screened: records.length,
      enrolled: enrolled.length,
      responders: responders.length,
      lupusNephritis: ln.length,
    },
    safety: analyseSafety(records, horizonDay, dataset.snapshot.takenAt.slice(0, 10)),
    response: analyseResponse(enrolled, dataset.sites, confLevel),
    relapse: analyseRelapse(enrolled, relapseVisits, confLevel),
    survival: analyseSurvival(enrolled, {
      horizonDay,
      reportingDays,
      confLevel,
    }),
    measures,
    listing: enrolled.map((r) => listingRow(r, timepoints, horizonDay)),
    notes,
  };
  // Only a study whose definition has arms gains the key (a single-arm study's results are unchanged).
  if (options.arms?.length)
    results.byArm = analyseByArm(records, options.arms, {
      timepoints,
      horizonDay,
      reportingDays,
      confLevel,
      ...(options.measureKeys ? { measureKeys: options.measureKeys } : {}),
    });
  return results;
}
