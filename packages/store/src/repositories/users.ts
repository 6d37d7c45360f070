import { type Actor, type AuditWriter, type Tx, writeTransaction } from '../audit/writer.js';
import type { Db } from '../database.js';
import { notFound, StoreError } from '../errors.js';
import { newId } from '../ids.js';
import type { RoleAssignmentTable, UserTable } from '../schema.js';
import { authWrite } from './sessions.js';
import { loadForUpdate, writeVersioned } from './versioned.js';

/** The roles of issue 2: what each may do is decided by the server's one policy function. */
export const ROLES = ['admin', 'investigator', 'coordinator', 'monitor', 'statistician', 'safety'] as const;
export type Role = (typeof ROLES)[number];

export type User = UserTable;
export type RoleAssignment = Omit<RoleAssignmentTable, 'role'> & { role: Role };

export interface NewUser {
  username: string;
  displayName: string;
  passwordHash: string;
  /**
   * The password was chosen by someone other than the user (an admin, `msct user add`, the first
   * start, the demo): the first login may only change it. Default true; false only for a password
   * the user chose themselves (issue 17).
   */
  mustChangePassword?: boolean;
}

export async function createUser(db: Db, actor: Actor, input: NewUser): Promise<User> {
  return writeTransaction(db, actor, async (tx, audit) => {
    const dup = await tx
      .selectFrom('users')
      .select('id')
      .where('username', '=', input.username)
      .executeTakeFirst();
    if (dup)
      throw new StoreError('duplicate', `username "${input.username}" is taken`, { field: 'username' });
    const row: User = {
      id: newId(),
      username: input.username,
      display_name: input.displayName,
      password_hash: input.passwordHash,
      is_active: 1,
      failed_logins: 0,
      locked_until: null,
      password_changed_at: audit.now,
      must_change_password: input.mustChangePassword === false ? 0 : 1,
      deactivated_at: null,
      created_at: audit.now,
      version: 1,
    };
    await tx.insertInto('users').values(row).execute();
    // The password hash is never written to the audit trail.
    await audit.record({
      action: 'user.create',
      entityType: 'user',
      entityId: row.id,
      newValue: JSON.stringify({ username: row.username, displayName: row.display_name }),
    });
    return row;
  });
}

export async function getUser(db: Db, id: string): Promise<User> {
  const row = await db.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('user', id);
  return row;
}

