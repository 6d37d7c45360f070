// The case report forms of the built-in trial, item by item. Visit contents and the lab panel:
// shared/protocol/trial.md "Schedule"; SLEDAI-2K descriptors: instruments.md §1.2; classic BILAG
// systems: instruments.md §2.1. Plausibility ranges are wide physiological limits (a typing error
// such as albumin 300 g/L is refused; a clinically extreme but possible value is accepted).
import { CLASSIC_BILAG_SYSTEMS } from '../instruments/bilag-classic/grades.js';
import { SLEDAI2K_DESCRIPTORS, sledai2kAttributionItemCode } from '../instruments/sledai2k/descriptors.js';
import type { EligibilityCondition, EligibilityCriterion } from '../protocol/eligibility.js';
import type { CodeList, DefinitionItem } from '../protocol/study-definition.js';
import { BILAG2004_CODE_LISTS, BILAG2004_FORM } from './bilag2004-form.js';
import { resolveDefinitionForm } from './definition-forms.js';
import type { FormDefinitionItems, ItemDefinition } from './item-definition.js';
import { LAB_SAMPLE_ITEMS, LAB_SIGNIFICANCE_CODE_LIST, LAB_SIGNIFICANCE_ITEMS } from './lab-entry-items.js';

const GRADE_CODES = [
  { code: 'A', label: 'A — severe activity, needs disease-modifying treatment' },
  { code: 'B', label: 'B — moderate activity, symptomatic treatment' },
  { code: 'C', label: 'C — mild stable disease' },
  { code: 'D', label: 'D — previously involved, now inactive' },
  { code: 'E', label: 'E — never involved' },
] as const;

/** Classic BILAG system grade (instruments.md §2.1), one list for the eight systems. */
export const CLASSIC_BILAG_GRADE_CODE_LIST: CodeList = {
  id: 'bilag-classic-grade',
  label: 'Classic BILAG system grade',
  codes: GRADE_CODES,
};

const SYSTEM_LABELS: Record<string, string> = {
  general: 'General (constitutional)',
  mucocutaneous: 'Mucocutaneous',
  neurological: 'Neurological',
  musculoskeletal: 'Musculoskeletal',
  cardiorespiratory: 'Cardiorespiratory',
  vasculitis: 'Vasculitis',
  renal: 'Renal',
  haematological: 'Haematological',
};

/**
 * SLEDAI-2K: per descriptor a present/absent item (1 / 0 or empty = absent), the glossary
 * definition as help text, and its own attribution item `<id>_not_sle` (1 = present but not due to
 * SLE). Three states, stored explicitly (endpoints.md Clarification 5); why two items rather than a
 * third code: sledai2kAttributionItemCode in instruments/sledai2k/descriptors.ts.
 */
export const SLEDAI2K_FORM: FormDefinitionItems = {
  formCode: 'sledai2k',
  title: 'SLEDAI-2K',
  items: SLEDAI2K_DESCRIPTORS.flatMap((d): ItemDefinition[] => [
    {
      code: d.id,
      label: `${d.number}. ${d.label} (${d.weight})`,
      type: 'boolean',
      help: d.definition,
      source: 'instruments.md §1.2',
    },
    {
      code: sledai2kAttributionItemCode(d.id),
      label: `${d.number}. ${d.label}: present but not due to SLE`,
      type: 'boolean',
      help: 'Present, but the assessor attributes it to another cause (e.g. infection, drug, metabolic cause): it does not score, even when a laboratory value or measurement shows it.',
      source: 'endpoints.md Clarification 5',
    },
  ]),
};

/** The descriptor items of SLEDAI2K_FORM, one per descriptor in form order (no attribution items). */
export const SLEDAI2K_DESCRIPTOR_ITEMS: readonly ItemDefinition[] = SLEDAI2K_FORM.items.filter(
  (_, i) => i % 2 === 0,
);

/** Classic BILAG: the assessor grades each of the eight systems from the glossary. */
export const CLASSIC_BILAG_FORM: FormDefinitionItems = {
  formCode: 'bilag',
  title: 'BILAG (classic)',
  items: CLASSIC_BILAG_SYSTEMS.map((s) => ({
    code: s,
    label: SYSTEM_LABELS[s] ?? s,
    type: 'code',
    codes: CLASSIC_BILAG_GRADE_CODE_LIST.codes,
    source: 'instruments.md §2.1',
  })),
};

