/**
 * The vocabulary of the adverse-event and infusion records, declared once (issue #20: "AE
 * relatedness 5×, seriousness spelled two ways, infusion status 5×"). The API contract, the web
 * app, the ODM and SDTM exports, the analysis, the SAE clock and the demo read these lists; none
 * repeats a code. The records' columns are the platform's (store schema.ts `adverse_events`,
 * `infusions`), the same for every study, so their code lists live here rather than in a study's
 * definition; each is a definition `CodeList` (id, label, codes with labels).
 */
import type { CodeList } from '../protocol/study-definition.js';

/** A code list whose codes are the tuple `codes`, each with its label. */
function codeList<const C extends readonly string[]>(
  id: string,
  label: string,
  codes: C,
  labels: Record<C[number], string>,
): CodeList & { label: string; codes: readonly { code: C[number]; label: string }[] } {
  return { id, label, codes: codes.map((code: C[number]) => ({ code, label: labels[code] })) };
}

/** endpoints.md "Safety (primary)": relatedness to the MSC infusion, in order. */
export const RELATEDNESS = ['not_related', 'unlikely', 'possible', 'probable', 'definite'] as const;
export type Relatedness = (typeof RELATEDNESS)[number];
export const RELATEDNESS_CODE_LIST = codeList(
  'ae-relatedness',
  'Relatedness to the MSC infusion',
  RELATEDNESS,
  {
    not_related: 'Not related',
    unlikely: 'Unlikely',
    possible: 'Possible',
    probable: 'Probable',
    definite: 'Definite',
  },
);
/** endpoints.md "Safety (primary)": "transplantation-related" = possible, probable or definite. */
export const RELATED_ASSESSMENTS = [
  'possible',
  'probable',
  'definite',
] as const satisfies readonly Relatedness[];

/**
 * ICH E2A §II.B seriousness criteria (instruments.md §5.3): death, life-threatening, hospitalisation
 * or its prolongation, persistent or significant disability, congenital anomaly, other medically
 * important event.
 */
export const SERIOUSNESS = [
  'death',
  'life_threatening',
  'hospitalisation',
  'disability',
  'congenital_anomaly',
  'medically_important',
] as const;
export type Seriousness = (typeof SERIOUSNESS)[number];
export const SERIOUSNESS_CODE_LIST = codeList(
  'ae-seriousness',
  'ICH E2A seriousness criterion',
  SERIOUSNESS,
  {
    death: 'Results in death',
    life_threatening: 'Is life threatening',
    hospitalisation: 'Requires or prolongs hospitalisation',
    disability: 'Persistent or significant disability',
    congenital_anomaly: 'Congenital anomaly',
    medically_important: 'Other medically important event',
  },
);
/** The SDTM AE flag of each criterion (SDTMIG AE domain: AESDTH, AESLIFE, AESHOSP, AESDISAB, AESCONG, AESMIE). */
export const SERIOUSNESS_SDTM_FLAGS = {
  death: 'AESDTH',
  life_threatening: 'AESLIFE',
  hospitalisation: 'AESHOSP',
  disability: 'AESDISAB',
  congenital_anomaly: 'AESCONG',
  medically_important: 'AESMIE',
} as const satisfies Record<Seriousness, string>;

/** Outcome of an adverse event (the terms of CDISC OUT, C66768, in msct's codes). */
export const AE_OUTCOMES = [
  'recovered',
  'recovering',
  'not_recovered',
  'recovered_with_sequelae',
  'fatal',
  'unknown',
] as const;
export type AeOutcome = (typeof AE_OUTCOMES)[number];
export const AE_OUTCOME_CODE_LIST = codeList('ae-outcome', 'Outcome', AE_OUTCOMES, {
  recovered: 'Recovered',
  recovering: 'Recovering',
  not_recovered: 'Not recovered',
  recovered_with_sequelae: 'Recovered with sequelae',
  fatal: 'Fatal',
  unknown: 'Unknown',
});

/** Expectedness against the reference safety information (ICH E2A §II.C), the sponsor's judgement. */
export const EXPECTEDNESS = ['expected', 'unexpected'] as const;

/** Status of a planned MSC infusion (trial.md "Intervention": the infusions of a cycle). */
export const INFUSION_STATUSES = ['planned', 'given', 'not_given'] as const;
export type InfusionStatus = (typeof INFUSION_STATUSES)[number];
export const INFUSION_STATUS_CODE_LIST = codeList('infusion-status', 'Infusion status', INFUSION_STATUSES, {
  planned: 'Planned',
  given: 'Given',
  not_given: 'Not given',
});

/** Every code list of the AE and infusion records. */
export const RECORD_CODE_LISTS: readonly CodeList[] = [
  RELATEDNESS_CODE_LIST,
  SERIOUSNESS_CODE_LIST,
  AE_OUTCOME_CODE_LIST,
  INFUSION_STATUS_CODE_LIST,
];
