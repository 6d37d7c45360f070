/**
 * The one schema of a study definition (issue #20): the shape every definition must have, whether
 * written in TypeScript (the built-in trial), posted to the API, read from a file by the CLI or read
 * back from the database. The TypeScript types of study-definition.ts are inferred from it.
 *
 * This file holds the shape of each value; the rules that look across values (unknown code list,
 * visit or form; duplicate ids; visit order and window overlaps) are cross-checks.ts, run by
 * validateStudyDefinition (validate-definition.ts) on the same input so that every problem is listed.
 *
 * zod is the one runtime dependency of core: the same schema types the API, the CLI and the web app
 * (DESIGN.md principle 5).
 */
import { z } from 'zod';
import type { ShowIfCondition } from '../crf/show-if.js';

/** A non-blank string (the checks say "must not be empty" rather than accept a space). */
const text = z.string().regex(/\S/, 'must not be empty');
const nonNegativeInt = z.int().min(0);

// ---------------------------------------------------------------------------------------------
// Centres and the visit schedule
// ---------------------------------------------------------------------------------------------

export const centreSchema = z.strictObject({
  /** Stable short id used in subject numbers and site scoping, e.g. 'NJ-DT'. */
  id: text,
  name: text,
  city: text,
  country: text,
});

/** What happens at a visit; decides how the schedule treats it. */
export const visitKindSchema = z.enum(['screening', 'baseline', 'infusion', 'assessment']);

/** Allowed distance from the target day, in days: symmetric, or different before/after. */
export const visitWindowSchema = z.union([
  nonNegativeInt,
  z.strictObject({ before: nonNegativeInt, after: nonNegativeInt }),
]);

/**
 * A visit of the schedule. Its window is anchored on the protocol event that starts a treatment
 * cycle: study day 0 = the cycle's first infusion (the baseline visit; DESIGN.md "Conventions").
 */
export const visitSchema = z.strictObject({
  /** Unique within the study, e.g. 'SCR', 'D0', 'D7', 'M1'. */
  code: text,
  label: text,
  kind: visitKindSchema,
  /** Study day relative to the cycle's day 0 (day 0 = first infusion of the cycle). */
  targetDay: z.int(),
  windowDays: visitWindowSchema,
  /** Month label of a follow-up assessment (1, 3, 6, 9, 12), used by endpoint rules. */
  month: nonNegativeInt.optional(),
  /** Whether a re-treatment cycle repeats this visit against its own day 0 (screening does not). */
  repeatsInCycles: z.boolean(),
});

export const infusionPlanSchema = z.strictObject({
  product: text,
  route: text,
  /** Visit codes at which an infusion is given, in order (day 0, day 7 for MSCT–SLE). */
  infusionVisitCodes: z.array(text).min(1),
  /** Planned dose per infusion, cells per kg body weight. */
  cellsPerKg: z.number().gt(0),
  /** Largest allowed relative deviation of the given dose from plan before it is flagged (0.1 = ±10%). */
  doseTolerance: z.number().min(0).max(1),
  /** Product release criterion: minimum viability, percent of cells. */
  minViabilityPercent: z.number().min(0).max(100),
  /** Largest number of treatment cycles (1 = no re-treatment). */
  maxCycles: z.int().min(1),
});

// ---------------------------------------------------------------------------------------------
// Forms, items and code lists
// ---------------------------------------------------------------------------------------------

export const itemTypeSchema = z.enum(['boolean', 'integer', 'decimal', 'text', 'date', 'code']);

/** One allowed value of a code list. */
export const codeSchema = z.strictObject({ code: text, label: text });

/** A code list, declared once in the definition and referenced by its id from items. */
export const codeListSchema = z.strictObject({
  id: text,
  label: text.optional(),
  codes: z.array(codeSchema).readonly().check(z.minLength(1)),
});

/**
 * Missing-data codes an item may hold instead of a value (CDISC usage): ND not done, NK not known,
 * NA not applicable.
 */
export const missingDataCodeSchema = z.enum(['ND', 'NK', 'NA']);

/**
 * Branching logic: the item is shown (and takes a value) only while this condition on other items of
 * its form holds (crf/show-if.ts). Values are compared as stored text.
 */
export const showIfSchema: z.ZodType<ShowIfCondition> = z.lazy(() =>
  z.discriminatedUnion('op', [
    z.strictObject({ op: z.literal('is'), item: text, value: z.string().max(2000) }),
    z.strictObject({ op: z.literal('isNot'), item: text, value: z.string().max(2000) }),
    z.strictObject({ op: z.literal('all'), conditions: z.array(showIfSchema).min(1) }),
    z.strictObject({ op: z.literal('any'), conditions: z.array(showIfSchema).min(1) }),
  ]),
);

