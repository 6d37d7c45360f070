// Issue 16: the analysis over compacted records (items and score traces dropped, as a streaming
// caller keeps them) gives exactly the results of the analysis over the whole dataset.
import { describe, expect, it } from 'vitest';
import { demoDataset, generateDemoTrial } from '../demo/index.js';
import { analyzeRecords, analyzeTrial, subjectRecordOptionsOf } from './analyze-trial.js';
import { exampleTrialDataset } from './example-trial.js';
import { compactRecord, subjectRecord } from './subject-record.js';

describe('analyzeRecords over compact records', () => {
  for (const [name, dataset] of [
    ['the demo trial (seed 2014)', demoDataset(generateDemoTrial({ seed: 2014 }))],
    ['the demo trial (seed 7)', demoDataset(generateDemoTrial({ seed: 7 }))],
    ['the example trial', exampleTrialDataset()],
  ] as const)
    it(`${name}: the same results as analyzeTrial`, () => {
      const options = { sledaiWindowDays: 30 as const };
      const whole = analyzeTrial(dataset, options);
      const recordOptions = subjectRecordOptionsOf(options);
      const records = dataset.subjects.map((s) => compactRecord(subjectRecord(s, recordOptions)));
      for (const r of records) {
        expect(r.subject.visits).toEqual([]);
        for (const v of r.derivation.visits) expect(v.visit.items).toEqual({});
      }
      expect(analyzeRecords(dataset, records, options)).toEqual(whole);
    });
});
