// @msct/core/dataset: the trial's raw data as one value, and the per-subject derivation to endpoint input.

export * from './adverse-event-dates.js';
export * from './patient-history.js';
export * from './previous-assessment.js';
export * from './subject-endpoints.js';
export * from './trial-dataset.js';
