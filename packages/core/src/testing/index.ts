// @msct/core/testing: fixtures for tests and benches only — never imported by production code.
export { EXAMPLE_SPECS, exampleTrialDataset } from './example-trial.js';
export { randomisedLnTrial } from './randomised-trial.js';
export { buildDataset, buildSubject, type SubjectSpec, type VisitSpec } from './test-dataset.js';
export {
  TWO_ARM_DEMO_ARMS,
  type TwoArmDemoInput,
  twoArmDemoDataset,
  twoArmDemoInputs,
} from './two-arm-demo.js';
