// The one place that decides access (DESIGN.md principle 7): may this user do this action to a
// record in this study and site? Every route asks `decide`; a test matrix proves the table.
import type { Role, RoleAssignment } from '@msct/store';

export const ACTIONS = [
  'study.read',
  'study.manage',
  'user.manage',
  'subject.read',
  'subject.create',
  'subject.update',
  'data.enter',
  'form.sign',
  'form.unlock',
  'ae.read',
  'ae.write',
  // The sponsor's assessment of an SAE (causality, expectedness, expedited report): the safety role.
  'ae.assess',
  'query.read',
  'query.raise',
  'query.answer',
  'query.close',
  // Source data verification and review of forms, and the monitor's worklist (issue 21).
  'form.review',
  'audit.read',
  'analysis.read',
  'study.export',
  // Bulk import of item values (CSV/ODM) across every site of a study: a data-management task, so
  // admins only (ROLE_ACTIONS.admin has every action); site staff enter data through the forms.
  'data.import',
  // Freeze, lock and release a study, a site or a subject (issue 21): administrators only.
  'record.lock',
  // Ask, with a reason, that a signed form or a lock be unlocked (issue 21).
  'unlock.request',
  // Randomisation (issue 24): randomise an enrolled subject; emergency unblinding of one subject;
  // read the unblindings; the allocation balance report; the allocation list with its seed for the
  // trial master file. A role the study definition blinds is refused whatever these grant
  // (access/blinding.ts).
  'subject.randomise',
  'subject.unblind',
  'unblinding.read',
  'randomisation.report',
  'randomisation.list',
  // Correct an assignment (a new record with a reason, never an overwrite): an unblinded
  // investigator or an administrator; a blinded role is refused whatever this grants.
  'randomisation.correct',
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * What each role may do where it is assigned. Monitors read and raise queries but never change
 * data; statisticians read pseudonymised data only; safety reviewers see subjects and adverse events
 * of every site and record the sponsor's assessment of SAEs; only investigators sign and unlock.
 */
export const ROLE_ACTIONS: Record<Role, ReadonlySet<Action>> = {
  // Issue 24: emergency unblinding is an investigator's act, and the allocation list with its seed
  // goes to an unblinded statistician only; an administrator does neither.
  admin: new Set(ACTIONS.filter((a) => a !== 'subject.unblind' && a !== 'randomisation.list')),
  investigator: new Set<Action>([
    'study.read',
    'analysis.read',
    'subject.read',
    'subject.create',
    'subject.update',
    'data.enter',
    'form.sign',
    'form.unlock',
    'unlock.request',
    'ae.read',
    'ae.write',
    'query.read',
    'query.answer',
    'audit.read',
    'subject.randomise',
    'subject.unblind',
    'unblinding.read',
    'randomisation.report',
    'randomisation.correct',
  ]),
  coordinator: new Set<Action>([
    'study.read',
    'subject.read',
    'subject.create',
    'subject.update',
    'data.enter',
    'unlock.request',
    'ae.read',
    'ae.write',
    'query.read',
    'query.answer',
    'audit.read',
    'subject.randomise',
  ]),
  monitor: new Set<Action>([
    'study.read',
    'analysis.read',
    'study.export',
    'subject.read',
    'ae.read',
    'query.read',
    'query.raise',
    'query.close',
    'form.review',
    'audit.read',
    'randomisation.report',
  ]),
  statistician: new Set<Action>([
    'study.read',
    'analysis.read',
    'study.export',
    'subject.read',
    'ae.read',
    'randomisation.report',
    'randomisation.list',
  ]),
  // Emergency unblindings are notified to the safety role (issue 24).
  safety: new Set<Action>([
    'study.read',
    'subject.read',
    'ae.read',
    'ae.assess',
    'query.read',
    'unblinding.read',
  ]),
};

export interface Principal {
  userId: string;
  username: string;
  assignments: readonly Pick<RoleAssignment, 'role' | 'study_id' | 'site_id'>[];
  /** The password was set by someone else: the session may only change it (issue 17). */
  mustChangePassword?: boolean;
}

export interface Scope {
  studyId?: string;
  siteId?: string;
}

export type Decision = 'allow' | 'forbidden' | 'hidden';

function covers(a: Pick<RoleAssignment, 'study_id' | 'site_id'>, scope: Scope): boolean {
  if (a.study_id !== null && scope.studyId !== undefined && a.study_id !== scope.studyId) return false;
  if (a.study_id !== null && scope.studyId === undefined) return false;
  if (a.site_id !== null && scope.siteId !== undefined && a.site_id !== scope.siteId) return false;
  return true;
}

/**
 * `allow`; `forbidden` when the user can see the record but its role may not do this; `hidden` when
 * the record is outside every assignment (answered 404, so another site's records do not even
 * reveal that they exist).
 */
export function decide(principal: Principal, action: Action, scope: Scope): Decision {
  const visible = principal.assignments.filter((a) => covers(a, scope));
  if (visible.length === 0)
    return scope.studyId === undefined && scope.siteId === undefined ? 'forbidden' : 'hidden';
  return visible.some((a) => ROLE_ACTIONS[a.role].has(action)) ? 'allow' : 'forbidden';
}

/** The sites of a study whose records the user may `action`: undefined = all of them. */
export function sitesFor(principal: Principal, action: Action, studyId: string): string[] | undefined {
  const sites = new Set<string>();
  for (const a of principal.assignments) {
    if (!ROLE_ACTIONS[a.role].has(action)) continue;
    if (a.study_id !== null && a.study_id !== studyId) continue;
    if (a.site_id === null) return undefined;
    sites.add(a.site_id);
  }
  return [...sites];
}

/** Statisticians see pseudonyms, never subject codes, unless another role of theirs grants more. */
export function seesIdentifiers(principal: Principal, studyId: string): boolean {
  return principal.assignments.some(
    (a) => a.role !== 'statistician' && (a.study_id === null || a.study_id === studyId),
  );
}

export function isAdmin(principal: Principal): boolean {
  return principal.assignments.some((a) => a.role === 'admin' && a.study_id === null);
}
