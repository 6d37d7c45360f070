import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../database.js';
import type { SessionTable } from '../schema.js';

export type Session = SessionTable;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Creates a session and returns the bearer token (only its hash is stored). */
export async function createSession(
  db: Db,
  userId: string,
  ttlMinutes: number,
): Promise<{ token: string; session: Session }> {
  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  const session: Session = {
    id: hashToken(token),
    user_id: userId,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + ttlMinutes * 60_000).toISOString(),
    last_seen_at: now.toISOString(),
  };
  await db.kysely.insertInto('sessions').values(session).execute();
  return { token, session };
}

/** The live session for a token, sliding its expiry (idle timeout), or undefined if expired/unknown. */
export async function touchSession(db: Db, token: string, ttlMinutes: number): Promise<Session | undefined> {
  const id = hashToken(token);
  const row = await db.kysely.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const now = new Date();
  if (Date.parse(row.expires_at) <= now.getTime()) {
    await db.kysely.deleteFrom('sessions').where('id', '=', id).execute();
    return undefined;
  }
  // Only write when a minute has passed, so reads do not each cost a write.
  if (now.getTime() - Date.parse(row.last_seen_at) > 60_000) {
    const expires = new Date(now.getTime() + ttlMinutes * 60_000).toISOString();
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
  await db.kysely.deleteFrom('sessions').where('id', '=', hashToken(token)).execute();
}

export async function deleteUserSessions(db: Db, userId: string): Promise<number> {
  const r = await db.kysely.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows);
}
