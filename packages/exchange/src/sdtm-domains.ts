// The SDTM-style domains msct writes: each variable with its label and type, as data, so the
// define-style listing is generated from the same specification the writer uses. Variable names and
// controlled terms follow SDTMIG 3.3 where it applies; departures are listed in docs/exchange.md.
import {
  BUN_MGDL_PER_UREA_MMOLL,
  CREATININE_UMOL_PER_MGDL,
  G_L_PER_G_DL,
  MGDL_PER_GL,
  UPCR_MGG_PER_MGMMOL,
} from '@msct/core/instruments';

export interface VariableSpec {
  name: string;
  label: string;
  type: 'Char' | 'Num';
  /** Collected (from the CRF), Derived (computed by msct), Assigned (a constant). */
  origin: 'Collected' | 'Derived' | 'Assigned';
  /** Holds a calendar date: empty in study-day exports. */
  date?: boolean;
}

export interface DomainSpec {
  name: string;
  label: string;
  variables: VariableSpec[];
}

const v = (
  name: string,
  label: string,
  type: 'Char' | 'Num' = 'Char',
  origin: VariableSpec['origin'] = 'Collected',
) => ({
  name,
  label,
  type,
  origin,
  ...(name.endsWith('DTC') ? { date: true } : {}),
});
const ID = [
  v('STUDYID', 'Study Identifier', 'Char', 'Assigned'),
  v('DOMAIN', 'Domain Abbreviation', 'Char', 'Assigned'),
  v('USUBJID', 'Unique Subject Identifier', 'Char', 'Assigned'),
];
const VISIT = [
  v('VISITNUM', 'Visit Number', 'Num', 'Assigned'),
  v('VISIT', 'Visit Name', 'Char', 'Assigned'),
  v('CYCLE', 'Treatment Cycle (sponsor-defined)', 'Num', 'Collected'),
];

