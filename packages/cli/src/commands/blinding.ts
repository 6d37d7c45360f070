// Blinded output from the command line (issue 24). The CLI has no login: it runs on the database as
// the operator (MSCT_IMPORT_USER, or the first active administrator), who is unblinded. Output made
// by or for a role the study blinds is asked for with --blinded, and is also blinded without it
// when MSCT_IMPORT_USER names a user holding a role the study's definition blinds. Blinded output
// follows the server's rules (server/src/access/blinding.ts): no arm, no results by arm, no
// allocation balance or corrections, and ODM/SDTM exports without the arm and without the forms and
// items the definition names as arm-revealing (the writers' `blind` option, as the server's
// GET /api/studies/{id}/export.odm.xml and export jobs write for a blinded role).
import { armRevealingOf, blindedRolesOf, type StoredDefinition } from '@msct/core/protocol';
import type { Db } from '@msct/store';

export interface CliBlinding {
  blinded: boolean;
  /** Why the output is blinded, for the messages ("--blinded", or the operator's blinded role). */
  because: string;
}

/** Whether this run's output must be blinded for this study. */
export async function cliBlinding(
  db: Db,
  studyId: string,
  definition: StoredDefinition,
  flag: boolean | undefined,
): Promise<CliBlinding> {
  if (flag) return { blinded: true, because: '--blinded' };
  const operator = process.env.MSCT_IMPORT_USER;
  const blindedRoles = blindedRolesOf(definition) as readonly string[];
  if (!operator || blindedRoles.length === 0) return { blinded: false, because: '' };
  const roles = await db.kysely
    .selectFrom('role_assignments')
    .innerJoin('users', 'users.id', 'role_assignments.user_id')
    .select(['role_assignments.role', 'role_assignments.study_id'])
    .where('users.username', '=', operator)
    .execute();
  const role = roles.find(
    (r) => (r.study_id === null || r.study_id === studyId) && blindedRoles.includes(r.role),
  );
  return role
    ? {
        blinded: true,
        because: `MSCT_IMPORT_USER ${operator} has the role ${role.role}, which this study blinds`,
      }
    : { blinded: false, because: '' };
}

/** The forms and items the definition names as revealing the arm, as "form" and "form.item". */
export function armRevealingNames(definition: StoredDefinition): string[] {
  const { forms, items } = armRevealingOf(definition);
  return [...forms, ...[...items].map((i) => i.replace('/', '.'))];
}

/** Refuses a blinded run whatever would reveal an arm (`what` names it). */
export function refuseBlindedRun(b: CliBlinding, what: string): void {
  if (b.blinded) throw new Error(`${what} reveals the arm; refused for a blinded run (${b.because})`);
}
