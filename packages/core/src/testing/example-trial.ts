/**
 * A small, hand-checkable trial (8 enrolled + 1 screen failure, 2 centres) used by the analysis
 * and report tests. Designed so each endpoint verdict follows from endpoints.md by hand:
 * P1 MCR (M6), P2 MCR → relapse at M9 (re-treatment flag), P3 PCR route 2, P4 NR, P5 died day 100
 * (NR by imputation), P6 NR (two B persist), P7 MCR first met at M9, P8 withdrew day 120 (NRI).
 */

import type { TrialDataset } from '../dataset/trial-dataset.js';
import { buildDataset, type SubjectSpec, type VisitSpec } from './test-dataset.js';

const CODES = ['D0', 'M1', 'M3', 'M6', 'M9', 'M12'] as const;

/** One row per timepoint: grades, SLEDAI-2K and labs; null = visit not done. */
function series(
  grades: (VisitSpec['grades'] | null)[],
  sledai: (number | null)[],
  labs: (i: number) => VisitSpec['labs'],
): SubjectSpec['visits'] {
  const out: SubjectSpec['visits'] = {};
  CODES.forEach((code, i) => {
    const g = grades[i];
    if (g === null || g === undefined) return;
    const s = sledai[i];
    out[code] = { grades: g, ...(s !== null && s !== undefined ? { sledai: s } : {}), labs: labs(i) };
  });
  return out;
}

const serology = (i: number, base: { alb: number; c3: number; ana: number; dsdna: number }) => ({
  albumin: base.alb + [0, 2, 4, 6, 5, 4][i]!,
  c3: Math.round((base.c3 + [0, 0.1, 0.2, 0.3, 0.25, 0.2][i]!) * 100) / 100,
  ana: base.ana / [1, 1, 2, 4, 4, 2][i]!,
  dsdna: base.dsdna - [0, 20, 40, 60, 50, 40][i]!,
});

const renal = (p: number[], cr: number[], urea: number[]) => (i: number) => ({
  proteinuria: p[i]!,
  creatinine: cr[i]!,
  urea: urea[i]!,
});

