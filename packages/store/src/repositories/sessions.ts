import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../database.js';
import type { SessionTable } from '../schema.js';

export type Session = SessionTable;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

// Who a session token stands for (its session row, its user, the user's role assignments) changes
// only through the writes in this file and in users.ts. Each of them bumps this per-connection
// counter once it has run, so a server that caches principals can tell, exactly, that a cached
// one may be stale. Writes by other connections (another process on the same SQLite file) are seen
// through SQLite's `data_version`, below. Keyed by the better-sqlite3 handle when there is one, so
// a Db joined to a transaction (inTransaction) bumps the same counter as its parent.
const authEpochs = new WeakMap<object, number>();
const epochKey = (db: Db): object => db.sqlite ?? db.kysely;

/** A number that changes after every write that can change a session's principal. */
export function authEpoch(db: Db): number {
  return authEpochs.get(epochKey(db)) ?? 0;
}

/** Marks every cached principal of this database as possibly stale. */
export function bumpAuthEpoch(db: Db): void {
  const key = epochKey(db);
  authEpochs.set(key, (authEpochs.get(key) ?? 0) + 1);
}

/** Runs a write that can change a principal, bumping the epoch whether it succeeded or not. */
export async function authWrite<T>(db: Db, write: () => Promise<T>): Promise<T> {
  bumpAuthEpoch(db);
  try {
    const result = await write();
    // Revoking a session must survive a power loss before it is reported done (see Db.durable).
    await db.durable();
    return result;
  } finally {
    bumpAuthEpoch(db);
  }
}

const dataVersionReaders = new WeakMap<object, () => number>();

/**
 * SQLite: `PRAGMA data_version`, which changes whenever another connection has committed to the
 * file (this connection's own commits do not change it; they bump the epoch instead). Undefined on
 * PostgreSQL, where other servers may write and no cheap equivalent exists.
 *
 * Read at most once per turn of the event loop: outside a transaction each read is a read
 * transaction of its own (~5 µs of locking on the -shm file), and under load one turn serves a dozen
 * requests. So a commit by another process is seen by every request handled from the next turn on,
 * at most one turn (about a millisecond under load) after it landed; a value read before rows that
 * were then loaded is never newer than those rows, so an entry cached with it can only be dropped too
 * early, never kept too long.
 */
export function sqliteDataVersion(db: Db): number | undefined {
  const sqlite = db.sqlite;
  if (!sqlite) return undefined;
  let read = dataVersionReaders.get(sqlite);
  if (!read) {
    const stmt = sqlite.prepare('pragma data_version').pluck();
    let thisTurn: number | undefined;
    read = () => {
      if (thisTurn === undefined) {
        thisTurn = Number(stmt.get());
        setImmediate(() => {
          thisTurn = undefined;
        });
      }
      return thisTurn;
    };
    dataVersionReaders.set(sqlite, read);
  }
  return read();
}

/** Creates a session and returns the bearer token (only its hash is stored). */
export async function createSession(
  db: Db,
  userId: string,
  ttlMinutes: number,
  maxHours = Number.POSITIVE_INFINITY,
): Promise<{ token: string; session: Session }> {
  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  const session: Session = {
    id: hashToken(token),
    user_id: userId,
    created_at: now.toISOString(),
    expires_at: new Date(
      Math.min(now.getTime() + ttlMinutes * 60_000, now.getTime() + maxHours * 3_600_000),
    ).toISOString(),
    last_seen_at: now.toISOString(),
  };
  await db.kysely.insertInto('sessions').values(session).execute();
  await db.durable();
  return { token, session };
}

/**
 * A session's idle expiry slides at most this often: its row is written only when this long has
 * passed since the last write, so the expiry may fall up to this much earlier than a per-request
 * slide would put it (never later).
 */
export const SESSION_TOUCH_MS = 60_000;

/**
 * The live session for a token, sliding its expiry (idle timeout), or undefined if expired/unknown.
 * `maxHours` is the absolute lifetime from login (issue 17): the expiry never slides past it.
 */
export async function touchSession(
  db: Db,
  token: string,
  ttlMinutes: number,
  maxHours = Number.POSITIVE_INFINITY,
): Promise<Session | undefined> {
  const id = hashToken(token);
  const row = await db.kysely.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const now = new Date();
  const absoluteEnd = Date.parse(row.created_at) + maxHours * 3_600_000;
  if (Date.parse(row.expires_at) <= now.getTime() || absoluteEnd <= now.getTime()) {
    await authWrite(db, () => db.kysely.deleteFrom('sessions').where('id', '=', id).execute());
    return undefined;
  }
  // Only write when a minute has passed, so reads do not each cost a write.
  if (now.getTime() - Date.parse(row.last_seen_at) > SESSION_TOUCH_MS) {
    const expires = new Date(Math.min(now.getTime() + ttlMinutes * 60_000, absoluteEnd)).toISOString();
    await db.kysely
      .updateTable('sessions')
      .set({ last_seen_at: now.toISOString(), expires_at: expires })
      .where('id', '=', id)
      .execute();
    return { ...row, last_seen_at: now.toISOString(), expires_at: expires };
  }
  return row;
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await authWrite(db, () => db.kysely.deleteFrom('sessions').where('id', '=', hashToken(token)).execute());
}

export async function deleteUserSessions(db: Db, userId: string): Promise<number> {
  const r = await authWrite(db, () =>
    db.kysely.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst(),
  );
  return Number(r.numDeletedRows);
}
