// @msct/core/randomisation — concealed, reproducible allocation (issue 24); see README.md.

export { type AssignedSubject, type BalanceReport, type BalanceRow, balanceReport } from './balance.js';
export { chacha20Block, chacha20Stream, type RandomStream } from './chacha20.js';
export {
  type Arm,
  type FactorLevels,
  parseSeed,
  type Seed,
  type StratificationFactor,
  streamFor,
} from './design.js';
export {
  type MinimisationDecision,
  type MinimisationDesign,
  type MinimisationFactor,
  minimisationImbalance,
  minimise,
  minimiseAll,
  type RandomisedSubject,
} from './minimisation.js';
export {
  type AllocationEntry,
  type AllocationList,
  generateAllocationList,
  nextAllocation,
  type PermutedBlockDesign,
  type Stratum,
  type StratumList,
  strataOf,
  stratumOf,
} from './permuted-blocks.js';
export type { RandomisationIssue, RandomisationIssueCode, RandomisationResult } from './result.js';
export { sha256, toHex } from './sha256.js';
