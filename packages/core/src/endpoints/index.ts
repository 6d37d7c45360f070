// @msct/core/endpoints: MCR/PCR/NR, relapse, re-treatment flag and time-to-event data, each with a trace.
export * from './adjudicate.js';
export * from './assessment.js';
export * from './relapse.js';
export * from './response.js';
export * from './retreatment.js';
export * from './rule-set.js';
export * from './time-to-event.js';
export * from './trace.js';
