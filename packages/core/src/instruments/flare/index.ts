export * from './bicla.js';
export * from './bilag-flare.js';
export * from './remission.js';
export * from './renal-response.js';
export * from './sfi.js';
export * from './sri.js';