/** The fields every item has, in the definition and in the resolved form catalog alike. */
const itemFields = {
  code: text,
  label: text,
  type: itemTypeSchema,
  /** Units accepted for a numeric item; the first is the form's default. Absent = unitless. */
  units: z.array(text).readonly().check(z.minLength(1)).optional(),
  /** Plausibility range, in the default unit (a hard edit check: outside it the value is refused). */
  min: z.number().optional(),
  max: z.number().optional(),
  /** Help text shown beside the item. */
  help: text.optional(),
  /** Where the definition, range or threshold comes from. */
  source: text.optional(),
  /** The item must be filled in (or hold one of its missing-data codes) for the form to be complete. */
  required: z.boolean().optional(),
  /** Missing-data codes the item accepts in place of a value. */
  missingCodes: z.array(missingDataCodeSchema).readonly().optional(),
  /** Branching logic: shown, and takes a value, only while this holds (crf/show-if.ts). */
  showIf: showIfSchema.optional(),
  /**
   * This item records the clinical significance (CS/NCS) of the lab item it names, in the same form:
   * asked, and required for completeness, while that lab is outside its reference range (issue #22).
   */
  significanceOf: text.optional(),
  /** LOINC codes whose results are this item (FHIR lab import, exchange fhir-import.ts), e.g. "718-7". */
  loinc: z
    .array(z.string().regex(/^\d{1,7}-\d$/, 'a LOINC code is digits, a hyphen and a check digit, e.g. 718-7'))
    .readonly()
    .optional(),
};

/** An item as the definition declares it: a `code` item names its code list by id. */
export const definitionItemSchema = z.strictObject({
  ...itemFields,
  /** The id of one of the definition's `codeLists`, for an item of type `code`. */
  codeList: text.optional(),
});

/**
 * An item with its code list resolved: what entry, checks and exports read
 * (crf/item-definition.ts `checkItemValue`).
 */
export const itemDefinitionSchema = z.strictObject({
  ...itemFields,
  /** Allowed codes for a `code` item. */
  codes: z.array(codeSchema).readonly().optional(),
});

/** A form with its items resolved: what entry checks read (crf/forms.ts `itemFormsFor`). */
export const resolvedFormSchema = z.strictObject({
  formCode: text,
  title: text,
  items: z.array(itemDefinitionSchema).readonly(),
});

export const formSchema = z.strictObject({
  /** The form code, e.g. 'sledai2k'. */
  id: text,
  title: text,
  /** Visit codes at which the form is expected; 'UNSCHEDULED' allows it at unscheduled visits. */
  visitCodes: z.array(text).min(1),
  /**
   * The form's items. Absent: the form's items come from core's catalog when it knows the form
   * (crf/forms.ts), the screening form from the eligibility criteria; otherwise the form is free.
   */
  items: z.array(definitionItemSchema).optional(),
  /**
   * A repeating form holds any number of records per visit (a concomitant-medication or AE log; ODM
   * `Repeating="Yes"`, issues #20, #23). Absent or false: one record per visit. A repeating form is
   * never one the analysis reads (derived scores, labs: cross-checks.ts `ANALYSIS_FORM_CODES`).
   */
  repeating: z.boolean().optional(),
});

// ---------------------------------------------------------------------------------------------
// Lab reference ranges (issue #22)
// ---------------------------------------------------------------------------------------------

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/**
 * The reference range of one lab item in one unit: the protocol default for every site (no
 * `centre`; it cites its `source`) or the range a site's laboratory reports, from a date on. A value
 * is flagged against the most specific range in force on its sample date (crf/lab-flags.ts).
 */
export const labReferenceRangeSchema = z.strictObject({
  /** A numeric lab item of the definition's forms, e.g. 'platelets'. */
  itemCode: text,
  /** One of the item's units; a value entered in another unit is not flagged against this range. */
  unit: text,
  /** The centre whose laboratory reports this range; absent: the protocol default for every site. */
  centre: text.optional(),
  /** For one sex only (e.g. haemoglobin); absent: either. */
  sex: z.enum(['female', 'male']).optional(),
  /** Lower and upper limits of normal; a value equal to a limit is within the range. */
  low: z.number().optional(),
  high: z.number().optional(),
  /** Critical (panic) limits, beyond the limits of normal. */
  criticalLow: z.number().optional(),
  criticalHigh: z.number().optional(),
  /** First and last sample date the range applies to (inclusive); absent: open-ended. */
  effectiveFrom: isoDay.optional(),
  effectiveTo: isoDay.optional(),
  /** Where the numbers come from (required for a protocol default). */
  source: text.optional(),
});

