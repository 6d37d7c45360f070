/**
 * The typed results of the analysis plan (shared/protocol/analysis-plan.md R1–R12): plain,
 * JSON-serialisable data, so the report, the API and the CSV export read the same numbers.
 * Statistics keep the `StatResult` convention of @msct/core/stats: a test that R would refuse
 * (too few pairs, all differences zero, …) is `{ ok: false, issue }`, never NaN.
 */
import type { ResponseOutcome } from '../endpoints/adjudicate.js';
import type {
  CoxModel,
  DescriptiveSummary,
  FisherExactOddsRatio,
  FriedmanTest,
  KaplanMeierFit,
  LogRankTest,
  PairedTTest,
  ProportionInterval,
  ProportionTest,
  RiskDifference,
  StatResult,
  SurvivalAtTime,
  TTest,
  TwoArmSurvival,
  WilcoxonRankSum,
  WilcoxonSignedRank,
} from '../stats/index.js';

/** A count over a denominator with exact (Clopper–Pearson) and Wilson 95% CIs (plan "Methods"). */
export interface Proportion {
  x: number;
  n: number;
  /** x / n, or null when n = 0. */
  estimate: number | null;
  clopperPearson: StatResult<ProportionInterval>;
  wilson: StatResult<ProportionInterval>;
}

/** One timepoint of a change-from-baseline analysis (plan R5–R11). */
export interface TimepointComparison {
  timepoint: string;
  /** Summary of every available value at this timepoint. */
  summary: StatResult<DescriptiveSummary>;
  /** Patients with both a baseline and this timepoint (the "available pairs" rule). */
  pairs: number;
  /** Summary of (timepoint − baseline) over the pairs. Null at baseline. */
  change: StatResult<DescriptiveSummary> | null;
  tTest: StatResult<PairedTTest> | null;
  wilcoxon: StatResult<WilcoxonSignedRank> | null;
  /** Holm-adjusted across this measure's follow-up timepoints (sensitivity column, plan R5). */
  tTestHolm: number | null;
  wilcoxonHolm: number | null;
  /** p of the primary test (MeasureAnalysis.primaryTest), unadjusted; null when not computable. */
  primaryP: number | null;
}

export type PairedTestName = 'paired-t' | 'wilcoxon';

export interface MeasureAnalysis {
  /** Stable key, e.g. 'sledai', 'bilag.renal', 'ln.proteinuria', 'ln-no-relapse.creatinine'. */
  key: string;
  /** Plan line, e.g. 'R5'. */
  planId: string;
  label: string;
  unit: string;
  population: 'enrolled' | 'LN' | 'LN without relapse';
  /** Patients in that population. */
  populationN: number;
  primaryTest: PairedTestName;
  /** Baseline first, then each follow-up timepoint. */
  timepoints: TimepointComparison[];
  /** Friedman test across all timepoints, complete cases only (sensitivity, plan "Methods"). */
  friedman: StatResult<FriedmanTest> & { completeCases: number };
}

export interface CountRow {
  label: string;
  events: number;
  patients: number;
}

export interface DeathRecord {
  subject: string;
  site: string;
  studyDay: number;
  date: string;
  cause: string | null;
}

/** An adverse event the safety tables leave out, and why (issue #18 item 8: none is dropped silently). */
export interface ExcludedAdverseEvent {
  subject: string;
  site: string;
  term: string;
  onsetDate: string;
  studyDay: number | null;
  /** 'not_enrolled', 'no_day0', 'before_day0', 'after_follow_up', or an AE date rule (adverse-event-dates.ts). */
  rule: string;
  reason: string;
}

export interface SafetyResults {
  /** R2: adverse events from day 0 to the end of follow-up. */
  adverseEvents: {
    total: number;
    patientsWithAny: Proportion;
    /** Number of AEs left out (= excluded.length). */
    excludedOutsideWindow: number;
    excluded: ExcludedAdverseEvent[];
    byTerm: CountRow[];
    byGrade: CountRow[];
    bySeriousness: CountRow[];
    byRelatedness: CountRow[];
    /** Possible, probable or definite (endpoints.md "Safety"). */
    transplantationRelated: Proportion;
    serious: Proportion;
  };
  infusions: { given: number; patients: number; withReaction: number; reactions: CountRow[] };
  deaths: DeathRecord[];
  /** R1: alive at the horizon / enrolled, exact CI. */
  aliveAtHorizon: Proportion;
  /** Patients lost or withdrawn alive before the horizon (vital status unknown at it). */
  vitalStatusUnknown: number;
  horizonDay: number;
}

