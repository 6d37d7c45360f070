// Resolving a session cookie to a principal (user + role assignments) on every API request cost
// three queries (session, user, roles) before any work began. On SQLite the result is cached in
// memory per token, and a cached principal is used only while nothing that could change it has
// happened since it was read:
// - every write that can change one (logout, logout-everywhere, password change, login failures
//   and lockout, (de)activation, role grant and revoke) bumps the store's auth epoch
//   (store/src/repositories/sessions.ts) after it has run, so the very next request reloads;
// - a commit by another connection to the same file (another process, the CLI) changes SQLite's
//   `data_version`, which also drops the cache (it is read once per event-loop turn, so such a commit
//   takes effect from the next turn on: about a millisecond under load);
// - the session's idle expiry is checked against the cached expiry on every request, and an entry
//   is used for at most SESSION_TOUCH_MS after the session was last written: past that the request
//   goes to touchSession, which slides the expiry exactly as it always did (a write at most once a
//   minute per session). So the expiry semantics are those of the uncached path.
// PostgreSQL is not cached: several servers may share it and there is no cheap change counter.
import {
  authEpoch,
  type Db,
  getUser,
  listRoles,
  SESSION_TOUCH_MS,
  sqliteDataVersion,
  touchSession,
} from '@msct/store';
import type { Principal } from '../access/policy.js';

interface Entry {
  principal: Principal;
  epoch: number;
  dataVersion: number;
  expiresAtMs: number;
  lastSeenAtMs: number;
}

const MAX_ENTRIES = 10_000;

export interface SessionResolver {
  /** The principal of a live session token, or undefined (unknown, expired, inactive user). */
  resolve(token: string): Promise<Principal | undefined>;
}

export function sessionResolver(db: Db, ttlMinutes: number, maxHours?: number): SessionResolver {
  const cache = new Map<string, Entry>();

  async function load(token: string): Promise<Principal | undefined> {
    // Read the epoch and data version before the rows: a write that lands while they are read
    // leaves an entry that is already stale by these numbers.
    const epoch = authEpoch(db);
    const dataVersion = sqliteDataVersion(db);
    const session = await touchSession(db, token, ttlMinutes, maxHours);
    if (!session) {
      cache.delete(token);
      return undefined;
    }
    const user = await getUser(db, session.user_id);
    if (!user.is_active) {
      cache.delete(token);
      return undefined;
    }
    const assignments = Object.freeze((await listRoles(db, user.id)).map((a) => Object.freeze({ ...a })));
    const principal: Principal = Object.freeze({
      userId: user.id,
      username: user.username,
      assignments,
      ...(user.must_change_password ? { mustChangePassword: true } : {}),
    });
    if (dataVersion !== undefined) {
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
      cache.set(token, {
        principal,
        epoch,
        dataVersion,
        expiresAtMs: Date.parse(session.expires_at),
        lastSeenAtMs: Date.parse(session.last_seen_at),
      });
    }
    return principal;
  }

  return {
    async resolve(token) {
      const hit = cache.get(token);
      if (hit) {
        const now = Date.now();
        if (
          hit.epoch === authEpoch(db) &&
          hit.dataVersion === sqliteDataVersion(db) &&
          now < hit.expiresAtMs &&
          now - hit.lastSeenAtMs <= SESSION_TOUCH_MS
        )
          return hit.principal;
        cache.delete(token);
      }
      return load(token);
    },
  };
}