export const EXAMPLE_SPECS: readonly SubjectSpec[] = [
  {
    code: 'P1',
    site: 'A',
    ln: true,
    age: 30,
    durationMonths: 48,
    infusionReaction: 'transient fever',
    adverseEvents: [{ term: 'Fever', day: 0, ctcaeGrade: 1, relatedness: 'possible', infusionLinked: true }],
    visits: series(
      [{ renal: 'A' }, { renal: 'C' }, { renal: 'C' }, { renal: 'C' }, { renal: 'C' }, { renal: 'C' }],
      [12, 8, 6, 4, 4, 2],
      (i) => ({
        ...renal([3.0, 2.0, 1.5, 0.8, 0.5, 0.3], [120, 110, 100, 90, 95, 98], [9, 8, 7, 6, 6.5, 7])(i),
        ...serology(i, { alb: 28, c3: 0.5, ana: 640, dsdna: 200 }),
      }),
    ),
  },
  {
    code: 'P2',
    site: 'A',
    ln: true,
    age: 25,
    durationMonths: 36,
    visits: series(
      [{ renal: 'A' }, { renal: 'C' }, { renal: 'C' }, { renal: 'C' }, { renal: 'A' }, { renal: 'A' }],
      [16, 10, 8, 6, 12, 14],
      (i) => ({
        ...renal([4.0, 3.0, 2.5, 1.0, 2.0, 3.0], [150, 130, 120, 100, 140, 150], [12, 10, 9, 8, 11, 12])(i),
        ...serology(i, { alb: 25, c3: 0.4, ana: 1280, dsdna: 300 }),
      }),
    ),
  },
  {
    code: 'P3',
    site: 'A',
    ln: false,
    age: 40,
    durationMonths: 100,
    adverseEvents: [
      { term: 'Herpes zoster', day: 60, ctcaeGrade: 2, relatedness: 'unlikely' },
      { term: 'Herpes zoster', day: 200, ctcaeGrade: 2, relatedness: 'unlikely' },
    ],
    visits: series(
      [
        { haematological: 'A', mucocutaneous: 'B' },
        { haematological: 'C', mucocutaneous: 'B' },
        { haematological: 'C', mucocutaneous: 'B' },
        { haematological: 'C', mucocutaneous: 'B' },
        { haematological: 'C', mucocutaneous: 'B' },
        { haematological: 'C', mucocutaneous: 'B' },
      ],
      [10, 8, 6, 6, 4, 4],
      (i) => serology(i, { alb: 32, c3: 0.6, ana: 320, dsdna: 150 }),
    ),
  },
  {
    code: 'P4',
    site: 'B',
    ln: true,
    age: 35,
    durationMonths: 60,
    visits: series(
      [{ renal: 'A' }, { renal: 'A' }, { renal: 'A' }, { renal: 'A' }, { renal: 'A' }, { renal: 'A' }],
      [14, 14, 12, 13, 15, 14],
      (i) => ({
        ...renal([2.5, 2.6, 2.4, 2.2, 2.8, 3.0], [200, 190, 185, 180, 195, 205], [15, 14, 14, 13, 15, 16])(i),
        ...serology(i, { alb: 22, c3: 0.35, ana: 2560, dsdna: 400 }),
      }),
    ),
  },
  {
    code: 'P5',
    site: 'B',
    ln: false,
    age: 50,
    durationMonths: 12,
    died: { day: 100, cause: 'Sepsis' },
    adverseEvents: [
      {
        term: 'Sepsis',
        day: 95,
        ctcaeGrade: 5,
        serious: true,
        seriousness: ['death'],
        relatedness: 'not_related',
        outcome: 'fatal',
        deathDate: '2013-04-20',
        deathCause: 'Sepsis',
      },
    ],
    visits: series(
      [{ mucocutaneous: 'A' }, { mucocutaneous: 'C' }, { mucocutaneous: 'C' }, null, null, null],
      [9, 6, 5, null, null, null],
      (i) => serology(i, { alb: 30, c3: 0.7, ana: 160, dsdna: 120 }),
    ),
  },
  {
    code: 'P6',
    site: 'B',
    ln: true,
    age: 28,
    durationMonths: 24,
    visits: series(
      Array.from({ length: 6 }, () => ({ renal: 'B', haematological: 'B' })),
      [11, 10, 9, 8, 8, 7],
      (i) => ({
        ...renal([1.2, 1.1, 1.0, 0.9, 0.8, 0.7], [100, 98, 96, 94, 93, 92], [7, 7, 6.8, 6.5, 6.4, 6.3])(i),
        ...serology(i, { alb: 30, c3: 0.55, ana: 320, dsdna: 180 }),
      }),
    ),
  },
  {
    code: 'P7',
    site: 'A',
    ln: false,
    age: 45,
    durationMonths: 72,
    visits: series(
      [
        { mucocutaneous: 'A' },
        { mucocutaneous: 'A' },
        { mucocutaneous: 'A' },
        { mucocutaneous: 'A' },
        { mucocutaneous: 'C' },
        { mucocutaneous: 'C' },
      ],
      [8, 8, 6, 4, 2, 2],
      (i) => serology(i, { alb: 34, c3: 0.65, ana: 640, dsdna: 140 }),
    ),
  },
  {
    code: 'P8',
    site: 'B',
    ln: true,
    age: 33,
    withdrew: { day: 120 },
    visits: series(
      [{ renal: 'A' }, { renal: 'A' }, null, null, null, null],
      [20, 18, null, null, null, null],
      (i) => ({
        ...renal([5.0, 4.5], [250, 240], [18, 17])(i),
        ...serology(i, { alb: 20, c3: 0.3, ana: 1280, dsdna: 500 }),
      }),
    ),
  },
  // Screen failure: never infused, so not in the enrolled population.
  { code: 'P9', site: 'B', day0: null, visits: {} },
];

export function exampleTrialDataset(): TrialDataset {
  return buildDataset(EXAMPLE_SPECS);
}