// ---------------------------------------------------------------------------------------------
// Eligibility
// ---------------------------------------------------------------------------------------------

export const numericComparatorSchema = z.enum(['gt', 'gte', 'lt', 'lte', 'eq']);
export const criterionKindSchema = z.enum(['inclusion', 'exclusion']);

const numericCondition = z.strictObject({
  op: numericComparatorSchema,
  item: text,
  value: z.number(),
  unit: z.string().optional(),
});
const betweenCondition = z.strictObject({
  op: z.literal('between'),
  item: text,
  min: z.number(),
  max: z.number(),
  unit: z.string().optional(),
});
const isCondition = z.strictObject({
  op: z.literal('is'),
  item: text,
  value: z.union([z.boolean(), z.string()]),
});

/** A condition on screening items; `all`/`any` combine sub-conditions (eligibility.ts evaluates). */
export type EligibilityCondition =
  | z.infer<typeof numericCondition>
  | z.infer<typeof betweenCondition>
  | z.infer<typeof isCondition>
  | { op: 'all'; conditions: EligibilityCondition[] }
  | { op: 'any'; conditions: EligibilityCondition[] };

// A recursive schema needs its type written once (zod cannot infer a type from its own initializer);
// the leaves above are inferred.
export const eligibilityConditionSchema: z.ZodType<EligibilityCondition> = z.lazy(() =>
  z.discriminatedUnion('op', [
    numericCondition,
    betweenCondition,
    isCondition,
    z.strictObject({ op: z.literal('all'), conditions: z.array(eligibilityConditionSchema).min(1) }),
    z.strictObject({ op: z.literal('any'), conditions: z.array(eligibilityConditionSchema).min(1) }),
  ]),
);

export const eligibilityCriterionSchema = z.strictObject({
  id: text,
  label: text,
  kind: criterionKindSchema,
  /** For an inclusion: what must hold. For an exclusion: what, if it holds, excludes. */
  condition: eligibilityConditionSchema,
  /** Where the criterion comes from, e.g. 'trial.md Population, registry NCT01741857 inclusion 1'. */
  source: text,
});

/**
 * The labs an eligibility criterion can read from a visit's lab form, each in the one unit the
 * analysis uses (crf/derive-labs.ts `CanonicalLabs`; the key names the unit).
 */
export const heldLabSchema = z.enum([
  'proteinuriaG24h',
  'upcrMgMmol',
  'creatinineUmolL',
  'albuminGL',
  'c3GL',
  'c4GL',
  'haemoglobinGL',
  'plateletsE9L',
]);

/**
 * Where the study already holds a value an eligibility criterion reads (issue #20: "eligibility reads
 * values the study already holds instead of asking again"). The screening form asks only for what is
 * not held; a held value overrides what the screening form says (crf/held-screening.ts).
 * - `age`: whole years from the subject's birth date to the date of `visit`;
 * - `score`: a score derived from the forms of `visit` (SLEDAI-2K);
 * - `lab`: a lab of `visit`'s lab form, converted to the key's unit;
 * - `item`: an item of a form of `visit`, as stored;
 * - `egfr`: eGFR (mL/min/1.73 m²) derived by `equation` from the creatinine of `visit`'s lab form, the
 *   age at that visit (birth date) and the subject's sex — trial.md Population excludes "eGFR < 15",
 *   a filtration rate, not a creatinine (instruments.md §6.1: CKD-EPI 2021 creatinine, race-free).
 */
export const eligibilitySourceSchema = z.discriminatedUnion('from', [
  z.strictObject({ item: text, from: z.literal('age'), visit: text }),
  z.strictObject({ item: text, from: z.literal('score'), score: z.enum(['sledai2k']), visit: text }),
  z.strictObject({ item: text, from: z.literal('lab'), lab: heldLabSchema, visit: text }),
  z.strictObject({ item: text, from: z.literal('item'), visit: text, form: text, formItem: text }),
  z.strictObject({ item: text, from: z.literal('egfr'), equation: z.enum(['ckd-epi-2021-cr']), visit: text }),
]);

// ---------------------------------------------------------------------------------------------
// Edit checks (issue #20: "edit checks as data"; evaluated by edit-checks.ts, run at commit by the
// store's item writer, which raises a system query for a broken check of severity 'query')
// ---------------------------------------------------------------------------------------------