export interface ResponseTable {
  group: string;
  n: number;
  MCR: Proportion;
  PCR: Proportion;
  NR: Proportion;
  responders: Proportion;
  pending: number;
}

export interface ResponseResults {
  overall: ResponseTable;
  bySite: ResponseTable[];
  /** First-response month (6, 9, 12) among responders. */
  firstResponseMonth: { month: number; count: number }[];
  /** NR by imputation, by reason (the NRI rule made visible). */
  imputed: CountRow[];
}

export interface RelapseResults {
  responders: number;
  /** New relapses first detected at each visit, and cumulative, among responders (plan R4). */
  byVisit: { visit: string; newRelapses: number; cumulative: Proportion }[];
  total: Proportion;
  /** R12: re-treatment triggers among responders. */
  retreatment: {
    flagged: Proportion;
    byVisit: { visit: string; count: number }[];
    patients: { subject: string; visit: string; studyDay: number; rule: string }[];
  };
}

export interface SurvivalCurve {
  label: string;
  fit: StatResult<KaplanMeierFit>;
  /** S(t) at the reporting times (number-at-risk table). */
  at: StatResult<SurvivalAtTime[]>;
}

export interface SurvivalResults {
  overall: SurvivalCurve;
  /** Relapse-free survival among responders, from first response (plan R4). */
  relapseFree: SurvivalCurve;
  timeToFirstResponse: SurvivalCurve;
  /** Log-rank, LN vs non-LN (plan "Time to event"). */
  logRankResponseLn: StatResult<LogRankTest>;
  logRankSurvivalLn: StatResult<LogRankTest>;
  /** Exploratory Cox model of time to first response (plan "Time to event"). */
  coxResponse: StatResult<CoxModel> & { covariates: string[]; n: number; excluded: number };
}

export interface PatientListingRow {
  subjectId: string;
  subject: string;
  site: string;
  lupusNephritis: boolean | null;
  age: number | null;
  diseaseDurationMonths: number | null;
  baselineSledai: number | null;
  baselineBilag: number | null;
  bestResponse: ResponseOutcome;
  label: string;
  firstResponseMonth: number | null;
  firstResponseDay: number | null;
  relapseVisit: string | null;
  relapseDay: number | null;
  /** Month at which response criteria were met again after the relapse (endpoints.md Clarification 3). */
  reResponseMonth: number | null;
  retreatmentVisit: string | null;
  deathDay: number | null;
  deathCause: string | null;
  lastContactDay: number | null;
  infusionDays: number[];
  /** SLEDAI-2K per timepoint (spaghetti plot). */
  sledai: Record<string, number | null>;
  imputation: string | null;
  summary: string;
  problems: string[];
}

export interface AnalysisDefinitions {
  ruleSet: { id: string; version: string; title: string };
  bilagVersion: string;
  timepoints: string[];
  horizonDay: number;
  primaryPairedTest: PairedTestName;
  alpha: number;
  confLevel: number;
  missingData: string[];
  methods: string[];
}

/**
 * The software that computed the results, exactly (issue #18 item 11): version, git commit when the
 * code runs from a git checkout, and always a SHA-256 of the code's content (so a build without git,
 * or with uncommitted changes, is still identified). Set by the edge that runs the analysis (server,
 * CLI): the core does no I/O.
 */
export interface SoftwareIdentity {
  name: 'msct';
  version: string;
  /** Full git commit hash, or null when git or the repository is unavailable. */
  commit: string | null;
  /** True when tracked files differ from `commit`; null when unknown. */
  uncommittedChanges: boolean | null;
  /** 'sha256:…' over the source files and lock file that run (see software-version.ts). */
  contentHash: string;
}

