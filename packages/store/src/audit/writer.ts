import type SQLite from 'better-sqlite3';
import type { Transaction } from 'kysely';
import { insertRows } from '../bulk.js';
import type { Db } from '../database.js';
import { runCompiled } from '../repositories/versioned.js';
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
  if (db.dialect === 'sqlite')
    return groupCommitter(db).run((tx) => applyWithAudit(tx, actor, fn, db.sqlite));
  return db.kysely.transaction().execute((tx) => applyWithAudit(tx, actor, fn));
}

/** Runs `fn` inside an open transaction and appends its audit events to the chain. */
const AUDIT_CHUNK = 500;

async function applyWithAudit<T>(
  tx: Tx,
  actor: Actor,
  fn: (tx: Tx, audit: AuditWriter) => Promise<T>,
  /** SQLite: the handle `tx` runs on, for prepared single-row inserts (bulk.ts). */
  sqlite?: SQLite.Database,
): Promise<T> {
  // One statement takes the lock and reads the head (RETURNING: SQLite >= 3.35 and PostgreSQL).
  const [head] = await runCompiled(tx, sqlite ? 'sqlite' : 'postgres', 'audit.lockHead', [1, 1], () =>
    tx.updateTable('audit_head').set({ id: 1 }).where('id', '=', 1).returning(['seq', 'hash']),
  );
  if (!head) throw new Error('the audit head row is missing: run the migrations');
  const startSeq = Number(head.seq);
  let seq = startSeq;
  let prevHash = head.hash;
  const now = new Date().toISOString();
  let pending: AuditEventTable[] = [];
  // Chunks keep memory flat and stay under the bound-parameter limit of a multi-row INSERT.
  const flush = async () => {
    if (pending.length === 0) return;
    const rows = pending;
    pending = [];
    await insertRows(tx, sqlite, 'audit_events', rows);
  };
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
          hash: '',
        };
        // The hash covers every field but itself (auditEventHash reads them by name); set in place
        // rather than copying the row, which a bulk import does a million times.
        row.hash = auditEventHash(row);
        pending.push(row);
        prevHash = row.hash;
        // Written in chunks as they come, so a bulk import's memory stays flat; still one transaction.
        if (pending.length >= AUDIT_CHUNK) await flush();
      }
    },
  };
  const result = await fn(tx, audit);
  await flush();
  if (seq !== startSeq)
    await runCompiled(tx, sqlite ? 'sqlite' : 'postgres', 'audit.moveHead', [seq, prevHash, 1], () =>
      tx.updateTable('audit_head').set({ seq, hash: prevHash }).where('id', '=', 1),
    );
  return result;
}

interface QueuedWrite {
  work: (tx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

const committers = new WeakMap<Db['kysely'], GroupCommitter>();
const groupCommitter = (db: Db) => {
  let c = committers.get(db.kysely);
  if (!c) {
    c = new GroupCommitter(db);
    committers.set(db.kysely, c);
  }
  return c;
};

/**
 * Group commit for SQLite. better-sqlite3 is synchronous and SQLite has one writer, so each commit
 * costs one fsync (synchronous=FULL) during which nothing else runs. Writes that arrive while a
 * commit is under way are queued and then run together in one transaction, each inside its own
 * savepoint: a write that fails rolls back to its savepoint alone and is rejected; the others commit
 * together with a single fsync. Every caller is answered only after the commit that holds its write
 * is durable, so an acknowledged write survives a crash exactly as before (see durability.test.ts).
 * Own code because no SQLite driver for Node offers group commit.
 */
class GroupCommitter {
  private queue: QueuedWrite[] = [];
  private draining = false;
  constructor(private readonly db: Db) {}

  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      // The first write of an idle moment waits for the end of this event-loop turn: requests read
      // from the sockets in the same turn reach this queue by then and share its commit. A commit
      // blocks the event loop (fsync), so without the wait each batch would hold one write.
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, 256);
        if (batch.length === 1) {
          const [only] = batch as [QueuedWrite];
          await this.db.kysely.transaction().execute(only.work).then(only.resolve, only.reject);
          continue;
        }
        const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
        let trx: Awaited<ReturnType<ReturnType<Db['kysely']['startTransaction']>['execute']>> | undefined;
        try {
          trx = await this.db.kysely.startTransaction().execute();
          for (const item of batch) {
            const sp = await trx.savepoint('msct_write').execute();
            try {
              const value = await item.work(sp);
              await sp.releaseSavepoint('msct_write').execute();
              outcomes.push({ ok: true, value });
            } catch (error) {
              await sp.rollbackToSavepoint('msct_write').execute();
              await sp.releaseSavepoint('msct_write').execute();
              outcomes.push({ ok: false, error });
            }
          }
          await trx.commit().execute();
        } catch (error) {
          if (trx)
            await trx
              .rollback()
              .execute()
              .catch(() => undefined);
          for (const item of batch) item.reject(error);
          continue;
        }
        batch.forEach((item, i) => {
          const o = outcomes[i]!;
          if (o.ok) item.resolve(o.value);
          else item.reject(o.error);
        });
      }
    } finally {
      this.draining = false;
    }
  }
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