/** A soft plausibility range of one item (the item's own min/max is the hard range that refuses). */
const rangeRule = z.strictObject({
  kind: z.literal('range'),
  item: text,
  min: z.number().optional(),
  max: z.number().optional(),
  /** The unit the bounds are in (shown in the query); values in another unit are not compared. */
  unit: text.optional(),
});

/** `item` must be filled in when `condition` (on the same form's items) holds. */
const requiredIfRule = z.strictObject({
  kind: z.literal('required-if'),
  item: text,
  condition: eligibilityConditionSchema,
});

export const compareOperatorSchema = z.enum(['lt', 'lte', 'gt', 'gte', 'eq', 'ne']);

/** `item op other` (another item of the same form) or `item op value`. */
const compareRule = z.strictObject({
  kind: z.literal('compare'),
  item: text,
  op: compareOperatorSchema,
  /** The other item of the same form; exactly one of `other` and `value`. */
  other: text.optional(),
  value: z.number().optional(),
});

/**
 * `item` at this visit against `referenceItem` (default: the same item) of the same form at the
 * named earlier visit of the same cycle: its change, relative to the reference value, must not exceed
 * `maxChangePercent` (e.g. weight change > 10 % from baseline).
 */
const crossVisitRule = z.strictObject({
  kind: z.literal('cross-visit'),
  item: text,
  referenceVisit: text,
  referenceItem: text.optional(),
  maxChangePercent: z.number().gt(0),
});

export const editCheckRuleSchema = z.discriminatedUnion('kind', [
  rangeRule,
  requiredIfRule,
  compareRule,
  crossVisitRule,
]);

export const editCheckSeveritySchema = z.enum(['query', 'warning']);

export const editCheckSchema = z.strictObject({
  /** Unique within the study; names the check on the system queries it raises. */
  id: text,
  /** What the site reads on the query, e.g. 'Diastolic BP is not below systolic BP'. */
  message: text,
  /** 'query': a broken check raises a system query; 'warning': it is only reported, no query. */
  severity: editCheckSeveritySchema,
  /** The form whose items the check reads. */
  form: text,
  /** The check applies only when this condition on the form's items holds. */
  when: eligibilityConditionSchema.optional(),
  rule: editCheckRuleSchema,
  /** Where the plausibility limit comes from. */
  source: text.optional(),
});

// ---------------------------------------------------------------------------------------------
// Endpoints and analysis
// ---------------------------------------------------------------------------------------------

/**
 * When a responder is flagged for a repeat cycle (endpoints.md "Re-treatment rule"). The flag is
 * advice; starting a cycle is an audited action at the edge.
 */
export const retreatmentRuleSchema = z.strictObject({
  /**
   * "After month 6" (endpoints.md "Re-treatment rule") = after this cycle's assessment with this visit
   * code (e.g. 'M6'): only relapses and assessments later than it count. Absent: `afterStudyDay` only.
   */
  afterVisitCode: text.optional(),
  /**
   * Cycle day after which assessments count when `afterVisitCode` is absent or that visit was not
   * done (the end of its window, e.g. 196 = 182 + 14 for M6, trial.md Schedule).
   */
  afterStudyDay: nonNegativeInt,
  /** A relapse after month 6 (as above) flags re-treatment. */
  flagOnRelapse: z.boolean(),
  /** SLEDAI-2K rise, from the assessment that established response, that counts as rising. */
  sledaiRise: z.number().gt(0),
  /** Number of consecutive assessments the serological worsening must persist. */
  consecutiveAssessments: z.int().min(1),
});

// ---------------------------------------------------------------------------------------------
// Arms, randomisation and blinding (issue #24; engine: @msct/core/randomisation)
// ---------------------------------------------------------------------------------------------

/** A treatment arm of a randomised study, with its share of the allocation ratio (2 and 1 for 2:1). */
export const armSchema = z.strictObject({
  /** Unique arm code, e.g. 'msct', 'control'. */
  id: z.string().regex(/^[^;=|\s]+$/, 'must be a code without spaces or ; = |'),
  label: text,
  /** The arm's integer share of the allocation ratio (issue 24: "allocation ratio from the definition"). */
  ratio: z.int().min(1),
});

/** The roles of the platform (store ROLES), as a definition names them for blinding. */
export const studyRoleSchema = z.enum([
  'admin',
  'investigator',
  'coordinator',
  'monitor',
  'statistician',
  'safety',
]);

