/**
 * The built-in trial: umbilical-cord MSC transplantation in active, refractory SLE.
 *
 * Source: Wang D et al., Arthritis Res Ther 2014;16:R79 (registry NCT01741857), operationalised in
 * shared/protocol/trial.md. [paper] = from the publication; [design] = our operationalisation, a
 * parameter a study can change. Every number below cites its trial.md section.
 */
import { withItems } from '../crf/definition-forms.js';
import { CATALOG_CODE_LISTS, MSCT_SLE_FORMS } from '../crf/forms.js';
import { msctSleEligibilityCriteria } from './msct-sle-eligibility.js';
import type { FormDefinition, StudyDefinition, VisitDefinition } from './study-definition.js';

/** trial.md "Schedule" table: target days and [design] windows. */
export const msctSleVisits: VisitDefinition[] = [
  // Screening −28 … −1: target −1 with 27 days before it.
  {
    code: 'SCR',
    label: 'Screening',
    kind: 'screening',
    targetDay: -1,
    windowDays: { before: 27, after: 0 },
    repeatsInCycles: false,
  },
  // Baseline / infusion 1: day 0, window 0.
  {
    code: 'D0',
    label: 'Baseline / infusion 1',
    kind: 'baseline',
    targetDay: 0,
    windowDays: 0,
    repeatsInCycles: true,
  },
  // Infusion 2: day 7 ± 1 [paper: infusions on day 0 and day 7; window design].
  { code: 'D7', label: 'Infusion 2', kind: 'infusion', targetDay: 7, windowDays: 1, repeatsInCycles: true },
  // Month 1: day 30 ± 7 [design].
  {
    code: 'M1',
    label: 'Month 1',
    kind: 'assessment',
    targetDay: 30,
    windowDays: 7,
    month: 1,
    repeatsInCycles: true,
  },
  // Months 3, 6, 9, 12: days 91, 182, 273, 365, each ± 14 [design]; month 12 ends the study.
  {
    code: 'M3',
    label: 'Month 3',
    kind: 'assessment',
    targetDay: 91,
    windowDays: 14,
    month: 3,
    repeatsInCycles: true,
  },
  {
    code: 'M6',
    label: 'Month 6',
    kind: 'assessment',
    targetDay: 182,
    windowDays: 14,
    month: 6,
    repeatsInCycles: true,
  },
  {
    code: 'M9',
    label: 'Month 9',
    kind: 'assessment',
    targetDay: 273,
    windowDays: 14,
    month: 9,
    repeatsInCycles: true,
  },
  {
    code: 'M12',
    label: 'Month 12 / end of study',
    kind: 'assessment',
    targetDay: 365,
    windowDays: 14,
    month: 12,
    repeatsInCycles: true,
  },
];

const ASSESSMENT_VISITS = ['D0', 'M1', 'M3', 'M6', 'M9', 'M12', 'UNSCHEDULED'];
/** Day 0 and day 7 (the infusion visits, trial.md "Intervention"), then the assessments after day 0. */
const TREATMENT_AND_ASSESSMENT_VISITS = ['D0', 'D7', ...ASSESSMENT_VISITS.slice(1)];

// trial.md "Schedule" (content column) and "Intervention" (infusion record, background therapy).
const msctSleForms = withItems(
  [
    { id: 'eligibility', title: 'Eligibility and screening', visitCodes: ['SCR'] },
    { id: 'consent', title: 'Informed consent', visitCodes: ['SCR'] },
    { id: 'demographics', title: 'Demographics and SLE history', visitCodes: ['SCR'] },
    { id: 'sledai2k', title: 'SLEDAI-2K', visitCodes: ['SCR', ...ASSESSMENT_VISITS] },
    { id: 'bilag', title: 'BILAG (classic)', visitCodes: ['SCR', ...ASSESSMENT_VISITS] },
    { id: 'labs', title: 'Laboratory tests', visitCodes: ['SCR', ...ASSESSMENT_VISITS] },
    {
      id: 'medication',
      title: 'Prednisone and immunosuppressants',
      visitCodes: ['SCR', ...ASSESSMENT_VISITS],
    },
    { id: 'infusion', title: 'MSC infusion record', visitCodes: ['D0', 'D7'] },
    { id: 'vital-signs', title: 'Vital signs', visitCodes: TREATMENT_AND_ASSESSMENT_VISITS },
    { id: 'adverse-events', title: 'Adverse events', visitCodes: TREATMENT_AND_ASSESSMENT_VISITS },
    { id: 'end-of-study', title: 'End of study / withdrawal / death', visitCodes: ['M12', 'UNSCHEDULED'] },
  ] satisfies FormDefinition[],
  MSCT_SLE_FORMS,
  CATALOG_CODE_LISTS,
);

