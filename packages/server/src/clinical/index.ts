export { deriveOptionsOf, studyDefinition } from './study-definition.js';
export { adjudicationOptions, subjectEndpoints } from './subject-endpoints.js';
