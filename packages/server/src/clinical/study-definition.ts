// The study definition as the routes read it: the store's one cached, schema-parsed copy (store
// repositories/entry-definition.ts), the same the item writer applies at entry.

/** Scoring options a definition sets: core/dataset's, re-exported for the routes. */
export { deriveOptionsOf } from '@msct/core/dataset';
export { studyDefinition } from '@msct/store';
