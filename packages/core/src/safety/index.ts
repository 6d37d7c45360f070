// @msct/core/safety: serious adverse events — the expedited-reporting clock.

export * from './expedited-reporting.js';
