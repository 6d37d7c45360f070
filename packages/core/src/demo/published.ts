// What the publication gives (Wang D et al., Arthritis Res Ther 2014;16:R79), transcribed from
// shared/protocol/data/table1.csv (rows 1–13, the only ones recovered), table2.csv (complete) and
// trial.md "Published results". These are the generator's targets; the acceptance test compares
// what msct derives from the generated items with its own committed copy (fixtures/table1.json).

export interface Table1Row {
  patient: number;
  age: number;
  diseaseDurationMonths: number;
  baselineSledai: number;
  baselineBilag: number;
  priorImmunosuppressants: string;
  outcome: 'MCR' | 'PCR' | 'NR';
  relapse: boolean;
  manifestations: string;
}

const row = (
  patient: number,
  age: number,
  diseaseDurationMonths: number,
  baselineSledai: number,
  baselineBilag: number,
  priorImmunosuppressants: string,
  outcome: string,
  manifestations: string,
): Table1Row => ({
  patient,
  age,
  diseaseDurationMonths,
  baselineSledai,
  baselineBilag,
  priorImmunosuppressants,
  outcome: outcome.replace('->R', '') as Table1Row['outcome'],
  relapse: outcome.endsWith('->R'),
  manifestations,
});

/** data/table1.csv, rows 1–13. */
export const TABLE1: readonly Table1Row[] = [
  row(1, 46, 40, 17, 12, 'CYC 0.8 g/mo x 28 mo', 'PCR', 'LN, A, C, V, H, ANA+, anti-dsDNA+'),
  row(2, 37, 41, 12, 12, 'CYC 0.8 g/mo x 35 mo', 'PCR', 'A, LN, V, ANA+, anti-dsDNA+, H'),
  row(3, 21, 50, 11, 9, 'MMF 1.5 g/d x 31 mo', 'NR', 'V, LN, C, anti-SM+'),
  row(
    4,
    28,
    98,
    9,
    9,
    'CYC 0.8 g/mo x 10 mo; CYC 0.8 g/mo with MMF 1.0 g/d x 28 mo (discontinued); LEF 20 mg/d x 31 mo',
    'MCR',
    'V, A, alopecia, LN, C, ANA+, anti-dsDNA+',
  ),
  row(
    5,
    26,
    120,
    12,
    8,
    'MMF 2.0 g/d x 50 mo (discontinued); CYC 0.8 g/mo x 20 mo',
    'NR',
    'V, A, LN, ANA+, anti-dsDNA+',
  ),
  row(
    6,
    23,
    15,
    14,
    19,
    'CYC 0.8 g/mo x 15 mo; LEF 20 mg/d x 10 mo',
    'NR',
    'V, A, F, LN, P, ANA+, anti-dsDNA+',
  ),
  row(
    7,
    20,
    62,
    12,
    18,
    'MMF 1.5 g/d x 34 mo (discontinued); CYC 0.8 g/mo x 24 mo',
    'PCR',
    'A, F, LN, C, P, ANA+',
  ),
  row(
    8,
    43,
    26,
    34,
    20,
    'CYC 0.8 g/mo x 10 mo (discontinued); LEF 20 mg/d x 10 mo',
    'PCR->R',
    'C, V, LN, A, seizures, ANA+',
  ),
  row(9, 36, 97, 10, 26, 'CYC 0.8 g/mo x 29 mo', 'MCR->R', 'C, V, A, LN, P, ANA+'),
  row(
    10,
    39,
    60,
    10,
    7,
    'CYC 0.8 g/mo x 25 mo (discontinued); LEF 20 mg/d x 30 mo',
    'PCR',
    'LN, A, V, ANA+, anti-SM+',
  ),
  row(11, 22, 40, 8, 16, 'CYC 0.8 g/mo x 25 mo', 'NR', 'LN, C, P, ANA+, anti-dsDNA+'),
  row(
    12,
    20,
    50,
    14,
    13,
    'CYC 0.8 g/mo x 15 mo (discontinued); VCR 1 mg/week x 4 (discontinued)',
    'NR',
    'A, severe thrombocytopenia, V, F, ANA+, anti-dsDNA+, anti-SM+',
  ),
  row(
    13,
    17,
    75,
    7,
    6,
    'MMF 1.5 g/d x 13 mo (discontinued); LEF 20 mg/d x 30 mo',
    'NR',
    'Severe thrombocytopenia, LN, A, ANA+, anti-dsDNA+',
  ),
];

export interface Table2Row {
  patient: number;
  event: string;
  seriousness: 'AE' | 'SAE';
  day: number;
  related: boolean;
}

/** data/table2.csv (complete): every adverse event within 12 months, all "No relation". */
export const TABLE2: readonly Table2Row[] = [
  { patient: 2, event: 'Herpesvirus infection', seriousness: 'AE', day: 291, related: false },
  { patient: 3, event: 'Herpesvirus infection', seriousness: 'AE', day: 135, related: false },
  { patient: 3, event: 'Herpesvirus infection', seriousness: 'AE', day: 187, related: false },
  { patient: 9, event: 'Death', seriousness: 'SAE', day: 7, related: false },
  { patient: 12, event: 'Tuberculosis infection', seriousness: 'AE', day: 326, related: false },
  { patient: 14, event: 'Death', seriousness: 'SAE', day: 256, related: false },
  { patient: 27, event: 'Death', seriousness: 'SAE', day: 192, related: false },
];

/** trial.md "Published results" and data/README.md: the totals the whole cohort must reproduce. */
export const PUBLISHED_TOTALS = {
  enrolled: 40,
  aliveAt12Months: 37,
  mcr: 13,
  pcr: 11,
  nr: 16,
  relapsesAt9Months: 3,
  relapsesAt12Months: 4,
  deaths: 3,
} as const;