export const DOMAINS: DomainSpec[] = [
  {
    name: 'DM',
    label: 'Demographics',
    variables: [
      ...ID,
      v('SUBJID', 'Subject Identifier for the Study'),
      v('RFSTDTC', 'Subject Reference Start Date/Time'),
      v('RFXSTDTC', 'Date/Time of First Study Treatment'),
      v('SITEID', 'Study Site Identifier'),
      v('BRTHDTC', 'Date/Time of Birth'),
      v('AGE', 'Age', 'Num'),
      v('AGEU', 'Age Units', 'Char', 'Assigned'),
      v('SEX', 'Sex'),
      v('ARMCD', 'Planned Arm Code', 'Char', 'Assigned'),
      v('ARM', 'Description of Planned Arm', 'Char', 'Assigned'),
      v('DTHDTC', 'Date/Time of Death'),
      v('DTHFL', 'Subject Death Flag', 'Char', 'Derived'),
    ],
  },
  {
    name: 'EX',
    label: 'Exposure',
    variables: [
      ...ID,
      v('EXSEQ', 'Sequence Number', 'Num', 'Derived'),
      v('EXTRT', 'Name of Treatment', 'Char', 'Assigned'),
      v('EXDOSE', 'Dose', 'Num', 'Derived'),
      v('EXDOSU', 'Dose Units', 'Char', 'Assigned'),
      v('EXROUTE', 'Route of Administration', 'Char', 'Assigned'),
      v('EXLOT', 'Lot Number'),
      v('EXSTDTC', 'Start Date/Time of Treatment'),
      v('EXSTDY', 'Study Day of Start of Treatment', 'Num', 'Derived'),
      v('CYCLE', 'Treatment Cycle (sponsor-defined)', 'Num'),
      v('EXINFNUM', 'Infusion Number in Cycle (sponsor-defined)', 'Num'),
    ],
  },
  {
    name: 'AE',
    label: 'Adverse Events',
    variables: [
      ...ID,
      v('AESEQ', 'Sequence Number', 'Num', 'Derived'),
      v('AETERM', 'Reported Term for the Adverse Event'),
      v('AEDECOD', 'Dictionary-Derived Term'),
      v('AESTDTC', 'Start Date/Time of Adverse Event'),
      v('AEENDTC', 'End Date/Time of Adverse Event'),
      v('AESTDY', 'Study Day of Start of Adverse Event', 'Num', 'Derived'),
      v('AETOXGR', 'Standard Toxicity Grade'),
      v('AESER', 'Serious Event'),
      v('AEREL', 'Causality'),
      v('AEOUT', 'Outcome of Adverse Event'),
      v('AESDTH', 'Results in Death', 'Char', 'Derived'),
    ],
  },
  {
    name: 'LB',
    label: 'Laboratory Test Results',
    variables: [
      ...ID,
      v('LBSEQ', 'Sequence Number', 'Num', 'Derived'),
      v('LBTESTCD', 'Lab Test or Examination Short Name', 'Char', 'Assigned'),
      v('LBTEST', 'Lab Test or Examination Name', 'Char', 'Assigned'),
      v('LBORRES', 'Result or Finding in Original Units'),
      v('LBORRESU', 'Original Units'),
      v('LBSTRESN', 'Numeric Result/Finding in Standard Units', 'Num', 'Derived'),
      v('LBSTRESU', 'Standard Units', 'Char', 'Assigned'),
      ...VISIT,
      v('LBDTC', 'Date/Time of Specimen Collection'),
      v('LBDY', 'Study Day of Specimen Collection', 'Num', 'Derived'),
    ],
  },
  {
    name: 'QS',
    label: 'Questionnaires (disease activity indices)',
    variables: [
      ...ID,
      v('QSSEQ', 'Sequence Number', 'Num', 'Derived'),
      v('QSCAT', 'Category of Question', 'Char', 'Assigned'),
      v('QSTESTCD', 'Question Short Name', 'Char', 'Assigned'),
      v('QSTEST', 'Question Name', 'Char', 'Assigned'),
      v('QSORRES', 'Finding in Original Units'),
      v('QSSTRESC', 'Character Result/Finding in Std Format', 'Char', 'Derived'),
      v('QSSTRESN', 'Numeric Finding in Standard Units', 'Num', 'Derived'),
      v('QSDRVFL', 'Derived Flag', 'Char', 'Derived'),
      ...VISIT,
      v('QSDTC', 'Date/Time of Finding'),
      v('QSDY', 'Study Day of Finding', 'Num', 'Derived'),
    ],
  },
  {
    name: 'RS',
    label: 'Disease Response',
    variables: [
      ...ID,
      v('RSSEQ', 'Sequence Number', 'Num', 'Derived'),
      v('RSTESTCD', 'Assessment Short Name', 'Char', 'Assigned'),
      v('RSTEST', 'Assessment Name', 'Char', 'Assigned'),
      v('RSCAT', 'Category for Assessment', 'Char', 'Assigned'),
      v('RSORRES', 'Result or Finding in Original Units', 'Char', 'Derived'),
      v('RSSTRESC', 'Character Result/Finding in Std Format', 'Char', 'Derived'),
      v('RSSTAT', 'Completion Status', 'Char', 'Derived'),
      v('RSREASND', 'Reason Not Done', 'Char', 'Derived'),
      v('RSEVAL', 'Evaluator', 'Char', 'Assigned'),
      ...VISIT,
      v('RSDTC', 'Date/Time of Assessment'),
      v('RSDY', 'Study Day of Assessment', 'Num', 'Derived'),
    ],
  },
  {
    name: 'DS',
    label: 'Disposition',
    variables: [
      ...ID,
      v('DSSEQ', 'Sequence Number', 'Num', 'Derived'),
      v('DSTERM', 'Reported Term for the Disposition Event'),
      v('DSDECOD', 'Standardized Disposition Term', 'Char', 'Derived'),
      v('DSCAT', 'Category for Disposition Event', 'Char', 'Assigned'),
      v('DSSTDTC', 'Start Date/Time of Disposition Event'),
      v('DSSTDY', 'Study Day of Start of Disposition Event', 'Num', 'Derived'),
    ],
  },
];

