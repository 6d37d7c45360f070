export * from './conversions.js';
export * from './lab-value.js';
