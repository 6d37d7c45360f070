/**
 * Entry follows the definition (issue #20): a visit is opened only for a visit of the schedule (or
 * as an unscheduled visit, with a reason), a form is entered only at a visit where the definition
 * collects it. Items are the form's own (crf/item-definition.ts `checkItemValue`). An ad-hoc study
 * (no definition: no visits, no forms) keeps free visit and form codes.
 *
 * Each refusal names its rule, the field and the allowed choices, so the API can answer 4xx and the
 * web app offers exactly the choices.
 */
import type { StoredDefinition } from './stored-definition.js';
import { UNSCHEDULED_VISIT_CODE } from './visit-schedule.js';

export type EntryRule =
  | 'visit-not-in-schedule'
  | 'visit-not-repeated-in-cycles'
  | 'cycle-beyond-plan'
  | 'unscheduled-reason-required'
  | 'form-not-in-definition'
  | 'form-not-at-visit'
  | 'form-not-repeating';

export interface EntryRefusal {
  rule: EntryRule;
  /** The request field the refusal is about. */
  field: 'visitCode' | 'cycle' | 'reason' | 'formCode' | 'record';
  message: string;
}

const quote = (s: string) => JSON.stringify(s);

/** The visit codes a visit may be opened with: the schedule's, then UNSCHEDULED. Empty: free codes. */
export function visitChoices(definition: StoredDefinition): string[] {
  const visits = definition.visits ?? [];
  return visits.length === 0 ? [] : [...visits.map((v) => v.code), UNSCHEDULED_VISIT_CODE];
}

/** The forms the definition collects at a visit code, in the definition's order. Empty: free. */
export function formChoicesAt(definition: StoredDefinition, visitCode: string): string[] {
  return (definition.forms ?? []).filter((f) => f.visitCodes.includes(visitCode)).map((f) => f.id);
}

/**
 * The forms the definition expects at a visit code (the status grid's "not entered", lock readiness's
 * missing forms, the coordinator's worklist): those it collects there, except at an unscheduled visit,
 * which collects what the day needs and so expects nothing — in particular not the end-of-study form
 * that the definition allows there (issue #22). The one place this rule lives.
 */
export function expectedFormCodesAt(
  forms: readonly { id: string; visitCodes: readonly string[] }[] | undefined,
  visitCode: string,
): string[] {
  if (visitCode === UNSCHEDULED_VISIT_CODE) return [];
  return (forms ?? []).filter((f) => f.visitCodes.includes(visitCode)).map((f) => f.id);
}

/** Why a visit may not be opened, or undefined when it may. */
export function visitOpeningRefusal(
  definition: StoredDefinition,
  studyCode: string,
  input: { visitCode: string; cycle?: number; reason?: string },
): EntryRefusal | undefined {
  const choices = visitChoices(definition);
  if (choices.length === 0) return undefined;
  const cycle = input.cycle ?? 1;
  if (input.visitCode === UNSCHEDULED_VISIT_CODE) {
    if (!input.reason?.trim())
      return {
        rule: 'unscheduled-reason-required',
        field: 'reason',
        message: `an unscheduled visit of study ${studyCode} needs a reason (why the subject was seen outside the schedule)`,
      };
  } else {
    const visit = definition.visits?.find((v) => v.code === input.visitCode);
    if (!visit)
      return {
        rule: 'visit-not-in-schedule',
        field: 'visitCode',
        message: `visitCode: ${quote(input.visitCode)} is not a visit of study ${studyCode} (${choices.join(', ')})`,
      };
    if (cycle > 1 && !visit.repeatsInCycles)
      return {
        rule: 'visit-not-repeated-in-cycles',
        field: 'cycle',
        message: `visit ${input.visitCode} of study ${studyCode} is not repeated in a re-treatment cycle (cycle ${cycle})`,
      };
  }
  const maxCycles = definition.infusion?.maxCycles;
  if (maxCycles !== undefined && cycle > maxCycles)
    return {
      rule: 'cycle-beyond-plan',
      field: 'cycle',
      message: `cycle ${cycle} is beyond the ${maxCycles} treatment cycle${maxCycles === 1 ? '' : 's'} of study ${studyCode}`,
    };
  return undefined;
}

/** Why a form may not be entered at a visit, or undefined when it may. */
export function formEntryRefusal(
  definition: StoredDefinition,
  studyCode: string,
  formCode: string,
  visitCode: string,
): EntryRefusal | undefined {
  const forms = definition.forms ?? [];
  if (forms.length === 0) return undefined;
  const form = forms.find((f) => f.id === formCode);
  if (!form)
    return {
      rule: 'form-not-in-definition',
      field: 'formCode',
      message: `formCode: ${quote(formCode)} is not a form of study ${studyCode} (${forms.map((f) => f.id).join(', ')})`,
    };
  if (!form.visitCodes.includes(visitCode))
    return {
      rule: 'form-not-at-visit',
      field: 'formCode',
      message: `formCode: ${quote(formCode)} is not collected at visit ${visitCode} of study ${studyCode} (${formChoicesAt(definition, visitCode).join(', ') || 'no forms'}; ${formCode} at ${form.visitCodes.join(', ')})`,
    };
  return undefined;
}

/**
 * A form holds records 1, 2, … at a visit only when the definition declares it `repeating` (issues
 * #20, #23: a concomitant-medication log); any other form holds one record (record 1). An ad-hoc
 * study (no forms) takes record 1 only: nothing declares a form repeating there.
 */
export function formRecordRefusal(
  definition: StoredDefinition,
  studyCode: string,
  formCode: string,
  record: number,
): EntryRefusal | undefined {
  if (!Number.isInteger(record) || record < 1)
    return {
      rule: 'form-not-repeating',
      field: 'record',
      message: `record: ${record} is not a record number (1, 2, …)`,
    };
  if (record === 1) return undefined;
  const form = (definition.forms ?? []).find((f) => f.id === formCode);
  if (form?.repeating) return undefined;
  return {
    rule: 'form-not-repeating',
    field: 'record',
    message: `record: form ${quote(formCode)} of study ${studyCode} is not repeating, so a visit holds one record of it (record 1), not record ${record}`,
  };
}
