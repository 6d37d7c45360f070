import type { Transaction } from 'kysely';
import type { Db } from '../database.js';
import type { AuditEventTable, Database } from '../schema.js';
import { auditEventHash } from './hash.js';

export type Tx = Transaction<Database>;

/** Who is acting: a user, or the system itself (migrations, demo generator) with a name. */
export interface Actor {
  id: string | null;
  name: string;
}

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  studyId?: string | null;
  siteId?: string | null;
  subjectId?: string | null;
  field?: string | null;
  oldValue?: string | null;
  newValue?: string | null;
  reason?: string | null;
}

export interface AuditWriter {
  /** Appends events to the hash chain inside the current transaction. */
  record(entries: AuditEntry | AuditEntry[]): Promise<void>;
  readonly actor: Actor;
  /** The instant of this transaction, shared by every row and event it writes. */
  readonly now: string;
}

/**
 * Runs `fn` in one transaction that also appends its audit events, so a change and its audit record
 * commit or roll back together. The first statement updates the single `audit_head` row: that takes
 * SQLite's write lock at once (no lock upgrade that could fail with SQLITE_BUSY) and a row lock on
 * PostgreSQL, so writers are serialised and the hash chain has no forks.
 */
export async function writeTransaction<T>(
  db: Db,
  actor: Actor,
  fn: (tx: Tx, audit: AuditWriter) => Promise<T>,
): Promise<T> {
  if (db.current) return fn(db.current.tx, db.current.audit);
  return db.kysely.transaction().execute(async (tx) => {
    await tx.updateTable('audit_head').set({ id: 1 }).where('id', '=', 1).execute();
    const head = await tx
      .selectFrom('audit_head')
      .select(['seq', 'hash'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    let seq = Number(head.seq);
    let prevHash = head.hash;
    const now = new Date().toISOString();
    const pending: AuditEventTable[] = [];
    const audit: AuditWriter = {
      actor,
      now,
      async record(entries) {
        for (const e of Array.isArray(entries) ? entries : [entries]) {
          seq += 1;
          const row = {
            seq,
            at: now,
            actor_id: actor.id,
            actor_name: actor.name,
            action: e.action,
            entity_type: e.entityType,
            entity_id: e.entityId,
            study_id: e.studyId ?? null,
            site_id: e.siteId ?? null,
            subject_id: e.subjectId ?? null,
            field: e.field ?? null,
            old_value: e.oldValue ?? null,
            new_value: e.newValue ?? null,
            reason: e.reason ?? null,
            prev_hash: prevHash,
          };
          const hash = auditEventHash(row);
          pending.push({ ...row, hash });
          prevHash = hash;
        }
      },
    };
    const result = await fn(tx, audit);
    if (pending.length > 0) {
      // Chunked so a large import stays under SQLite's bound-parameter limit.
      for (let i = 0; i < pending.length; i += 500) {
        await tx
          .insertInto('audit_events')
          .values(pending.slice(i, i + 500))
          .execute();
      }
      await tx.updateTable('audit_head').set({ seq, hash: prevHash }).where('id', '=', 1).execute();
    }
    return result;
  });
}

/**
 * Runs several repository calls as one transaction (one commit, one fsync): each call made with the
 * Db passed to `fn` joins it, and its audit events join the same chain segment. The outer actor is
 * recorded for all of them. Used by bulk paths such as the demo trial and imports.
 */
export async function inTransaction<T>(db: Db, actor: Actor, fn: (txDb: Db) => Promise<T>): Promise<T> {
  if (db.current) return fn(db);
  return writeTransaction(db, actor, (tx, audit) => fn({ ...db, kysely: tx, current: { tx, audit } }));
}
