/**
 * The typed results of a randomised study's analysis by arm (issue 24 "Two-arm analysis"): plain,
 * JSON-serialisable data beside the single-arm results (AnalysisResults.byArm). Comparisons are the
 * first arm of the definition against the second (R's x − y, and the Cox hazard ratio of the first
 * arm against the second as reference).
 */
import type {
  DescriptiveSummary,
  FisherExactOddsRatio,
  ProportionTest,
  RiskDifference,
  StatResult,
  TTest,
  TwoArmSurvival,
  WilcoxonRankSum,
} from '../stats/index.js';
import type { ResponseTable, SurvivalCurve } from './types.js';

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