const lab = (
  code: string,
  label: string,
  units: string[],
  min: number,
  max: number,
  help?: string,
): ItemDefinition => ({
  code,
  label,
  type: 'decimal',
  units,
  min,
  max,
  ...(help ? { help } : {}),
  source: 'trial.md Schedule (labs at each assessment)',
});

/** The lab panel at each assessment (trial.md "Schedule"), with each lab's own reference limits. */
export const LABS_FORM: FormDefinitionItems = {
  formCode: 'labs',
  title: 'Laboratory tests',
  items: [
    ...LAB_SAMPLE_ITEMS,
    lab('haemoglobin', 'Haemoglobin', ['g/L', 'g/dL'], 20, 250),
    lab('wbc', 'White cells', ['10^9/L'], 0, 200),
    lab('neutrophils', 'Neutrophils', ['10^9/L'], 0, 150),
    lab('lymphocytes', 'Lymphocytes', ['10^9/L'], 0, 100),
    lab('platelets', 'Platelets', ['10^9/L'], 0, 2000),
    lab('proteinuria_24h', '24-h urine protein', ['g/24h', 'mg/24h'], 0, 40),
    lab('upcr', 'Urine protein/creatinine ratio', ['mg/mmol', 'mg/g'], 0, 5000),
    lab('urine_rbc_hpf', 'Urine red cells', ['/hpf'], 0, 1000),
    lab('urine_wbc_hpf', 'Urine white cells', ['/hpf'], 0, 1000),
    {
      code: 'urine_casts',
      label: 'Heme-granular or red-cell casts',
      type: 'boolean',
      source: 'instruments.md §1.2 descriptor 11',
    },
    lab('creatinine', 'Serum creatinine', ['µmol/L', 'mg/dL'], 5, 3000),
    lab('urea', 'Urea nitrogen', ['mmol/L', 'mg/dL'], 0.3, 150),
    lab('albumin', 'Serum albumin', ['g/L', 'g/dL'], 5, 70),
    lab('c3', 'Complement C3', ['g/L', 'mg/dL'], 0, 5),
    lab('c3_lln', 'C3 lower limit of normal (this lab)', ['g/L', 'mg/dL'], 0, 5),
    lab('c4', 'Complement C4', ['g/L', 'mg/dL'], 0, 2),
    lab('c4_lln', 'C4 lower limit of normal (this lab)', ['g/L', 'mg/dL'], 0, 2),
    lab('anti_dsdna', 'Anti-dsDNA', ['IU/mL'], 0, 100000),
    lab('anti_dsdna_uln', 'Anti-dsDNA upper limit of normal (this lab)', ['IU/mL'], 0, 100000),
    {
      code: 'ana_titre',
      label: 'ANA titre (reciprocal, e.g. 320 for 1:320)',
      type: 'integer',
      min: 0,
      max: 100000,
      source: 'trial.md Schedule',
    },
    ...LAB_SIGNIFICANCE_ITEMS,
  ],
};

export const MEDICATION_FORM: FormDefinitionItems = {
  formCode: 'medication',
  title: 'Prednisone and immunosuppressants',
  items: [
    {
      code: 'prednisone_mg_day',
      label: 'Prednisone (or equivalent)',
      type: 'decimal',
      units: ['mg/day'],
      min: 0,
      max: 2000,
      source: 'trial.md Intervention (recorded at every visit)',
    },
    { code: 'cyclophosphamide', label: 'Cyclophosphamide', type: 'boolean' },
    {
      code: 'mycophenolate_g_day',
      label: 'Mycophenolate mofetil',
      type: 'decimal',
      units: ['g/day'],
      min: 0,
      max: 4,
    },
    { code: 'hydroxychloroquine', label: 'Hydroxychloroquine', type: 'boolean' },
    { code: 'other_immunosuppressant', label: 'Other immunosuppressant', type: 'text' },
  ],
};

