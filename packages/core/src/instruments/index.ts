// @msct/core/instruments: the clinical instruments as pure functions. See README.md.
export * from './bilag-classic/index.js';
export * from './bilag2004/index.js';
export * from './compact/index.js';
export * from './flare/index.js';
export * from './kidney/index.js';
export * from './result.js';
export * from './safety/index.js';
export * from './sledai2k/index.js';
export * from './units/index.js';
