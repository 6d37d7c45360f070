export * from './kernel.js';
export * from './layout.js';
