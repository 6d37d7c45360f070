// @msct/core/demo: the published MSCT–SLE trial (Wang 2014) reconstructed as item-level data.

export * from './dataset.js';
export * from './generate.js';
export { PUBLISHED_TOTALS, TABLE1, TABLE2, type Table1Row, type Table2Row } from './published.js';
export type * from './types.js';
