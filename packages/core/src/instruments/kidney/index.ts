export * from './egfr.js';
export * from './kdigo.js';
