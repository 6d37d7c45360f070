/**
 * The study definition: everything the platform needs to run a trial, as plain data.
 *
 * A new study is a new value of this type (JSON or TS), checked by `validateStudyDefinition`; no
 * platform code changes. The built-in MSCT–SLE trial is `msctSleTrial` (msct-sle-trial.ts).
 */
import type { z } from 'zod';
import type {
  armSchema,
  bilagVersionSchema,
  centreSchema,
  codeListSchema,
  definitionItemSchema,
  eligibilitySourceSchema,
  formSchema,
  heldLabSchema,
  infusionPlanSchema,
  labReferenceRangeSchema,
  randomisationSchema,
  retreatmentRuleSchema,
  stratificationFactorSchema,
  studyDefinitionSchema,
  studyRoleSchema,
  visitKindSchema,
  visitSchema,
  visitWindowSchema,
} from './definition-schema.js';

// The types are inferred from the one schema (definition-schema.ts); its comments document each field.
export type Centre = z.infer<typeof centreSchema>;
export type VisitKind = z.infer<typeof visitKindSchema>;
export type VisitWindow = z.infer<typeof visitWindowSchema>;
export type VisitDefinition = z.infer<typeof visitSchema>;
export type InfusionPlan = z.infer<typeof infusionPlanSchema>;
export type CodeList = z.infer<typeof codeListSchema>;
export type DefinitionItem = z.infer<typeof definitionItemSchema>;
export type FormDefinition = z.infer<typeof formSchema>;
export type RetreatmentRuleParameters = z.infer<typeof retreatmentRuleSchema>;
export type BilagVersion = z.infer<typeof bilagVersionSchema>;
export type ArmDefinition = z.infer<typeof armSchema>;
export type StudyRole = z.infer<typeof studyRoleSchema>;
export type StratificationFactorDefinition = z.infer<typeof stratificationFactorSchema>;
export type RandomisationDefinition = z.infer<typeof randomisationSchema>;
export type StudyDefinition = z.infer<typeof studyDefinitionSchema>;
export type LabReferenceRange = z.infer<typeof labReferenceRangeSchema>;
export type EligibilitySource = z.infer<typeof eligibilitySourceSchema>;
export type HeldLab = z.infer<typeof heldLabSchema>;

/** Earliest and latest study day of a visit's window. */
export function visitWindowDays(visit: Pick<VisitDefinition, 'targetDay' | 'windowDays'>): {
  earliestDay: number;
  latestDay: number;
} {
  const w = visit.windowDays;
  const before = typeof w === 'number' ? w : w.before;
  const after = typeof w === 'number' ? w : w.after;
  return { earliestDay: visit.targetDay - before, latestDay: visit.targetDay + after };
}

/** The BILAG version that drives the endpoints, for users (patient page, report, study page). */
export function endpointBilagStatement(
  definition: Partial<Pick<StudyDefinition, 'endpointBilagVersion'>>,
): string {
  const v = definition.endpointBilagVersion ?? 'classic';
  return v === 'classic'
    ? 'Endpoints are judged on classic BILAG system grades (verified); BILAG-2004 grades, where recorded, do not drive endpoints.'
    : `Endpoints are judged on BILAG ${v}.`;
}
