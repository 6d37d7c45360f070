/**
 * Eligibility criteria of the MSCT–SLE trial as data (shared/protocol/trial.md "Population").
 *
 * Inclusion thresholds are those of the registered protocol (NCT01741857); exclusions are our
 * [design] list because the registry's was not recoverable. Item names are the screening form's.
 */
import type { EligibilityCriterion } from './eligibility.js';

/** Screening items read by the MSCT–SLE criteria (the screening form's field names). */
export const msctSleScreeningItems = {
  acrClassification: 'acr_sle_classification',
  ageYears: 'age_years',
  sledai2k: 'sledai2k_screening',
  lupusNephritis: 'lupus_nephritis',
  urineProtein24hG: 'urine_protein_24h_g',
  failedPrednisoneMgDay: 'failed_prednisone_mg_day',
  failedCycDoseGM2: 'failed_cyc_dose_g_m2',
  failedCycMonths: 'failed_cyc_months',
  failedMmfGDay: 'failed_mmf_g_day',
  failedMmfMonths: 'failed_mmf_months',
  failedOtherImmunosuppressant: 'failed_other_immunosuppressant',
  informedConsent: 'informed_consent_signed',
  contraception: 'contraception_agreed',
  activeInfection: 'active_uncontrolled_infection',
  pregnantOrLactating: 'pregnant_or_lactating',
  malignancy: 'malignancy',
  severeHeartFailure: 'severe_heart_failure',
  severeLiverFailure: 'severe_liver_failure',
  egfr: 'egfr_ml_min_1_73m2',
  dialysis: 'on_dialysis',
  otherTrialWithin3Months: 'other_trial_within_3_months',
} as const;

const I = msctSleScreeningItems;

export interface MsctSleEligibilityOptions {
  /**
   * Upper age bound, years. trial.md "Population" inclusion 1: the registry says 15–60 in one field
   * and 15–70 in its detailed description, so the bound is a parameter (default 60).
   */
  maxAgeYears?: number;
}

/** The MSCT–SLE eligibility criteria; `maxAgeYears` selects the 15–60 (default) or 15–70 reading. */
export function msctSleEligibilityCriteria(options: MsctSleEligibilityOptions = {}): EligibilityCriterion[] {
  const maxAgeYears = options.maxAgeYears ?? 60;
  const registry = 'trial.md Population, registry NCT01741857';
  const design = 'trial.md Population, [design] exclusion';
  return [
    {
      id: 'inc-acr-sle',
      label: 'Meets the ACR classification criteria for SLE',
      kind: 'inclusion',
      condition: { op: 'is', item: I.acrClassification, value: true },
      source: `${registry} inclusion 1`,
    },
    {
      id: 'inc-age',
      label: `Age 15–${maxAgeYears} years`,
      kind: 'inclusion',
      // trial.md Population inclusion 1: age 15–60 (15–70 in the registry's detailed description).
      condition: { op: 'between', item: I.ageYears, min: 15, max: maxAgeYears, unit: 'years' },
      source: `${registry} inclusion 1`,
    },
    {
      id: 'inc-sledai',
      label: 'SLEDAI-2K ≥ 8',
      kind: 'inclusion',
      // trial.md Population inclusion 1: SLEDAI ≥ 8.
      condition: { op: 'gte', item: I.sledai2k, value: 8 },
      source: `${registry} inclusion 1`,
    },
    {
      id: 'inc-lupus-nephritis',
      label: 'Lupus nephritis with 24-h urine protein ≥ 1 g',
      kind: 'inclusion',
      // trial.md Population inclusion 2: LN with 24-h urine protein ≥ 1 g.
      condition: {
        op: 'all',
        conditions: [
          { op: 'is', item: I.lupusNephritis, value: true },
          { op: 'gte', item: I.urineProtein24hG, value: 1, unit: 'g/24 h' },
        ],
      },
      source: `${registry} inclusion 2`,
    },
    {
      id: 'inc-refractory',
      label:
        'Refractory: failed prednisone > 20 mg/day, and/or cyclophosphamide 0.4–0.6 g/m² every 2 weeks for 6 months, or another immunosuppressant (e.g. MMF 2 g/day for 3 months)',
      kind: 'inclusion',
      // trial.md Population inclusion 3: prednisone > 20 mg/day; CYC 0.4–0.6 g/m² q2w × 6 months;
      // or another immunosuppressant such as MMF 2 g/day × 3 months. "Such as" → an investigator-
      // judged other-immunosuppressant failure also qualifies.
      condition: {
        op: 'any',
        conditions: [
          { op: 'gt', item: I.failedPrednisoneMgDay, value: 20, unit: 'mg/day' },
          {
            op: 'all',
            conditions: [
              { op: 'between', item: I.failedCycDoseGM2, min: 0.4, max: 0.6, unit: 'g/m²' },
              { op: 'gte', item: I.failedCycMonths, value: 6, unit: 'months' },
            ],
          },
          {
            op: 'all',
            conditions: [
              { op: 'gte', item: I.failedMmfGDay, value: 2, unit: 'g/day' },
              { op: 'gte', item: I.failedMmfMonths, value: 3, unit: 'months' },
            ],
          },
          { op: 'is', item: I.failedOtherImmunosuppressant, value: true },
        ],
      },
      source: `${registry} inclusion 3`,
    },
    {
      id: 'inc-consent',
      label: 'Signed informed consent acknowledging the investigational treatment',
      kind: 'inclusion',
      condition: { op: 'is', item: I.informedConsent, value: true },
      source: `${registry} inclusion 4`,
    },
    {
      id: 'inc-contraception',
      label: 'Contraception during the study and for 12 months after treatment',
      kind: 'inclusion',
      condition: { op: 'is', item: I.contraception, value: true },
      source: `${registry} inclusion 5`,
    },
    {
      id: 'exc-infection',
      label: 'Active uncontrolled infection',
      kind: 'exclusion',
      condition: { op: 'is', item: I.activeInfection, value: true },
      source: design,
    },
    {
      id: 'exc-pregnancy',
      label: 'Pregnancy or lactation',
      kind: 'exclusion',
      condition: { op: 'is', item: I.pregnantOrLactating, value: true },
      source: design,
    },
    {
      id: 'exc-malignancy',
      label: 'Malignancy',
      kind: 'exclusion',
      condition: { op: 'is', item: I.malignancy, value: true },
      source: design,
    },
    {
      id: 'exc-heart-liver-failure',
      label: 'Severe heart or liver failure',
      kind: 'exclusion',
      condition: {
        op: 'any',
        conditions: [
          { op: 'is', item: I.severeHeartFailure, value: true },
          { op: 'is', item: I.severeLiverFailure, value: true },
        ],
      },
      source: design,
    },
    {
      id: 'exc-renal-failure',
      label: 'eGFR < 15 mL/min/1.73 m² or dialysis',
      kind: 'exclusion',
      // trial.md Population [design] exclusion: eGFR < 15 or dialysis.
      condition: {
        op: 'any',
        conditions: [
          { op: 'lt', item: I.egfr, value: 15, unit: 'mL/min/1.73 m²' },
          { op: 'is', item: I.dialysis, value: true },
        ],
      },
      source: design,
    },
    {
      id: 'exc-other-trial',
      label: 'Participation in another trial within 3 months',
      kind: 'exclusion',
      condition: { op: 'is', item: I.otherTrialWithin3Months, value: true },
      source: design,
    },
  ];
}
