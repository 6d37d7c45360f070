// @msct/core/stats — statistics checked against R on committed fixtures (see README.md).

export { type BinomialTest, type BinomialTestOptions, binomialTest } from './binomial-test.js';
export { type ChiSquareTest, chiSquareTest } from './chi-square-test.js';
export { type CoxCoefficient, type CoxModel, type CoxOptions, type CoxTest, coxPH } from './cox.js';
export { type DescriptiveSummary, describe, mean, quantileType7, sampleVariance } from './descriptive.js';
export { betaQuantile, incompleteBeta } from './distributions/beta.js';
export { binomialCdf, binomialPmf } from './distributions/binomial.js';
export { chiSquareCdf, chiSquareUpperTail } from './distributions/chi-square.js';
export { incompleteGamma, logBeta, logChoose, logGamma, type Tails } from './distributions/gamma.js';
export { normalCdf, normalQuantile } from './distributions/normal.js';
export { studentTCdf, studentTQuantile, studentTTwoSided } from './distributions/student-t.js';
export {
  type FisherExactOddsRatio,
  type FisherExactTest,
  fisherExact2x2,
  fisherExactTest,
} from './fisher.js';
export { type FriedmanTest, friedmanTest } from './friedman.js';
export {
  type KaplanMeierFit,
  type KaplanMeierOptions,
  kaplanMeier,
  type SurvivalAtTime,
  type SurvivalConfType,
  type SurvivalQuantile,
  survivalAt,
  survivalQuantile,
} from './kaplan-meier.js';
export { cholesky, invertSymmetric, solveLinear } from './linear-algebra.js';
export { type GroupLabel, type LogRankGroup, type LogRankTest, logRankTest } from './log-rank.js';
export { type McNemarTest, mcnemarTest } from './mcnemar.js';
export { adjustPValues, type PAdjustMethod } from './p-adjust.js';
export { type PairedTTest, pairedTTest } from './paired-t.js';
export { type CompletePairs, completePairs } from './pairs.js';
export {
  oneProportionTest,
  type ProportionTest,
  type ProportionTestOptions,
  twoProportionTest,
} from './prop-test.js';
export {
  clopperPearsonInterval,
  type ProportionInterval,
  type WilsonOptions,
  wilsonInterval,
} from './proportion.js';
export {
  rankSumCdf,
  rankSumCounts,
  type WilcoxonRankSum,
  type WilcoxonRankSumOptions,
  wilcoxonRankSum,
} from './rank-sum.js';
export { averageRanks, type Ranked } from './ranks.js';
export {
  type Alternative,
  fail,
  ok,
  SMALL_EXPECTED_WARNING,
  type StatIssue,
  type StatIssueCode,
  type StatResult,
  type StatWarning,
  type StatWarningCode,
} from './result.js';
export { type RiskDifference, riskDifference } from './risk-difference.js';
export {
  oneSampleTTest,
  type TTest,
  type TTestOptions,
  type TwoSampleTTestOptions,
  twoSampleTTest,
} from './t-test.js';
export { compareArmsSurvival, type TwoArmSurvival } from './two-arm-survival.js';
export { signedRankCdf, signedRankCounts, type WilcoxonSignedRank, wilcoxonSignedRank } from './wilcoxon.js';
