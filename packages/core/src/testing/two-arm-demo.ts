/**
 * A randomised study on fixed data for the analysis by arm (issue 24): the demo trial of seed 2014
 * (40 subjects) with every subject but each seventh randomised, alternately to 'msct' and
 * 'control' (the ones left out test the CONSORT flow's "not randomised"). `twoArmDemoInputs` lists,
 * per analysed subject, exactly what the two-arm comparisons read, so that R can run the same tests
 * on the same numbers (analysis/fixtures/two-arm-demo.R, written by scripts/two-arm-fixture.ts).
 */
import { DEFAULT_TIMEPOINTS, subjectRecordOptionsOf } from '../analysis/analyze-trial.js';
import { MEASURES } from '../analysis/measures.js';
import { outcomeOf } from '../analysis/response.js';
import { subjectRecord } from '../analysis/subject-record.js';
import { overallSurvivalOf, relapseFreeOf } from '../analysis/survival.js';
import type { TrialDataset } from '../dataset/trial-dataset.js';
import { demoDataset, generateDemoTrial } from '../demo/index.js';
import { msctSleBilag2014 } from '../endpoints/rule-set.js';

export const TWO_ARM_DEMO_ARMS = [
  { id: 'msct', label: 'Repeat MSCT' },
  { id: 'control', label: 'Standard care' },
] as const;

export function twoArmDemoDataset(): TrialDataset {
  const d = demoDataset(generateDemoTrial({ seed: 2014 }));
  d.subjects.forEach((s, i) => {
    if (i % 7 !== 6) s.arm = i % 2 === 0 ? 'msct' : 'control';
  });
  return d;
}

export interface TwoArmDemoInput {
  subject: string;
  arm: string;
  responder: 0 | 1;
  mcr: 0 | 1;
  osTime: number;
  osEvent: 0 | 1;
  /** Relapse-free time from first response (responders only). */
  rfsTime: number | null;
  rfsEvent: 0 | 1 | null;
  /** SLEDAI-2K change from D0 at M1, M3, M6, M9, M12 (null: a value missing). */
  sledaiChange: (number | null)[];
}

export function twoArmDemoInputs(dataset: TrialDataset = twoArmDemoDataset()): TwoArmDemoInput[] {
  const options = subjectRecordOptionsOf();
  const horizon = msctSleBilag2014.endOfFollowUp.latestDay;
  const sledai = MEASURES.find((m) => m.key === 'sledai')!;
  const at = (r: ReturnType<typeof subjectRecord>, t: string) => {
    const dv = r.byVisit.get(t);
    return dv ? (sledai.read(dv.scores) ?? null) : null;
  };
  return dataset.subjects
    .map((s) => subjectRecord(s, options))
    .filter((r) => r.subject.arm !== undefined && r.enrolled)
    .map((r) => {
      const o = outcomeOf(r);
      const os = overallSurvivalOf(r, horizon);
      const rfs = relapseFreeOf(r);
      const base = at(r, 'D0');
      return {
        subject: r.subject.subjectCode,
        arm: r.subject.arm!,
        responder: o === 'MCR' || o === 'PCR' ? 1 : 0,
        mcr: o === 'MCR' ? 1 : 0,
        osTime: os.time,
        osEvent: os.event ? 1 : 0,
        rfsTime: rfs ? rfs.time : null,
        rfsEvent: rfs ? (rfs.event ? 1 : 0) : null,
        sledaiChange: DEFAULT_TIMEPOINTS.slice(1).map((t) => {
          const v = at(r, t);
          return base === null || v === null ? null : v - base;
        }),
      };
    });
}
