export * from './grades.js';
export * from './renal.js';
