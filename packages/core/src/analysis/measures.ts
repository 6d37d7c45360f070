/**
 * The measures followed over time (analysis-plan.md R5–R11) and how each is read from a visit's
 * derived scores (@msct/core/crf deriveVisitScores). BILAG per-system numeric score = the classic
 * weight of the system's grade (A = 9, B = 3, C = 1, D = E = 0; instruments.md §2.1,
 * CLASSIC_BILAG_WEIGHTS); the total is their sum.
 */
import type { CanonicalLabs, VisitScores } from '../crf/derive.js';
import { CLASSIC_BILAG_WEIGHTS, type ClassicBilagSystem } from '../instruments/bilag-classic/grades.js';

export type MeasurePopulation = 'enrolled' | 'LN';

export interface MeasureDefinition {
  key: string;
  planId: string;
  label: string;
  unit: string;
  population: MeasurePopulation;
  /** R9: also analysed with relapsed patients excluded. */
  alsoWithoutRelapse?: boolean;
  read: (scores: VisitScores) => number | undefined;
}

const bilagSystem =
  (system: ClassicBilagSystem) =>
  (s: VisitScores): number | undefined =>
    s.bilag?.ok ? CLASSIC_BILAG_WEIGHTS[s.bilag.value.grades[system]] : undefined;

export const MEASURES: readonly MeasureDefinition[] = [
  // R5: SLEDAI-2K total.
  {
    key: 'sledai',
    planId: 'R5',
    label: 'SLEDAI-2K',
    unit: 'points',
    population: 'enrolled',
    read: (s) => (s.sledai?.ok ? s.sledai.value.score : undefined),
  },
  // R6: classic BILAG numeric total.
  {
    key: 'bilag.total',
    planId: 'R6',
    label: 'BILAG total',
    unit: 'points',
    population: 'enrolled',
    read: (s) => (s.bilag?.ok ? s.bilag.value.total : undefined),
  },
  // R7: per-system numeric scores (renal, haematological, mucocutaneous = the paper's "cutaneous").
  {
    key: 'bilag.renal',
    planId: 'R7',
    label: 'BILAG renal',
    unit: 'points',
    population: 'enrolled',
    read: bilagSystem('renal'),
  },
  {
    key: 'bilag.haematological',
    planId: 'R7',
    label: 'BILAG haematological',
    unit: 'points',
    population: 'enrolled',
    read: bilagSystem('haematological'),
  },
  {
    key: 'bilag.mucocutaneous',
    planId: 'R7',
    label: 'BILAG mucocutaneous',
    unit: 'points',
    population: 'enrolled',
    read: bilagSystem('mucocutaneous'),
  },
  // R8: LN subgroup 24-h proteinuria.
  {
    key: 'ln.proteinuria',
    planId: 'R8',
    label: '24-h proteinuria (LN)',
    unit: 'g/24 h',
    population: 'LN',
    read: (s) => s.labs.proteinuriaG24h,
  },
  // R9: LN subgroup creatinine and urea nitrogen, also without relapsed patients.
  {
    key: 'ln.creatinine',
    planId: 'R9',
    label: 'Serum creatinine (LN)',
    unit: 'µmol/L',
    population: 'LN',
    alsoWithoutRelapse: true,
    read: (s) => s.labs.creatinineUmolL,
  },
  {
    key: 'ln.urea',
    planId: 'R9',
    label: 'Urea nitrogen (LN)',
    unit: 'mmol/L',
    population: 'LN',
    alsoWithoutRelapse: true,
    read: (s) => s.labs.ureaMmolL,
  },
  // R10: albumin and C3.
  {
    key: 'albumin',
    planId: 'R10',
    label: 'Serum albumin',
    unit: 'g/L',
    population: 'enrolled',
    read: (s) => s.labs.albuminGL,
  },
  { key: 'c3', planId: 'R10', label: 'C3', unit: 'g/L', population: 'enrolled', read: (s) => s.labs.c3GL },
  // R11: ANA on the log2 titre scale, anti-dsDNA in IU/mL.
  {
    key: 'ana',
    planId: 'R11',
    label: 'ANA (log2 titre)',
    unit: 'log2',
    population: 'enrolled',
    read: (s) => s.labs.anaLog2,
  },
  {
    key: 'anti-dsdna',
    planId: 'R11',
    label: 'Anti-dsDNA',
    unit: 'IU/mL',
    population: 'enrolled',
    read: (s) => s.labs.antiDsDnaIuMl,
  },
];

/**
 * The laboratory values the MEASURES read (R8–R11): a compact record keeps only these of a
 * timepoint's labs (issue 16: a 20 000-patient analysis keeps one record a subject).
 * compact-record.test.ts checks that every measure reads the same from the kept labs.
 */
export const MEASURE_LABS: readonly (keyof CanonicalLabs)[] = [
  'proteinuriaG24h',
  'creatinineUmolL',
  'ureaMmolL',
  'albuminGL',
  'c3GL',
  'anaLog2',
  'antiDsDnaIuMl',
];
