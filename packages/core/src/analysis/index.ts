// @msct/core/analysis: the analysis plan (analysis-plan.md R1–R12) — dataset in, typed results out.
export * from './analyze-trial.js';
export * from './by-arm.js';
export * from './change-from-baseline.js';
export * from './measures.js';
export * from './proportion.js';
export {
  compactRecord,
  type SubjectRecord,
  type SubjectRecordOptions,
  subjectRecord,
  subjectRecordFrom,
} from './subject-record.js';
export * from './types.js';