export async function findUserByUsername(db: Db, username: string): Promise<User | undefined> {
  return db.kysely.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function listUsers(db: Db): Promise<User[]> {
  return db.kysely.selectFrom('users').selectAll().orderBy('username').execute();
}

export async function countUsers(db: Db): Promise<number> {
  const r = await db.kysely
    .selectFrom('users')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function setPassword(
  db: Db,
  actor: Actor,
  userId: string,
  expectedVersion: number,
  passwordHash: string,
  /** true when someone else (an admin) sets it: the user must change it at the next login. */
  mustChange = false,
): Promise<void> {
  await authWrite(db, () => setPasswordTx(db, actor, userId, expectedVersion, passwordHash, mustChange));
}

async function setPasswordTx(
  db: Db,
  actor: Actor,
  userId: string,
  expectedVersion: number,
  passwordHash: string,
  mustChange: boolean,
): Promise<void> {
  await writeTransaction(db, actor, async (tx, audit) => {
    await loadForUpdate(tx, 'users', userId, expectedVersion, 'user');
    await writeVersioned(
      tx,
      'users',
      userId,
      expectedVersion,
      {
        password_hash: passwordHash,
        password_changed_at: audit.now,
        must_change_password: mustChange ? 1 : 0,
        // A reset by an admin lifts a lockout; a change by the user happens only while not locked.
        ...(mustChange ? { failed_logins: 0, locked_until: null } : {}),
      },
      'user',
    );
    await audit.record({
      action: mustChange ? 'user.password.reset' : 'user.password',
      entityType: 'user',
      entityId: userId,
      field: 'password',
    });
    // An admin's reset ends the user's sessions in the same transaction (as deactivation does), so
    // no session outlives a reset that the trail records as done.
    if (mustChange) await tx.deleteFrom('sessions').where('user_id', '=', userId).execute();
  });
}

// Password attempts and lockout (issue 9; made atomic in issue 17). Every check of a user's password
// (login, e-signature, password change) first reserves one of `lockAfter` attempt slots with one
// atomic UPDATE, so concurrent attempts cannot all be checked: at most `lockAfter` wrong passwords
// are ever verified before the account locks, however many arrive at once. A wrong password keeps
// its slot (it is the failure count); the first wrong answer that finds every slot used locks the
// account; a right password frees the slots, but only if the account was not locked meanwhile.
// Not clinical data, so versions are not bumped; lockouts are audited.

const nowIso = () => new Date().toISOString();

/**
 * Reserves an attempt slot: the failure count after this attempt, or undefined when the account is
 * locked, inactive or every slot is taken by attempts still being checked (the attempt is refused).
 */
export async function reservePasswordAttempt(
  db: Db,
  userId: string,
  lockAfter: number,
): Promise<number | undefined> {
  const now = nowIso();
  const row = await db.kysely
    .updateTable('users')
    .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
    .where('id', '=', userId)
    .where('is_active', '=', 1)
    // At least one slot, so MSCT_LOCKOUT_AFTER=0 locks at the first wrong password, as it always did.
    .where('failed_logins', '<', Math.max(1, lockAfter))
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .returning('failed_logins')
    .executeTakeFirst();
  await db.durable();
  return row ? Number(row.failed_logins) : undefined;
}

/**
 * A reserved attempt had the wrong password. Its slot stays used (it is counted); if every slot is
 * used the account locks now, audited once with where the attempts came from.
 */
export async function recordWrongPassword(
  db: Db,
  userId: string,
  lockAfter: number,
  lockMinutes: number,
  via: string,
): Promise<{ locked: boolean }> {
  return authWrite(db, () =>
    writeTransaction(db, { id: null, name: 'system' }, async (tx, audit) => {
      const lockedUntil = new Date(Date.parse(audit.now) + lockMinutes * 60_000).toISOString();
      const locked = await tx
        .updateTable('users')
        .set({ failed_logins: 0, locked_until: lockedUntil })
        .where('id', '=', userId)
        .where('failed_logins', '>=', lockAfter)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', audit.now)]))
        .returning('id')
        .executeTakeFirst();
      if (locked)
        await audit.record({
          action: 'user.lockout',
          entityType: 'user',
          entityId: userId,
          field: 'locked_until',
          newValue: lockedUntil,
          reason: `${lockAfter} wrong passwords (last one: ${via})`,
        });
      return { locked: locked !== undefined };
    }),
  );
}

/**
 * A reserved attempt had the right password: the failure count is reset, unless the account was
 * locked while it was being checked (then the attempt is refused: false).
 */
export async function recordRightPassword(db: Db, userId: string): Promise<boolean> {
  const now = nowIso();
  const row = await authWrite(db, () =>
    db.kysely
      .updateTable('users')
      .set({ failed_logins: 0 })
      .where('id', '=', userId)
      .where('is_active', '=', 1)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .returning('id')
      .executeTakeFirst(),
  );
  return row !== undefined;
}

/**
 * Deactivates (or reactivates) an account, audited. A deactivated user's sessions stop at the next
 * request and the user cannot log in; the records they made keep their name.
 */
export async function setUserActive(
  db: Db,
  actor: Actor,
  userId: string,
  expectedVersion: number,
  active: boolean,
  reason: string,
): Promise<void> {
  await authWrite(db, () =>
    writeTransaction(db, actor, async (tx, audit) => {
      const before = await loadForUpdate(tx, 'users', userId, expectedVersion, 'user');
      if (Number(before.is_active) === (active ? 1 : 0)) return;
      await writeVersioned(
        tx,
        'users',
        userId,
        expectedVersion,
        active
          ? { is_active: 1, deactivated_at: null, failed_logins: 0, locked_until: null }
          : { is_active: 0, deactivated_at: audit.now },
        'user',
      );
      // Access ends at once: every session of a deactivated user is deleted with the change.
      if (!active) await tx.deleteFrom('sessions').where('user_id', '=', userId).execute();
      await audit.record({
        action: active ? 'user.activate' : 'user.deactivate',
        entityType: 'user',
        entityId: userId,
        field: 'is_active',
        oldValue: String(before.is_active),
        newValue: active ? '1' : '0',
        reason,
      });
    }),
  );
}

export interface NewRoleAssignment {
  userId: string;
  role: Role;
  studyId: string | null;
  siteId: string | null;
}

export async function assignRole(db: Db, actor: Actor, input: NewRoleAssignment): Promise<RoleAssignment> {
  return authWrite(db, () => assignRoleTx(db, actor, input));
}

async function assignRoleTx(db: Db, actor: Actor, input: NewRoleAssignment): Promise<RoleAssignment> {
  return writeTransaction(db, actor, async (tx, audit) => {
    const user = await tx.selectFrom('users').select('id').where('id', '=', input.userId).executeTakeFirst();
    if (!user) throw notFound('user', input.userId);
    if (input.siteId) {
      const site = await tx
        .selectFrom('sites')
        .select(['id', 'study_id'])
        .where('id', '=', input.siteId)
        .executeTakeFirst();
      if (!site) throw notFound('site', input.siteId);
      if (input.studyId && site.study_id !== input.studyId) {
        throw new StoreError('invalid', 'the site does not belong to that study', { field: 'siteId' });
      }
      input = { ...input, studyId: site.study_id };
    }
    const row: RoleAssignment = {
      id: newId(),
      user_id: input.userId,
      role: input.role,
      study_id: input.studyId,
      site_id: input.siteId,
      created_at: audit.now,
    };
    await tx.insertInto('role_assignments').values(row).execute();
    await audit.record({
      action: 'role.assign',
      entityType: 'user',
      entityId: input.userId,
      studyId: input.studyId,
      siteId: input.siteId,
      field: 'role',
      newValue: input.role,
    });
    return row;
  });
}

export async function revokeRole(db: Db, actor: Actor, assignmentId: string, reason: string): Promise<void> {
  await authWrite(db, () => revokeRoleTx(db, actor, assignmentId, reason));
}

async function revokeRoleTx(db: Db, actor: Actor, assignmentId: string, reason: string): Promise<void> {
  await writeTransaction(db, actor, async (tx, audit) => {
    const row = await tx
      .selectFrom('role_assignments')
      .selectAll()
      .where('id', '=', assignmentId)
      .executeTakeFirst();
    if (!row) throw notFound('role assignment', assignmentId);
    await tx.deleteFrom('role_assignments').where('id', '=', assignmentId).execute();
    await audit.record({
      action: 'role.revoke',
      entityType: 'user',
      entityId: row.user_id,
      studyId: row.study_id,
      siteId: row.site_id,
      field: 'role',
      oldValue: row.role,
      reason,
    });
  });
}

export async function listRoles(db: Db, userId: string): Promise<RoleAssignment[]> {
  const rows = await db.kysely
    .selectFrom('role_assignments')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
  return rows as RoleAssignment[];
}

/** The account that raises automatic (system) queries: inactive, no role, no usable password. */
export const SYSTEM_USERNAME = 'msct-system';

/**
 * The system author of automatic queries, created on first use (audited like any account). It cannot
 * log in: it is inactive and its password hash is not a hash any password verifies against.
 */
export async function systemUser(db: Db): Promise<{ id: string; name: string }> {
  const found = await db.kysely
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('username', '=', SYSTEM_USERNAME)
    .executeTakeFirst();
  if (found) return { id: found.id, name: SYSTEM_USERNAME };
  try {
    const u = await createUser(
      db,
      { id: null, name: 'system' },
      {
        username: SYSTEM_USERNAME,
        displayName: 'msct automatic check',
        passwordHash: '!',
        mustChangePassword: false,
      },
    );
    await setUserActive(
      db,
      { id: null, name: 'system' },
      u.id,
      u.version,
      false,
      'the system author of automatic queries never logs in',
    );
    return { id: u.id, name: SYSTEM_USERNAME };
  } catch (e) {
    // Created meanwhile by a concurrent request: read it.
    const again = await db.kysely
      .selectFrom('users')
      .select('id')
      .where('username', '=', SYSTEM_USERNAME)
      .executeTakeFirst();
    if (again) return { id: again.id, name: SYSTEM_USERNAME };
    throw e;
  }
}

/**
 * The system author inside a write's transaction (edit checks run at the commit of a save): read, or
 * created inactive with the same row and audit events as systemUser.
 */
export async function systemUserIn(tx: Tx, audit: AuditWriter): Promise<{ id: string; name: string }> {
  const found = await tx
    .selectFrom('users')
    .select('id')
    .where('username', '=', SYSTEM_USERNAME)
    .executeTakeFirst();
  if (found) return { id: found.id, name: SYSTEM_USERNAME };
  const row: User = {
    id: newId(),
    username: SYSTEM_USERNAME,
    display_name: 'msct automatic check',
    password_hash: '!',
    is_active: 0,
    failed_logins: 0,
    locked_until: null,
    password_changed_at: audit.now,
    must_change_password: 0,
    deactivated_at: audit.now,
    created_at: audit.now,
    version: 1,
  };
  await tx.insertInto('users').values(row).execute();
  // In the name of the system, as systemUser's createUser does.
  const actor = { id: null, name: 'system' };
  await audit.record([
    {
      actor,
      action: 'user.create',
      entityType: 'user',
      entityId: row.id,
      newValue: JSON.stringify({ username: row.username, displayName: row.display_name }),
    },
    {
      actor,
      action: 'user.deactivate',
      entityType: 'user',
      entityId: row.id,
      field: 'is_active',
      oldValue: '1',
      newValue: '0',
      reason: 'the system author of automatic queries never logs in',
    },
  ]);
  return { id: row.id, name: SYSTEM_USERNAME };
}