/** LBTESTCD (≤ 8 characters), name, and the standard unit with the factor from each other unit. */
export const LAB_TESTS: Record<
  string,
  { testcd: string; test: string; std: string; from?: Record<string, number> }
> = {
  haemoglobin: { testcd: 'HGB', test: 'Hemoglobin', std: 'g/L', from: { 'g/dL': G_L_PER_G_DL } },
  wbc: { testcd: 'WBC', test: 'Leukocytes', std: '10^9/L' },
  neutrophils: { testcd: 'NEUT', test: 'Neutrophils', std: '10^9/L' },
  lymphocytes: { testcd: 'LYM', test: 'Lymphocytes', std: '10^9/L' },
  platelets: { testcd: 'PLAT', test: 'Platelets', std: '10^9/L' },
  proteinuria_24h: {
    testcd: 'PROT24',
    test: 'Protein, 24-hour urine',
    std: 'g/24h',
    from: { 'mg/24h': 0.001 },
  },
  upcr: {
    testcd: 'PROTCRT',
    test: 'Protein/Creatinine',
    std: 'mg/mmol',
    from: { 'mg/g': 1 / UPCR_MGG_PER_MGMMOL },
  },
  urine_rbc_hpf: { testcd: 'RBC', test: 'Erythrocytes (urine)', std: '/HPF', from: { '/hpf': 1 } },
  urine_wbc_hpf: { testcd: 'WBCU', test: 'Leukocytes (urine)', std: '/HPF', from: { '/hpf': 1 } },
  urine_casts: { testcd: 'CASTS', test: 'Heme-granular or red-cell casts', std: '' },
  creatinine: {
    testcd: 'CREAT',
    test: 'Creatinine',
    std: 'umol/L',
    from: { 'µmol/L': 1, 'mg/dL': CREATININE_UMOL_PER_MGDL },
  },
  urea: {
    testcd: 'UREAN',
    test: 'Urea Nitrogen',
    std: 'mmol/L',
    from: { 'mg/dL': 1 / BUN_MGDL_PER_UREA_MMOLL },
  },
  albumin: { testcd: 'ALB', test: 'Albumin', std: 'g/L', from: { 'g/dL': G_L_PER_G_DL } },
  c3: { testcd: 'C3', test: 'Complement C3', std: 'g/L', from: { 'mg/dL': 1 / MGDL_PER_GL } },
  c3_lln: {
    testcd: 'C3LLN',
    test: 'Complement C3 lower limit of normal',
    std: 'g/L',
    from: { 'mg/dL': 1 / MGDL_PER_GL },
  },
  c4: { testcd: 'C4', test: 'Complement C4', std: 'g/L', from: { 'mg/dL': 1 / MGDL_PER_GL } },
  c4_lln: {
    testcd: 'C4LLN',
    test: 'Complement C4 lower limit of normal',
    std: 'g/L',
    from: { 'mg/dL': 1 / MGDL_PER_GL },
  },
  anti_dsdna: { testcd: 'DSDNA', test: 'Anti-dsDNA antibody', std: 'IU/mL' },
  anti_dsdna_uln: { testcd: 'DSDNAULN', test: 'Anti-dsDNA upper limit of normal', std: 'IU/mL' },
  ana_titre: { testcd: 'ANA', test: 'Antinuclear antibody titre (reciprocal)', std: '' },
};

/** The value in the test's standard unit, or null when the unit has no known factor. */
export function toStandardUnit(itemCode: string, value: string | null, unit: string | null): number | null {
  const t = LAB_TESTS[itemCode];
  const n = value === null ? Number.NaN : Number(value);
  if (!t || !Number.isFinite(n)) return null;
  if (unit === null || unit === t.std) return n;
  const f = t.from?.[unit];
  return f === undefined ? null : Math.round(n * f * 1e6) / 1e6;
}

/** SDTM disposition terms (CDISC CT codelist NCOMPLT / DS) for the end-of-study status. */
export const DISPOSITION: Record<string, string> = {
  completed: 'COMPLETED',
  withdrawn: 'WITHDRAWAL BY SUBJECT',
  lost: 'LOST TO FOLLOW-UP',
  died: 'DEATH',
};