export interface AnalysisResults {
  study: { id: string; code: string; title: string };
  snapshot: { takenAt: string; hash: string };
  /** Beside the data snapshot: the software that computed everything below. */
  software?: SoftwareIdentity;
  definitions: AnalysisDefinitions;
  populations: { screened: number; enrolled: number; responders: number; lupusNephritis: number };
  safety: SafetyResults;
  response: ResponseResults;
  relapse: RelapseResults;
  survival: SurvivalResults;
  /** R5–R11, one entry per measure and population. */
  measures: MeasureAnalysis[];
  listing: PatientListingRow[];
  /** Subjects excluded from the enrolled population, and data problems met on the way. */
  notes: string[];
  /** The analysis by arm of a randomised study (issue 24); absent for a single-arm study. */
  byArm?: ArmResults;
}

// ---- A randomised study's analysis by arm (issue 24 "Two-arm analysis"), AnalysisResults.byArm ----
// Comparisons are the first arm of the definition against the second (R's x − y, and the Cox hazard
// ratio of the first arm with the second as reference).

export interface ArmRef {
  id: string;
  label: string;
}

/** One arm's boxes of the CONSORT flow diagram (CONSORT 2010, Schulz et al., BMJ 2010;340:c332). */
export interface ArmFlow {
  arm: string;
  label: string;
  /** Allocated (= randomised to this arm). */
  allocated: number;
  /** Received at least one infusion (status given). */
  receivedInfusion: number;
  /** Withdrawn or lost to follow-up (end-of-study form). */
  lost: number;
  /** Analysed: allocated and with a day 0 (analysis-plan.md "Populations"). */
  analysed: number;
  /** Allocated but not analysed (no day 0). */
  excluded: number;
}

export interface ConsortFlow {
  /** Every subject of the study. */
  screened: number;
  randomised: number;
  notRandomised: number;
  arms: ArmFlow[];
}

/** A baseline characteristic by arm: a summary of a number, or a count with its denominator. */
export interface BaselineRow {
  label: string;
  unit: string;
  kind: 'summary' | 'count';
  /** One entry per arm (summary rows). */
  summaries?: StatResult<DescriptiveSummary>[];
  /** One entry per arm (count rows): x of n recorded. */
  counts?: { x: number; n: number }[];
}

/** A binary endpoint between the two arms. */
export interface ProportionComparison {
  label: string;
  x: [number, number];
  n: [number, number];
  /** p1 − p2 with Newcombe's hybrid score CI (method 10). */
  riskDifference: StatResult<RiskDifference>;
  /** Fisher's exact test with the conditional MLE odds ratio and its CI (R fisher.test). */
  fisher: StatResult<FisherExactOddsRatio>;
  /** χ² test with Yates' correction (R prop.test); its warnings are surfaced in ArmResults.warnings. */
  chiSquare: StatResult<ProportionTest>;
}

/** Change from baseline at one follow-up timepoint, compared between the arms. */
export interface ArmChangeComparison {
  timepoint: string;
  /** Summary of the change (timepoint − baseline) in each arm, over its available pairs. */
  change: StatResult<DescriptiveSummary>[];
  /** Welch's t on the changes: the estimate and CI are the difference of mean change (the effect size). */
  welch: StatResult<TTest> | null;
  /** Wilcoxon rank-sum on the changes (R wilcox.test(x, y)). */
  rankSum: StatResult<WilcoxonRankSum> | null;
}

export interface ArmMeasure {
  key: string;
  planId: string;
  label: string;
  unit: string;
  population: 'enrolled' | 'LN';
  timepoints: ArmChangeComparison[];
}

export interface ArmSurvival {
  label: string;
  /** One Kaplan–Meier curve per arm. */
  curves: SurvivalCurve[];
  /** Log-rank between the arms and Cox with arm as covariate; null without two arms. */
  comparison: StatResult<TwoArmSurvival> | null;
}

export interface ArmResults {
  arms: ArmRef[];
  /** [first, second] arm ids of every two-arm comparison; null when the study has not exactly two arms. */
  comparison: { experimental: string; reference: string } | null;
  consort: ConsortFlow;
  baseline: BaselineRow[];
  response: {
    byArm: ResponseTable[];
    /** Responders (MCR or PCR) and MCR, first arm against second; empty without two arms. */
    comparisons: ProportionComparison[];
  };
  measures: ArmMeasure[];
  survival: { overall: ArmSurvival; relapseFree: ArmSurvival };
  /** Caveats of the tests (R's warnings: "Chi-squared approximation may be incorrect", ties), each saying where. */
  warnings: string[];
  notes: string[];
}
