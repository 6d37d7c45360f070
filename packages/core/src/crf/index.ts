// @msct/core/crf: case report form items, their checks, and the scores derived from them.
export * from './bilag2004-form.js';
export * from './derive.js';
export * from './derive-bilag2004.js';
export * from './forms.js';
export * from './held-screening.js';
export * from './item-definition.js';
export * from './lab-entry-items.js';
export * from './lab-flags.js';
export * from './screening.js';
export * from './show-if.js';
export * from './text.js';
export * from './value-label.js';
