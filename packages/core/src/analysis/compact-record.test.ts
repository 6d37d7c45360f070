// Issue 16: the analysis over compacted records (items and score traces dropped, as a streaming
// caller keeps them) gives exactly the results of the analysis over the whole dataset.
import { describe, expect, it } from 'vitest';
import { demoDataset, generateDemoTrial } from '../demo/index.js';
import { exampleTrialDataset } from '../testing/example-trial.js';
import { analyzeRecords, analyzeTrial, subjectRecordOptionsOf } from './analyze-trial.js';
import { MEASURE_LABS, MEASURES } from './measures.js';
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
      const full = dataset.subjects.map((s) => subjectRecord(s, recordOptions));
      const records = full.map(compactRecord);
      // Each kept visit reads as the full one: every measure lab (absent stays absent), SLEDAI-2K and
      // BILAG values (shared between records, packed labs).
      full.forEach((f, i) => {
        const c = records[i]!;
        expect([...c.byVisit.keys()]).toEqual([...f.byVisit.keys()]);
        for (const [code, dv] of f.byVisit) {
          const kept = c.byVisit.get(code)!.scores;
          for (const key of MEASURE_LABS) expect(kept.labs[key]).toBe(dv.scores.labs[key]);
          expect(kept.sledai?.ok && kept.sledai.value).toEqual(
            dv.scores.sledai?.ok && dv.scores.sledai.value,
          );
          expect(kept.bilag?.ok && kept.bilag.value).toEqual(dv.scores.bilag?.ok && dv.scores.bilag.value);
        }
      });
      for (const r of records) {
        expect(r.subject.visits).toEqual([]);
        // Of a visit, only its study day (every visit) and its scores (the plan's timepoints) are kept.
        for (const v of r.derivation.visits) expect(Object.keys(v)).toEqual(['studyDay']);
        for (const v of r.byVisit.values()) expect(Object.keys(v)).toEqual(['studyDay', 'scores']);
      }
      expect(analyzeRecords(dataset, records, options)).toEqual(whole);
    });
});

describe('MEASURE_LABS', () => {
  it('holds every laboratory value a measure reads (a compact record keeps only these)', () => {
    const labs = {
      proteinuriaG24h: 1.5,
      creatinineUmolL: 80,
      ureaMmolL: 5.5,
      albuminGL: 38,
      c3GL: 0.7,
      c4GL: 0.12,
      antiDsDnaIuMl: 40,
      anaTitre: 160,
      anaLog2: 7.32,
      haemoglobinGL: 120,
      plateletsE9L: 200,
      wbcE9L: 5,
      upcrMgMmol: 90,
    };
    const kept = Object.fromEntries(MEASURE_LABS.map((k) => [k, labs[k]]));
    const full = { labs, unreadable: [] };
    const compact = { labs: kept, unreadable: [] };
    for (const m of MEASURES) expect(m.read(compact), m.key).toBe(m.read(full));
    // Every kept lab is one a measure reads (reading it alone gives a number).
    for (const k of MEASURE_LABS)
      expect(
        MEASURES.some((m) => m.read({ labs: { [k]: labs[k] }, unreadable: [] }) === labs[k]),
        k,
      ).toBe(true);
  });
});