/**
 * A stratification (or minimisation) factor: the subject's site, or the value of one item the
 * study already holds (e.g. the lupus nephritis class on the screening form). For an item, the
 * levels are its possible values (a code item's codes, or a subset the protocol names).
 */
export const stratificationFactorSchema = z.strictObject({
  name: z.string().regex(/^[^;=|\s]+$/, 'must be a name without spaces or ; = |'),
  source: z.union([
    z.literal('site'),
    z.strictObject({
      form: text,
      item: text,
      /** The visit whose form holds the value; absent: the first visit that collects the form. */
      visit: text.optional(),
    }),
  ]),
  /** The levels, required for an item factor (a site factor's levels are the study's sites). */
  levels: z
    .array(z.string().regex(/^[^;=|]+$/, 'must not be empty or hold ; = |'))
    .min(1)
    .optional(),
  /** Minimisation weight w_f (default 1). */
  weight: z.number().gt(0).optional(),
});

export const randomisationSchema = z.strictObject({
  /** Permuted blocks of mixed sizes, or Pocock–Simon minimisation with a random element. */
  method: z.enum(['blocks', 'minimisation']),
  /** Block sizes for method 'blocks', each a multiple of the ratio total; one drawn per block. */
  blockSizes: z.array(z.int().min(1)).min(1).optional(),
  /** Minimisation's random element and imbalance measure (defaults: 0.8, range). */
  minimisation: z
    .strictObject({
      probability: z.number().gt(0).max(1),
      imbalance: z.enum(['range', 'variance']),
    })
    .optional(),
  /** Stratification factors (blocks) or minimisation factors, by name. */
  factors: z.array(stratificationFactorSchema),
  /** Roles that never see the arm nor anything that reveals it. */
  blindedRoles: z.array(studyRoleSchema),
  /** Forms and items whose values reveal the arm: hidden from blinded roles. */
  armRevealing: z
    .strictObject({
      forms: z.array(text).optional(),
      items: z.array(z.strictObject({ form: text, item: text })).optional(),
    })
    .optional(),
});

export const bilagVersionSchema = z.enum(['classic', '2004']);

export const studyDefinitionSchema = z.strictObject({
  id: text,
  title: text,
  version: text,
  /** Publication / registry the definition operationalises. */
  source: text,
  centres: z.array(centreSchema).min(1),
  /** Treatment arms (issue #24); absent for a single-arm study. */
  arms: z.array(armSchema).min(1).optional(),
  /** How subjects are randomised between the arms, and who is blinded; absent: not randomised. */
  randomisation: randomisationSchema.optional(),
  visits: z.array(visitSchema).min(1),
  infusion: infusionPlanSchema,
  /** Code lists referenced by the forms' items (each declared once). */
  codeLists: z.array(codeListSchema).optional(),
  forms: z.array(formSchema),
  eligibility: z.array(eligibilityCriterionSchema),
  /** Criterion items read from values the study holds rather than asked on the screening form. */
  eligibilitySources: z.array(eligibilitySourceSchema).optional(),
  /** Edit checks run when values are saved or imported (issue #20/#21); absent: none. */
  editChecks: z.array(editCheckSchema).optional(),
  /** Lab reference ranges: protocol defaults and each site laboratory's (issue #22); absent: none. */
  labReferenceRanges: z.array(labReferenceRangeSchema).optional(),
  /** Named, versioned endpoint rule set (see @msct/core/endpoints), e.g. 'msct-sle-bilag-2014'. */
  endpointRuleSetId: text,
  retreatment: retreatmentRuleSchema,
  bilagVersion: bilagVersionSchema,
  /**
   * The BILAG whose system grades drive the endpoints (MCR, PCR, relapse; endpoints.md). The
   * adjudication grades classic BILAG systems, whose grades the assessor enters from the glossary
   * (instruments.md §2.1): the only value accepted is 'classic'. BILAG-2004 grades can be recorded
   * and are shown, but several of its grading rules are provisional (instruments/bilag2004/
   * provisional.ts), so they never drive an endpoint. Absent in definitions written before it:
   * read as 'classic', which is what the adjudication has always used.
   */
  endpointBilagVersion: z.literal('classic').optional(),
  /** SLEDAI-2K look-back window in days (10 canonical, 30 variant; instruments.md §1.1). */
  sledaiWindowDays: z.int().min(1),
  /**
   * The analysis plan's measures this study analyses, by key (@msct/core/analysis MEASURES, e.g.
   * 'sledai', 'bilag.total'). Absent: every measure of the plan.
   */
  analysisMeasures: z.array(text).optional(),
});
