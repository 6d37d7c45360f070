/**
 * Eligibility criteria of the MSCT–SLE trial, declared in studies/msct-sle.json (shared/protocol/
 * trial.md "Population"; each criterion cites its source). Inclusion thresholds are those of the
 * registered protocol (NCT01741857): age 15–60 (15–70 in the registry's detailed description),
 * SLEDAI ≥ 8 (inclusion 1); lupus nephritis with 24-h urine protein ≥ 1 g (2); refractory = failed
 * prednisone > 20 mg/day, CYC 0.4–0.6 g/m² q2w × 6 months, or another immunosuppressant such as
 * MMF 2 g/day × 3 months — "such as" → an investigator-judged other failure also qualifies (3);
 * consent (4); contraception (5). Exclusions are our [design] list because the registry's was not
 * recoverable (eGFR < 15 mL/min/1.73 m² or dialysis among them). Item names are the screening form's.
 */
import type { EligibilityCriterion } from './eligibility.js';
import { msctSleTrial } from './msct-sle-trial.js';

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

export interface MsctSleEligibilityOptions {
  /**
   * Upper age bound, years. trial.md "Population" inclusion 1: the registry says 15–60 in one field
   * and 15–70 in its detailed description, so the bound is a parameter (default 60).
   */
  maxAgeYears?: number;
}

/**
 * The MSCT–SLE eligibility criteria (studies/msct-sle.json); `maxAgeYears` selects the 15–60
 * (default, the file's) or 15–70 reading of inclusion 1.
 */
export function msctSleEligibilityCriteria(options: MsctSleEligibilityOptions = {}): EligibilityCriterion[] {
  const maxAgeYears = options.maxAgeYears;
  if (maxAgeYears === undefined) return msctSleTrial.eligibility;
  return msctSleTrial.eligibility.map((c) =>
    c.id === 'inc-age' && c.condition.op === 'between'
      ? {
          ...c,
          label: `Age ${c.condition.min}–${maxAgeYears} years`,
          condition: { ...c.condition, max: maxAgeYears },
        }
      : c,
  );
}
