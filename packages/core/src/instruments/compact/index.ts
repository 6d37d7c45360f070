export * from './compile.js';
export * from './kernel.js';
export * from './layout.js';
