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
import { type AeOutcome, RELATEDNESS_CODE_LIST } from '@msct/core/safety';

/** Define-XML / Dataset-JSON data types of the variables msct writes. */
export type SdtmDataType = 'text' | 'integer' | 'float' | 'date';

export interface VariableSpec {
  name: string;
  label: string;
  type: 'Char' | 'Num';
  /** Collected (from the CRF), Derived (computed by msct), Assigned (a constant). */
  origin: 'Collected' | 'Derived' | 'Assigned';
  /** SDTMIG v3.3 "Core": Req (never empty), Exp (expected), Perm (permissible). */
  core: 'Req' | 'Exp' | 'Perm';
  dataType: SdtmDataType;
  /** The code list (CODE_LISTS) every value comes from. */
  codeList?: string;
  /** A sponsor-defined variable in a standard domain (docs/exchange.md, departures). */
  nonStandard?: boolean;
  /** Holds a calendar date: empty in study-day exports. */
  date?: boolean;
}

export interface DomainSpec {
  name: string;
  label: string;
  /** SDTM observation class (Define-XML def:Class). */
  class: 'SPECIAL PURPOSE' | 'INTERVENTIONS' | 'EVENTS' | 'FINDINGS';
  structure: string;
  variables: VariableSpec[];
}

/** Numeric variables that hold decimals; every other Num is an integer. */
const FLOATS = new Set(['EXDOSE', 'LBSTRESN', 'QSSTRESN']);

const v = (
  name: string,
  label: string,
  type: 'Char' | 'Num' = 'Char',
  origin: VariableSpec['origin'] = 'Collected',
  more: Partial<Pick<VariableSpec, 'core' | 'codeList' | 'nonStandard'>> = {},
): VariableSpec => ({
  name,
  label,
  type,
  origin,
  core: more.core ?? (name.endsWith('SEQ') ? 'Req' : 'Perm'),
  dataType: name.endsWith('DTC') ? 'date' : type === 'Char' ? 'text' : FLOATS.has(name) ? 'float' : 'integer',
  ...(more.codeList ? { codeList: more.codeList } : {}),
  ...(more.nonStandard ? { nonStandard: true } : {}),
  ...(name.endsWith('DTC') ? { date: true } : {}),
});
const req = { core: 'Req' } as const;
const exp = { core: 'Exp' } as const;
const ID = [
  v('STUDYID', 'Study Identifier', 'Char', 'Assigned', req),
  v('DOMAIN', 'Domain Abbreviation', 'Char', 'Assigned', req),
  v('USUBJID', 'Unique Subject Identifier', 'Char', 'Assigned', req),
];
const VISIT = [
  v('VISITNUM', 'Visit Number', 'Num', 'Assigned', exp),
  v('VISIT', 'Visit Name', 'Char', 'Assigned'),
  v('CYCLE', 'Treatment Cycle (sponsor-defined)', 'Num', 'Collected', { nonStandard: true }),
];

