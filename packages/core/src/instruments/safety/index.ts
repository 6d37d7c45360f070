export * from './ctcae.js';
export * from './seriousness.js';