export const VITAL_SIGNS_FORM: FormDefinitionItems = {
  formCode: 'vital-signs',
  title: 'Vital signs',
  items: [
    { code: 'weight_kg', label: 'Weight', type: 'decimal', units: ['kg'], min: 20, max: 300 },
    {
      code: 'systolic_bp',
      label: 'Systolic blood pressure',
      type: 'integer',
      units: ['mmHg'],
      min: 50,
      max: 260,
    },
    {
      code: 'diastolic_bp',
      label: 'Diastolic blood pressure',
      type: 'integer',
      units: ['mmHg'],
      min: 20,
      max: 160,
    },
    { code: 'heart_rate', label: 'Heart rate', type: 'integer', units: ['/min'], min: 20, max: 250 },
    // °F accepted too (converted by the SLEDAI-2K fever rule, instruments/units); range in °C.
    { code: 'temperature', label: 'Temperature', type: 'decimal', units: ['°C', '°F'], min: 30, max: 43 },
  ],
};

export const DEMOGRAPHICS_FORM: FormDefinitionItems = {
  formCode: 'demographics',
  title: 'Demographics and SLE history',
  items: [
    { code: 'age_years', label: 'Age at screening', type: 'integer', units: ['years'], min: 0, max: 120 },
    {
      code: 'disease_duration_months',
      label: 'SLE duration',
      type: 'integer',
      units: ['months'],
      min: 0,
      max: 1200,
    },
    {
      code: 'lupus_nephritis',
      label: 'Lupus nephritis at baseline',
      type: 'boolean',
      // Defines the LN subgroup of the analysis (analysis-plan.md); the help is for clinicians.
      help: 'Lupus nephritis present at baseline; defines the lupus nephritis subgroup of the analysis',
    },
    { code: 'manifestations', label: 'Manifestations at baseline', type: 'text' },
    {
      code: 'prior_immunosuppressants',
      label: 'Prior immunosuppressants with cumulative dosing',
      type: 'text',
    },
  ],
};

/** How a subject's participation ended. */
export const END_OF_STUDY_STATUS_CODE_LIST: CodeList = {
  id: 'end-of-study-status',
  label: 'End-of-study status',
  codes: [
    { code: 'completed', label: 'Completed 12 months' },
    { code: 'withdrawn', label: 'Withdrawn' },
    { code: 'lost', label: 'Lost to follow-up' },
    { code: 'died', label: 'Died' },
  ],
};

export const END_OF_STUDY_FORM: FormDefinitionItems = {
  formCode: 'end-of-study',
  title: 'End of study / withdrawal / death',
  items: [
    {
      code: 'status',
      label: 'Status',
      type: 'code',
      codes: END_OF_STUDY_STATUS_CODE_LIST.codes,
    },
    { code: 'date', label: 'Date of completion, withdrawal, last contact or death', type: 'date' },
    { code: 'last_contact_date', label: 'Last known alive', type: 'date' },
    { code: 'death_cause', label: 'Cause of death', type: 'text' },
    { code: 'withdrawal_reason', label: 'Reason for withdrawal', type: 'text' },
  ],
};

/**
 * Readable labels of the built-in trial's screening items (trial.md "Population": the criteria name
 * items by code). A study defined as data with other items gets its codes as words, capitalised.
 */
export const SCREENING_ITEM_LABELS: Readonly<Record<string, string>> = {
  acr_sle_classification: 'Meets the ACR classification criteria for SLE',
  age_years: 'Age',
  sledai2k_screening: 'SLEDAI-2K at screening',
  lupus_nephritis: 'Lupus nephritis',
  urine_protein_24h_g: '24-h urine protein',
  failed_prednisone_mg_day: 'Failed prednisone dose',
  failed_cyc_dose_g_m2: 'Failed cyclophosphamide dose',
  failed_cyc_months: 'Cyclophosphamide given for',
  failed_mmf_g_day: 'Failed mycophenolate dose',
  failed_mmf_months: 'Mycophenolate given for',
  failed_other_immunosuppressant: 'Failed another immunosuppressant',
  informed_consent_signed: 'Informed consent signed',
  contraception_agreed: 'Contraception agreed',
  active_uncontrolled_infection: 'Active uncontrolled infection',
  pregnant_or_lactating: 'Pregnant or lactating',
  malignancy: 'Malignancy',
  severe_heart_failure: 'Severe heart failure',
  severe_liver_failure: 'Severe liver failure',
  egfr_ml_min_1_73m2: 'eGFR',
  on_dialysis: 'On dialysis',
  other_trial_within_3_months: 'In another trial within the last 3 months',
};

