// @msct/core/safety: serious adverse events — the expedited-reporting clock.

export * from './death-records.js';
export * from './expedited-reporting.js';
export * from './vocabulary.js';
