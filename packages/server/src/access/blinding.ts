// Blinding (issue 24): the roles a study's definition names as blinded never see the arm nor what
// reveals it. Decided here, beside the access policy, so every route asks the same question.
import { armRevealingOf, blindedRolesOf, type StoredDefinition } from '@msct/core/protocol';
import type { Unblinding } from '@msct/store';
import { HttpProblem } from '../http/problem.js';
import type { Principal } from './policy.js';

/**
 * Whether the user is blinded in this study: one of its roles there is a blinded role. A person
 * who is blinded in one capacity stays blinded (a blinded monitor who is also a statistician does
 * not learn the arm by the second role).
 */
export function isBlinded(
  p: Pick<Principal, 'assignments'>,
  studyId: string,
  definition: StoredDefinition,
): boolean {
  const blinded = blindedRolesOf(definition);
  if (blinded.length === 0) return false;
  return p.assignments.some(
    (a) => (a.study_id === null || a.study_id === studyId) && (blinded as readonly string[]).includes(a.role),
  );
}

/**
 * Whether the user may see this subject's arm: unblinded users always; a blinded user only after
 * an emergency unblinding of the subject, if it was theirs or the user has the safety role (the
 * unblinding is notified to safety).
 */
export function seesArm(
  p: Principal,
  studyId: string,
  definition: StoredDefinition,
  unblindings: readonly Unblinding[],
): boolean {
  if (!isBlinded(p, studyId, definition)) return true;
  if (unblindings.length === 0) return false;
  if (unblindings.some((u) => u.unblinded_by === p.userId)) return true;
  return p.assignments.some((a) => a.role === 'safety' && (a.study_id === null || a.study_id === studyId));
}

/**
 * What an ODM or SDTM export for this user leaves out (issue 24): for a blinded user, the forms and
 * items the definition names as arm-revealing (and with them the arm); nothing for anyone else.
 */
export function exportBlinding(
  p: Pick<Principal, 'assignments'>,
  studyId: string,
  definition: StoredDefinition,
): ReturnType<typeof armRevealingOf> | undefined {
  return isBlinded(p, studyId, definition) ? armRevealingOf(definition) : undefined;
}

/** Refuses a blinded user a report or list that shows arms. */
export function refuseBlinded(
  p: Principal,
  studyId: string,
  definition: StoredDefinition,
  what: string,
): void {
  if (isBlinded(p, studyId, definition))
    throw new HttpProblem('MSCT_E_FORBIDDEN', `your role is blinded in this study: it may not read ${what}`, {
      rule: 'blinding',
    });
}

/** What a user may see of the forms and items the definition names as arm-revealing. */
export interface ArmRevealingFilter {
  /** Whether anything is hidden from this user at all. */
  readonly active: boolean;
  form(formCode: string): boolean;
  item(formCode: string, itemCode: string): boolean;
}

export function armRevealingFilter(
  p: Principal,
  studyId: string,
  definition: StoredDefinition,
): ArmRevealingFilter {
  if (!isBlinded(p, studyId, definition)) return { active: false, form: () => true, item: () => true };
  const { forms, items } = armRevealingOf(definition);
  return {
    active: forms.size > 0 || items.size > 0,
    form: (f) => !forms.has(f),
    item: (f, i) => !forms.has(f) && !items.has(`${f}/${i}`),
  };
}

/**
 * A blinded user's view of the audit trail: events of arm-revealing forms and items are left out
 * (their very existence can reveal the arm), and the values of randomisation and unblinding events
 * (the arm) are withheld.
 */
export function blindAuditEvent<
  E extends { entityType: string; field: string | null; oldValue: string | null; newValue: string | null },
>(filter: ArmRevealingFilter, blinded: boolean, e: E): E | null {
  if (!blinded) return e;
  // A correction of an assignment names arms (from → to): unblinded roles only (issue 24).
  if (e.entityType === 'randomisation_correction') return null;
  if (e.entityType === 'randomisation' || e.entityType === 'unblinding')
    return { ...e, oldValue: null, newValue: null };
  if (e.entityType === 'item' && e.field) {
    const dot = e.field.indexOf('.');
    if (dot > 0 && !filter.item(e.field.slice(0, dot), e.field.slice(dot + 1))) return null;
  }
  // Infusion records (store subject-records.ts, entity 'infusion') are the definition's infusion form.
  if (e.entityType === 'infusion' && !filter.form('infusion')) return null;
  if (e.entityType === 'form' && e.field === null && e.newValue !== null && !filter.form(e.newValue))
    return null;
  return e;
}