const screeningLabel = (code: string) => {
  const words = code.replaceAll('_', ' ');
  return SCREENING_ITEM_LABELS[code] ?? words.charAt(0).toUpperCase() + words.slice(1);
};

function conditionItemDefs(c: EligibilityCondition, out: Map<string, ItemDefinition>): void {
  switch (c.op) {
    case 'all':
    case 'any':
      for (const sub of c.conditions) conditionItemDefs(sub, out);
      return;
    case 'is':
      if (!out.has(c.item))
        out.set(
          c.item,
          typeof c.value === 'boolean'
            ? { code: c.item, label: screeningLabel(c.item), type: 'boolean' }
            : { code: c.item, label: screeningLabel(c.item), type: 'text' },
        );
      return;
    default:
      if (!out.has(c.item))
        out.set(c.item, { code: c.item, label: screeningLabel(c.item), type: 'decimal', min: 0 });
  }
}

/** The screening-form item holding the justification of a waiver of criterion `id`. */
export const waiverItemCode = (criterionId: string) => `waiver_${criterionId.replaceAll('-', '_')}`;

/** The screening form is whatever the eligibility criteria read: one item per criterion item. */
export function eligibilityForm(criteria: readonly EligibilityCriterion[]): FormDefinitionItems {
  const items = new Map<string, ItemDefinition>();
  for (const c of criteria) conditionItemDefs(c.condition, items);
  // A justified protocol deviation (trial.md "Population": the enrolled cohort does not meet every
  // registered criterion) is recorded as the waiver's reason on the screening form, so it is audited.
  for (const c of criteria) {
    items.set(waiverItemCode(c.id), {
      code: waiverItemCode(c.id),
      label: `Waiver of "${c.label}": justification`,
      type: 'text',
    });
  }
  return { formCode: 'eligibility', title: 'Eligibility and screening', items: [...items.values()] };
}

/** The built-in trial's forms with item definitions (others of its forms hold free items). */
export const MSCT_SLE_FORMS: readonly FormDefinitionItems[] = [
  SLEDAI2K_FORM,
  CLASSIC_BILAG_FORM,
  LABS_FORM,
  MEDICATION_FORM,
  VITAL_SIGNS_FORM,
  DEMOGRAPHICS_FORM,
  END_OF_STUDY_FORM,
];

/** The catalog's code lists, each declared once (a definition's items name them by id). */
export const CATALOG_CODE_LISTS: readonly CodeList[] = [
  CLASSIC_BILAG_GRADE_CODE_LIST,
  END_OF_STUDY_STATUS_CODE_LIST,
  LAB_SIGNIFICANCE_CODE_LIST,
  ...BILAG2004_CODE_LISTS,
];

/**
 * The item definitions that apply to a study: each form of its definition with the items the
 * definition declares (code lists resolved), or, for a form declaring none, the catalog's items when
 * the catalog knows the form code, plus the screening form built from its eligibility criteria.
 * Other forms hold free items.
 */
export function itemFormsFor(definition: {
  forms?: readonly { id: string; title: string; items?: readonly DefinitionItem[] }[];
  codeLists?: readonly CodeList[];
  eligibility?: readonly EligibilityCriterion[];
}): Map<string, FormDefinitionItems> {
  const out = new Map<string, FormDefinitionItems>();
  const forms = definition.forms ?? [];
  const ids = new Set(forms.map((f) => f.id));
  for (const f of MSCT_SLE_FORMS) if (ids.has(f.formCode)) out.set(f.formCode, f);
  if (ids.has(BILAG2004_FORM.formCode)) out.set(BILAG2004_FORM.formCode, BILAG2004_FORM);
  if (ids.has('eligibility') && definition.eligibility)
    out.set('eligibility', eligibilityForm(definition.eligibility));
  for (const f of forms) {
    const items = f.items;
    if (items)
      out.set(f.id, resolveDefinitionForm({ id: f.id, title: f.title, items }, definition.codeLists ?? []));
  }
  return out;
}
