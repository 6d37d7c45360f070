// Before issue 17 the demo's passwords were derived from the public source and the seed, so they
// were the same on every install that loaded the demo. An install upgraded from then must not stay
// reachable with them: at start, every demo account whose password is still the seed-derived one is
// given a new random password (printed once, like a fresh demo's) that must be changed at the first
// login. Accounts whose owners changed their password are left alone.
import { createHash } from 'node:crypto';
import { hashPassword, passwordProblems, verifyPassword } from '@msct/server';
import { type Db, deleteUserSessions, setPassword } from '@msct/store';
import { type DemoLogin, demoPassword } from './load-demo.js';

/** The password the demo gave `username` before issue 17 (kept only to find and replace it). */
export function formerDemoPassword(seed: number, username: string): string {
  for (let salt = 0; ; salt++) {
    const pw = createHash('sha256')
      .update(`msct-demo/${seed}/${username}/${salt}`)
      .digest('base64url')
      .slice(0, 16);
    if (passwordProblems(pw, username).length === 0) return pw;
  }
}

const DEMO_ACTOR = /^demo generator \(seed (\d+)\)$/;

/** Replaces every still seed-derived demo password; returns the new logins (empty when none). */
export async function replaceFormerDemoPasswords(db: Db): Promise<Omit<DemoLogin, 'role' | 'site'>[]> {
  const created = await db.kysely
    .selectFrom('audit_events')
    .innerJoin('users', 'users.id', 'audit_events.entity_id')
    .select(['users.id', 'users.username', 'users.password_hash', 'users.version', 'audit_events.actor_name'])
    .where('audit_events.action', '=', 'user.create')
    .where('audit_events.actor_name', 'like', 'demo generator (seed %)')
    .where('users.must_change_password', '=', 0)
    // Only passwords never changed since the demo made them (no argon2 check for the others).
    .whereRef('users.password_changed_at', '=', 'users.created_at')
    .execute();
  const replaced: Omit<DemoLogin, 'role' | 'site'>[] = [];
  for (const u of created) {
    const seed = DEMO_ACTOR.exec(u.actor_name)?.[1];
    if (seed === undefined) continue;
    const former = formerDemoPassword(Number(seed), u.username);
    if (!(await verifyPassword(u.password_hash, former))) continue;
    const password = demoPassword(u.username);
    await setPassword(
      db,
      { id: null, name: 'system (replacing a seed-derived demo password)' },
      u.id,
      Number(u.version),
      await hashPassword(password),
      true,
    );
    await deleteUserSessions(db, u.id);
    replaced.push({ username: u.username, password });
  }
  return replaced;
}
