export {
  analyzeSelection,
  type DerivedSelection,
  DerivedStudyCache,
  type DerivedSubject,
  deriveDatasetSubject,
} from './derived-study.js';
export { deriveOptionsOf, studyDefinition } from './study-definition.js';
export {
  adjudicationOptions,
  endpointsOfSubject,
  forEachSubjectEndpoints,
  type SubjectEndpoints,
  subjectEndpoints,
} from './subject-endpoints.js';