export const msctSleTrial: StudyDefinition = {
  id: 'msct-sle',
  title: 'Umbilical cord MSC transplantation in active and refractory SLE: a multicentre clinical study',
  version: '1.0.0',
  source: 'Wang D et al. Arthritis Res Ther 2014;16:R79 (doi 10.1186/ar4520); NCT01741857',
  // trial.md "Design": the four Jiangsu centres of the author list [paper, affiliations].
  centres: [
    {
      id: 'NJ-DT',
      name: 'Affiliated Drum Tower Hospital of Nanjing University Medical School',
      city: 'Nanjing',
      country: 'CN',
    },
    { id: 'ZJ-JU', name: 'Affiliated Hospital of Jiangsu University', city: 'Zhenjiang', country: 'CN' },
    { id: 'YZ-SB', name: "Subei People's Hospital of Jiangsu Province", city: 'Yangzhou', country: 'CN' },
    { id: 'NJ-JP', name: "Jiangsu Provincial People's Hospital", city: 'Nanjing', country: 'CN' },
  ],
  visits: msctSleVisits,
  infusion: {
    // trial.md "Intervention": allogeneic UC-MSC, IV, day 0 and day 7 [paper].
    product: 'Allogeneic umbilical-cord mesenchymal stem cells (Stem Cell Center of Jiangsu Province)',
    route: 'intravenous',
    infusionVisitCodes: ['D0', 'D7'],
    // trial.md "Intervention" [design]: 1 × 10^6 cells per kg body weight per infusion.
    cellsPerKg: 1e6,
    // [design] tolerance before a dose is flagged; trial.md gives none, issue 4 asks for a configurable one.
    doseTolerance: 0.1,
    // trial.md "Intervention" [design]: viability release criterion ≥ 90%.
    minViabilityPercent: 90,
    // trial.md "Intervention": re-treatment as further cycles [paper conclusion]; one repeat allowed.
    maxCycles: 2,
  },
  // The forms with the catalog's items (crf/forms.ts) and the code lists they use, declared once.
  forms: msctSleForms.forms,
  codeLists: msctSleForms.codeLists,
  eligibility: msctSleEligibilityCriteria({ maxAgeYears: 60 }),
  // Edit checks (issue #20/#21): soft plausibility rules; a broken one raises a system query on the item.
  editChecks: [
    {
      id: 'vs-diastolic-below-systolic',
      message: 'Diastolic blood pressure must be below systolic blood pressure',
      severity: 'query',
      form: 'vital-signs',
      rule: { kind: 'compare', item: 'diastolic_bp', op: 'lt', other: 'systolic_bp' },
      // Systolic is the peak and diastolic the trough arterial pressure of one cardiac cycle (Whelton PK
      // et al. 2017 ACC/AHA high blood pressure guideline, Hypertension 2018;71:e13, section 4 "Measurement
      // of BP"): a diastolic value at or above the systolic is a transcription error (swapped fields).
      source: 'Whelton PK et al. Hypertension 2018;71:e13 (BP measurement)',
    },
    {
      id: 'vs-weight-change-from-d0',
      message: 'Weight changed by more than 10 % from day 0',
      severity: 'query',
      form: 'vital-signs',
      rule: { kind: 'cross-visit', item: 'weight_kg', referenceVisit: 'D0', maxChangePercent: 10 },
      // trial.md "Intervention": the dose is 1 × 10^6 cells per kg body weight; a weight 10 % off day 0
      // moves the dose outside its tolerance (infusion.doseTolerance 0.1 below): confirm the weight.
      source: 'trial.md Intervention (dose per kg body weight); infusion.doseTolerance',
    },
    {
      id: 'eos-death-cause',
      message: 'Cause of death is required when the subject died',
      severity: 'query',
      form: 'end-of-study',
      rule: {
        kind: 'required-if',
        item: 'death_cause',
        condition: { op: 'is', item: 'status', value: 'died' },
      },
      // ICH E3 §12.3.1.1 (deaths listed with their cause) and issue #21 (deaths recorded consistently).
      source: 'ICH E3 §12.3.1.1',
    },
    {
      id: 'eos-withdrawal-reason',
      message: 'Reason for withdrawal is required when the subject withdrew',
      severity: 'query',
      form: 'end-of-study',
      rule: {
        kind: 'required-if',
        item: 'withdrawal_reason',
        condition: { op: 'is', item: 'status', value: 'withdrawn' },
      },
      // ICH E3 §10.1: the specific reason for discontinuation of every subject who discontinued.
      source: 'ICH E3 §10.1',
    },
  ],
  // endpoints.md: FDA 2010 / EXPLORER-style BILAG MCR/PCR over 12 months.
  endpointRuleSetId: 'msct-sle-bilag-2014',
  // endpoints.md "Re-treatment rule": after month 6 = after the month-6 assessment (or, when it was
  // not done, after day 196 = 182 + 14, the end of its window, trial.md "Schedule"): relapse, or
  // SLEDAI-2K rise ≥ 3 with falling C3 / rising anti-dsDNA at 2 consecutive assessments.
  retreatment: {
    afterVisitCode: 'M6',
    afterStudyDay: 196,
    flagOnRelapse: true,
    sledaiRise: 3,
    consecutiveAssessments: 2,
  },
  // trial.md "Published results": Table 1 BILAG totals decompose into classic weights → classic BILAG.
  bilagVersion: 'classic',
  // Issue #18 item 13: the endpoints run on classic BILAG grades (verified, instruments.md §2.1);
  // BILAG-2004's grading rules of several systems are provisional.
  endpointBilagVersion: 'classic',
  // instruments.md §1.1: canonical SLEDAI-2K window is 10 days (30-day variant allowed).
  sledaiWindowDays: 10,
};
