// @msct/core/protocol: the trial as data (study definition, eligibility, visit schedule, infusion plan).
export * from './amendment-report.js';
export * from './cross-checks.js';
export * from './definition-problem-path.js';
export * from './definition-schema.js';
export * from './edit-checks.js';
export * from './eligibility.js';
export * from './entry-rules.js';
export * from './infusion.js';
export * from './iso-date.js';
export * from './msct-sle-eligibility.js';
export * from './msct-sle-trial.js';
export * from './randomisation-plan.js';
export * from './sdv-plan.js';
export * from './stored-definition.js';
export * from './study-definition.js';
export * from './validate-definition.js';
export * from './visit-schedule.js';
