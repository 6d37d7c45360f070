export * from './descriptors.js';
export * from './lab-rules.js';
export * from './score.js';