// Variables, their order and Core per SDTMIG v3.3 (§6.1–6.3, §5.2 DM); CYCLE, EXINFNUM and DTHDY are
// sponsor-defined (docs/exchange.md).
export const DOMAINS: DomainSpec[] = [
  {
    name: 'DM',
    label: 'Demographics',
    class: 'SPECIAL PURPOSE',
    structure: 'One record per subject',
    variables: [
      ...ID,
      v('SUBJID', 'Subject Identifier for the Study', 'Char', 'Collected', req),
      v('RFSTDTC', 'Subject Reference Start Date/Time', 'Char', 'Derived', exp),
      v('RFXSTDTC', 'Date/Time of First Study Treatment', 'Char', 'Derived', exp),
      v('RFXENDTC', 'Date/Time of Last Study Treatment', 'Char', 'Derived', exp),
      v('DTHDTC', 'Date/Time of Death', 'Char', 'Collected', exp),
      v('DTHFL', 'Subject Death Flag', 'Char', 'Derived', { core: 'Exp', codeList: 'NY' }),
      v('SITEID', 'Study Site Identifier', 'Char', 'Assigned', req),
      v('BRTHDTC', 'Date/Time of Birth'),
      v('AGE', 'Age', 'Num', 'Collected', exp),
      v('AGEU', 'Age Units', 'Char', 'Assigned', { core: 'Exp', codeList: 'AGEU' }),
      v('SEX', 'Sex', 'Char', 'Collected', { core: 'Req', codeList: 'SEX' }),
      v('ARMCD', 'Planned Arm Code', 'Char', 'Assigned', exp),
      v('ARM', 'Description of Planned Arm', 'Char', 'Assigned', exp),
      v('ACTARMCD', 'Actual Arm Code', 'Char', 'Derived', exp),
      v('ACTARM', 'Description of Actual Arm', 'Char', 'Derived', exp),
      v('ARMNRS', 'Reason Arm and/or Actual Arm is Null', 'Char', 'Derived', {
        core: 'Exp',
        codeList: 'ARMNULRS',
      }),
      v('COUNTRY', 'Country', 'Char', 'Assigned', { core: 'Req', codeList: 'COUNTRY' }),
      v('DTHDY', 'Study Day of Death (sponsor-defined)', 'Num', 'Derived', { nonStandard: true }),
    ],
  },
  {
    name: 'EX',
    label: 'Exposure',
    class: 'INTERVENTIONS',
    structure: 'One record per infusion given per subject',
    variables: [
      ...ID,
      v('EXSEQ', 'Sequence Number', 'Num', 'Derived'),
      v('EXTRT', 'Name of Treatment', 'Char', 'Assigned', req),
      v('EXDOSE', 'Dose', 'Num', 'Derived', exp),
      v('EXDOSU', 'Dose Units', 'Char', 'Assigned', exp),
      v('EXROUTE', 'Route of Administration', 'Char', 'Assigned', { codeList: 'ROUTE' }),
      v('EXLOT', 'Lot Number'),
      v('EXSTDTC', 'Start Date/Time of Treatment', 'Char', 'Collected', exp),
      v('EXSTDY', 'Study Day of Start of Treatment', 'Num', 'Derived'),
      v('CYCLE', 'Treatment Cycle (sponsor-defined)', 'Num', 'Collected', { nonStandard: true }),
      v('EXINFNUM', 'Infusion Number in Cycle (sponsor-defined)', 'Num', 'Collected', { nonStandard: true }),
    ],
  },
  {
    name: 'AE',
    label: 'Adverse Events',
    class: 'EVENTS',
    structure: 'One record per adverse event per subject',
    variables: [
      ...ID,
      v('AESEQ', 'Sequence Number', 'Num', 'Derived'),
      v('AETERM', 'Reported Term for the Adverse Event', 'Char', 'Collected', req),
      v('AEDECOD', 'Dictionary-Derived Term', 'Char', 'Derived', req),
      v('AESTDTC', 'Start Date/Time of Adverse Event', 'Char', 'Collected', exp),
      v('AEENDTC', 'End Date/Time of Adverse Event', 'Char', 'Collected', exp),
      v('AESTDY', 'Study Day of Start of Adverse Event', 'Num', 'Derived'),
      v('AETOXGR', 'Standard Toxicity Grade'),
      v('AESER', 'Serious Event', 'Char', 'Derived', { core: 'Exp', codeList: 'NY' }),
      v('AEREL', 'Causality', 'Char', 'Collected', { core: 'Exp', codeList: 'AEREL' }),
      v('AEOUT', 'Outcome of Adverse Event', 'Char', 'Collected', { codeList: 'OUT' }),
      // The ICH E2A seriousness criteria (SDTMIG v3.4 AE: AESCONG, AESDISAB, AESDTH, AESHOSP,
      // AESLIFE, AESMIE), each Y/N from the AE's recorded criteria.
      v('AESCONG', 'Congenital Anomaly or Birth Defect', 'Char', 'Collected', { codeList: 'NY' }),
      v('AESDISAB', 'Persist or Signif Disability/Incapacity', 'Char', 'Collected', { codeList: 'NY' }),
      v('AESDTH', 'Results in Death', 'Char', 'Derived', { codeList: 'NY' }),
      v('AESHOSP', 'Requires or Prolongs Hospitalization', 'Char', 'Collected', { codeList: 'NY' }),
      v('AESLIFE', 'Is Life Threatening', 'Char', 'Collected', { codeList: 'NY' }),
      v('AESMIE', 'Other Medically Important Serious Event', 'Char', 'Collected', { codeList: 'NY' }),
    ],
  },
  {
    name: 'LB',
    label: 'Laboratory Test Results',
    class: 'FINDINGS',
    structure: 'One record per lab test per visit per subject',
    variables: [
      ...ID,
      v('LBSEQ', 'Sequence Number', 'Num', 'Derived'),
      v('LBTESTCD', 'Lab Test or Examination Short Name', 'Char', 'Assigned', req),
      v('LBTEST', 'Lab Test or Examination Name', 'Char', 'Assigned', req),
      v('LBORRES', 'Result or Finding in Original Units', 'Char', 'Collected', exp),
      v('LBORRESU', 'Original Units', 'Char', 'Collected', exp),
      v('LBSTRESN', 'Numeric Result/Finding in Standard Units', 'Num', 'Derived', exp),
      v('LBSTRESU', 'Standard Units', 'Char', 'Assigned', { core: 'Exp', codeList: 'UNIT' }),
      // The reference range in force (study definition labReferenceRanges: site, sex, sample date)
      // and the value's flag against it, derived by core/crf/lab-flags.ts (issue #22).
      v('LBORNRLO', 'Reference Range Lower Limit in Orig Unit', 'Char', 'Assigned', exp),
      v('LBORNRHI', 'Reference Range Upper Limit in Orig Unit', 'Char', 'Assigned', exp),
      v('LBSTNRLO', 'Reference Range Lower Limit-Std Units', 'Num', 'Derived', exp),
      v('LBSTNRHI', 'Reference Range Upper Limit-Std Units', 'Num', 'Derived', exp),
      v('LBNRIND', 'Reference Range Indicator', 'Char', 'Derived', { core: 'Exp', codeList: 'NRIND' }),
      v('LBCLSIG', 'Clinically Significant', 'Char', 'Collected', { codeList: 'NY' }),
      ...VISIT,
      v('LBDTC', 'Date/Time of Specimen Collection', 'Char', 'Collected', exp),
      v('LBDY', 'Study Day of Specimen Collection', 'Num', 'Derived'),
    ],
  },
  {
    name: 'QS',
    label: 'Questionnaires (disease activity indices)',
    class: 'FINDINGS',
    structure: 'One record per question per visit per subject',
    variables: [
      ...ID,
      v('QSSEQ', 'Sequence Number', 'Num', 'Derived'),
      v('QSCAT', 'Category of Question', 'Char', 'Assigned', req),
      v('QSTESTCD', 'Question Short Name', 'Char', 'Assigned', req),
      v('QSTEST', 'Question Name', 'Char', 'Assigned', req),
      v('QSORRES', 'Finding in Original Units', 'Char', 'Collected', exp),
      v('QSSTRESC', 'Character Result/Finding in Std Format', 'Char', 'Derived', exp),
      v('QSSTRESN', 'Numeric Finding in Standard Units', 'Num', 'Derived'),
      v('QSDRVFL', 'Derived Flag', 'Char', 'Derived', { codeList: 'NY' }),
      ...VISIT,
      v('QSDTC', 'Date/Time of Finding', 'Char', 'Collected', exp),
      v('QSDY', 'Study Day of Finding', 'Num', 'Derived'),
    ],
  },
  {
    name: 'RS',
    label: 'Disease Response',
    class: 'FINDINGS',
    structure: 'One record per response assessment per cycle per subject',
    variables: [
      ...ID,
      v('RSSEQ', 'Sequence Number', 'Num', 'Derived'),
      v('RSTESTCD', 'Assessment Short Name', 'Char', 'Assigned', req),
      v('RSTEST', 'Assessment Name', 'Char', 'Assigned', req),
      v('RSCAT', 'Category for Assessment', 'Char', 'Assigned'),
      v('RSORRES', 'Result or Finding in Original Units', 'Char', 'Derived', exp),
      v('RSSTRESC', 'Character Result/Finding in Std Format', 'Char', 'Derived', exp),
      v('RSSTAT', 'Completion Status', 'Char', 'Derived', { codeList: 'ND' }),
      v('RSREASND', 'Reason Not Done', 'Char', 'Derived'),
      v('RSEVAL', 'Evaluator', 'Char', 'Assigned'),
      ...VISIT,
      v('RSDTC', 'Date/Time of Assessment', 'Char', 'Derived', exp),
      v('RSDY', 'Study Day of Assessment', 'Num', 'Derived'),
    ],
  },
  {
    name: 'DS',
    label: 'Disposition',
    class: 'EVENTS',
    structure: 'One record per disposition event per subject',
    variables: [
      ...ID,
      v('DSSEQ', 'Sequence Number', 'Num', 'Derived'),
      v('DSTERM', 'Reported Term for the Disposition Event', 'Char', 'Collected', req),
      v('DSDECOD', 'Standardized Disposition Term', 'Char', 'Derived', { core: 'Req', codeList: 'NCOMPLT' }),
      v('DSCAT', 'Category for Disposition Event', 'Char', 'Assigned', exp),
      v('DSSTDTC', 'Start Date/Time of Disposition Event', 'Char', 'Collected', exp),
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
    // CDISC UNIT writes grams per day as g/day; msct's entry unit is g/24h.
    std: 'g/day',
    from: { 'g/24h': 1, 'mg/24h': 0.001 },
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

/**
 * SDTM study day (SDTMIG v3.3 §4.4.4 "Use of the 'Study Day' Variables"): the day of RFSTDTC is day 1,
 * a date on or after it is (date − RFSTDTC) + 1, a date before it is (date − RFSTDTC): the day
 * before day 1 is day −1, and there is no day 0. (msct's own study day 0 = first infusion,
 * DESIGN.md, is this RFSTDTC; `studyDay` in study-metadata.ts counts from it with a day 0.)
 */
export function sdtmStudyDay(
  date: string | null | undefined,
  rfstdtc: string | null | undefined,
): number | null {
  if (!date || !rfstdtc) return null;
  const d = Date.parse(`${date.slice(0, 10)}T00:00:00Z`);
  const r = Date.parse(`${rfstdtc.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(d) || Number.isNaN(r)) return null;
  const days = Math.round((d - r) / 86_400_000);
  return days >= 0 ? days + 1 : days;
}

/** msct's study day (day 0 = RFSTDTC) as an SDTM --DY (no day 0). */
export function sdtmDayOf(msctStudyDay: number | null | undefined): number | null {
  if (msctStudyDay === null || msctStudyDay === undefined) return null;
  return msctStudyDay >= 0 ? msctStudyDay + 1 : msctStudyDay;
}

export interface CodeListSpec {
  name: string;
  /** The NCI code of the CDISC codelist (Define-XML Alias nci:ExtCodeID); none for sponsor lists. */
  nciCode?: string;
  /** Submission values (with their decodes where the list has them). */
  terms: { value: string; decode?: string }[];
  /** An external dictionary instead of terms (COUNTRY: ISO 3166-1 alpha-3). */
  external?: { dictionary: string; version: string };
}

/**
 * The code lists the variables above refer to: CDISC SDTM Controlled Terminology (codelist names and
 * NCI codes: SEX C66731, NY C66742, OUT C66768, AGEU C66781, ROUTE C66729, UNIT C71620, NCOMPLT
 * C66727, ND C66789, NRIND C78736; ARMNULRS without its code), only the terms msct writes; AEREL is the study's own list
 * (endpoints.md: relatedness to MSC infusion "not related / unlikely / possible / probable / definite"):
 * core's relatedness code list (safety/vocabulary.ts), each label in capitals.
 */
export const CODE_LISTS: Record<string, CodeListSpec> = {
  SEX: {
    name: 'Sex',
    nciCode: 'C66731',
    terms: [
      { value: 'F', decode: 'Female' },
      { value: 'M', decode: 'Male' },
      { value: 'U', decode: 'Unknown' },
    ],
  },
  NY: {
    name: 'No Yes Response',
    nciCode: 'C66742',
    terms: [
      { value: 'N', decode: 'No' },
      { value: 'Y', decode: 'Yes' },
    ],
  },
  NRIND: {
    name: 'Reference Range Indicator',
    nciCode: 'C78736',
    terms: ['HIGH', 'LOW', 'NORMAL'].map((value) => ({ value })),
  },
  OUT: {
    name: 'Outcome of Event',
    nciCode: 'C66768',
    terms: [
      'FATAL',
      'NOT RECOVERED/NOT RESOLVED',
      'RECOVERED/RESOLVED',
      'RECOVERED/RESOLVED WITH SEQUELAE',
      'RECOVERING/RESOLVING',
      'UNKNOWN',
    ].map((value) => ({ value })),
  },
  AEREL: {
    name: 'Causality (study terms: relatedness to the MSC infusion)',
    terms: RELATEDNESS_CODE_LIST.codes.map((c) => ({ value: c.label.toUpperCase() })),
  },
  AGEU: { name: 'Age Unit', nciCode: 'C66781', terms: [{ value: 'YEARS' }] },
  ROUTE: { name: 'Route of Administration', nciCode: 'C66729', terms: [{ value: 'INTRAVENOUS' }] },
  UNIT: {
    name: 'Unit',
    nciCode: 'C71620',
    terms: ['g/L', '10^9/L', 'g/day', 'mg/mmol', '/HPF', 'umol/L', 'mmol/L', 'IU/mL'].map((value) => ({
      value,
    })),
  },
  NCOMPLT: {
    name: 'Completion/Reason for Non-Completion',
    nciCode: 'C66727',
    terms: ['COMPLETED', 'DEATH', 'LOST TO FOLLOW-UP', 'WITHDRAWAL BY SUBJECT'].map((value) => ({ value })),
  },
  ND: { name: 'Not Done', nciCode: 'C66789', terms: [{ value: 'NOT DONE' }] },
  ARMNULRS: {
    name: 'Arm Null Reason',
    // SDTM CT ARMNULRS (C142179): the three reasons msct writes (dmArmVariables).
    terms: [{ value: 'ASSIGNED, NOT TREATED' }, { value: 'NOT ASSIGNED' }, { value: 'SCREEN FAILURE' }],
  },
  COUNTRY: {
    name: 'Country',
    terms: [],
    external: { dictionary: 'ISO 3166-1 alpha-3', version: 'Debian iso-codes 4.15.0' },
  },
};

/** DM's arm variables (SDTMIG v3.3 §5.2 DM). */
export interface DmArm {
  ARMCD: string | null;
  ARM: string | null;
  ACTARMCD: string | null;
  ACTARM: string | null;
  ARMNRS: string | null;
}

/** The single arm of a study whose definition names no arms (the built-in MSCT–SLE trial). */
export const SINGLE_ARM = { id: 'UCMSC', label: 'Umbilical cord MSC transplantation' } as const;

/**
 * DM.ARMCD/ARM/ACTARMCD/ACTARM/ARMNRS of one subject, by SDTMIG v3.3 (the version msct's define.xml
 * declares), §5.2 DM assumptions 4–5: ARM/ARMCD the arm the subject was assigned (randomised) to,
 * ACTARM/ACTARMCD the arm actually received; when either is null, ARMNRS says why, from CT ARMNULRS —
 * "SCREEN FAILURE" (never randomised, failed screening), "NOT ASSIGNED" (never randomised otherwise),
 * "ASSIGNED, NOT TREATED". (SDTMIG v3.2 put the codes SCRNFAIL/NOTASSGN into ARMCD itself; v3.3
 * leaves ARMCD null and adds ARMNRS.)
 * - No arms in the definition (single arm): every subject UCMSC; actual only if an infusion was given.
 * - Randomised study: ARM as randomised (the assignment is final, issue 24); ACTARM the arm of the
 *   subject's last correction when there is one (a correction records what the subject was, or
 *   should be, treated as: migration 016), else as randomised; "ASSIGNED, NOT TREATED" only without a
 *   day 0 — msct cannot tell a control arm's standard care from no treatment by the infusion records.
 * - Blinded export: every arm variable and ARMNRS empty (define.xml says why).
 */
export function dmArmVariables(x: {
  arms: readonly { id: string; label: string }[] | undefined;
  /** The arm as randomised; undefined when not randomised. */
  arm: string | undefined;
  /** The arm of the last correction of the assignment, if any. */
  correctedArm: string | undefined;
  /** Single arm: an infusion given; randomised: the subject has a day 0. */
  treated: boolean;
  status: string;
  blinded: boolean;
}): DmArm {
  const none: DmArm = { ARMCD: null, ARM: null, ACTARMCD: null, ACTARM: null, ARMNRS: null };
  if (x.blinded) return none;
  if (!x.arms?.length)
    return {
      ARMCD: SINGLE_ARM.id,
      ARM: SINGLE_ARM.label,
      ACTARMCD: x.treated ? SINGLE_ARM.id : null,
      ACTARM: x.treated ? SINGLE_ARM.label : null,
      ARMNRS: x.treated ? null : 'ASSIGNED, NOT TREATED',
    };
  if (x.arm === undefined)
    return { ...none, ARMNRS: x.status === 'screen_failed' ? 'SCREEN FAILURE' : 'NOT ASSIGNED' };
  const label = (id: string) => x.arms!.find((a) => a.id === id)?.label ?? id;
  const actual = x.correctedArm ?? x.arm;
  return {
    ARMCD: x.arm,
    ARM: label(x.arm),
    ACTARMCD: x.treated ? actual : null,
    ACTARM: x.treated ? label(actual) : null,
    ARMNRS: x.treated ? null : 'ASSIGNED, NOT TREATED',
  };
}

/** DM.SEX from msct's sex (`female`/`male`, or `F`/`M`): CDISC SEX, U when not known. */
export function sdtmSex(sex: string | null | undefined): 'F' | 'M' | 'U' {
  const s = sex?.trim().toLowerCase();
  return s === 'female' || s === 'f' ? 'F' : s === 'male' || s === 'm' ? 'M' : 'U';
}

/** AEOUT (CDISC OUT) for msct's AE outcomes (core safety/vocabulary.ts AE_OUTCOMES). */
export const AE_OUTCOME_TERMS: Readonly<Record<string, string>> = {
  recovered: 'RECOVERED/RESOLVED',
  recovering: 'RECOVERING/RESOLVING',
  not_recovered: 'NOT RECOVERED/NOT RESOLVED',
  recovered_with_sequelae: 'RECOVERED/RESOLVED WITH SEQUELAE',
  fatal: 'FATAL',
  unknown: 'UNKNOWN',
} satisfies Record<AeOutcome, string>;

/** AEREL (the study's terms, CODE_LISTS.AEREL) for msct's relatedness (core safety/vocabulary.ts). */
export const AE_RELATEDNESS_TERMS: Readonly<Record<string, string>> = Object.fromEntries(
  RELATEDNESS_CODE_LIST.codes.map((c) => [c.code, c.label.toUpperCase()]),
);
