export * from './conversions.js';
export * from './convert.js';
export * from './lab-value.js';
