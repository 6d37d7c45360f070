import type SQLite from 'better-sqlite3';
import { type Kysely, SqliteAdapter } from 'kysely';
import { insertRows } from '../bulk.js';
import type { Db } from '../database.js';
import { runCompiled } from '../repositories/versioned.js';
import type { AuditEventTable, Database } from '../schema.js';
import { translateDriverError } from './driver-errors.js';
import { assertStorableEvent, auditEventHash } from './hash.js';
import type { Actor, AuditWriter, Tx } from './types.js';

export type { Actor, AuditEntry, AuditWriter, Tx } from './types.js';

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
  // A constraint the code's own checks missed (a unique key, a foreign key, NUL on PostgreSQL) is
  // refused as a StoreError naming what it can, never an HTTP 500; the transaction is rolled back.
  try {
    if (db.dialect === 'sqlite')
      return await groupCommitter(db).run((tx, head) => applyWithAudit(tx, actor, fn, db.sqlite, head));
    return await db.kysely.transaction().execute((tx) => applyWithAudit(tx, actor, fn));
  } catch (error) {
    throw translateDriverError(error);
  }
}

/**
 * For data migrations (migrations get a bare Kysely, not a Db): runs `fn` with an audit writer on
 * the same hash chain, in the migration's transaction when it runs in one (PostgreSQL: Kysely runs
 * each migration in a transaction), else in a new transaction (SQLite), so the data change and its
 * audit events commit or roll back together.
 */
export async function migrationWriteTransaction<T>(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's Kysely is untyped by design
  db: Kysely<any>,
  actor: Actor,
  fn: (tx: Tx, audit: AuditWriter) => Promise<T>,
): Promise<T> {
  const dialect: Db['dialect'] = db.getExecutor().adapter instanceof SqliteAdapter ? 'sqlite' : 'postgres';
  const run = (tx: Tx) => applyWithAudit(tx, actor, fn, undefined, undefined, dialect);
  return db.isTransaction ? run(db as Tx) : (db as Kysely<Database>).transaction().execute(run);
}

/** Runs `fn` inside an open transaction and appends its audit events to the chain. */
const AUDIT_CHUNK = 500;

async function applyWithAudit<T>(
  tx: Tx,
  actor: Actor,
  fn: (tx: Tx, audit: AuditWriter) => Promise<T>,
  /** SQLite: the handle `tx` runs on, for prepared single-row inserts (bulk.ts). */
  sqlite?: SQLite.Database,
  /**
   * Group commit: the chain's head as the batch's earlier writes left it. The batch locked and read
   * the head row once and writes it back once; this write starts from here and, if it succeeds,
   * leaves its last event's seq and hash here.
   */
  batchHead?: AuditHead,
  /** The dialect `tx` runs on (for the compiled-statement cache); known from `sqlite` when given. */
  dialect: Db['dialect'] = sqlite ? 'sqlite' : 'postgres',
): Promise<T> {
  const head = batchHead ?? (await lockHead(tx, dialect));
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
          actor_id: e.actor ? e.actor.id : actor.id,
          actor_name: e.actor ? e.actor.name : actor.name,
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
        // What is hashed must be what is stored: text that the database would store differently
        // (a lone surrogate) or not at all (NUL on PostgreSQL) is refused, and the write with it.
        assertStorableEvent(row);
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
  if (batchHead) {
    batchHead.seq = seq;
    batchHead.hash = prevHash;
  } else if (seq !== startSeq) await moveHead(tx, dialect, { seq, hash: prevHash });
  return result;
}

export interface AuditHead {
  seq: number;
  hash: string;
}

/** One statement takes the write lock and reads the head (RETURNING: SQLite >= 3.35 and PostgreSQL). */
async function lockHead(tx: Tx, dialect: Db['dialect']): Promise<AuditHead> {
  const [head] = await runCompiled(tx, dialect, 'audit.lockHead', [1, 1], () =>
    tx.updateTable('audit_head').set({ id: 1 }).where('id', '=', 1).returning(['seq', 'hash']),
  );
  if (!head) throw new Error('the audit head row is missing: run the migrations');
  return { seq: Number(head.seq), hash: head.hash };
}

async function moveHead(tx: Tx, dialect: Db['dialect'], head: AuditHead): Promise<void> {
  await runCompiled(tx, dialect, 'audit.moveHead', [head.seq, head.hash, 1], () =>
    tx.updateTable('audit_head').set({ seq: head.seq, hash: head.hash }).where('id', '=', 1),
  );
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function settle(item: QueuedWrite, outcome: Outcome): void {
  if (outcome.ok) item.resolve(outcome.value);
  else item.reject(outcome.error);
}

interface QueuedWrite {
  work: (tx: Tx, batchHead?: AuditHead) => Promise<unknown>;
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
 * Group commit for SQLite. better-sqlite3 is synchronous and SQLite has one writer. Writes that
 * arrive while the event loop is busy are queued and then run together in one transaction, each
 * inside its own savepoint: a write that fails rolls back to its savepoint alone and is rejected; the
 * others commit together. The commit itself does not wait for the disk (synchronous=NORMAL): every
 * caller is answered only after `db.durable()` has synced the WAL on the thread pool, and meanwhile
 * the next batch runs, so one fsync often carries several batches (the argument that an acknowledged
 * write survives power loss is in wal-sync.ts; durability.test.ts kills the server for real).
 * A batch reads and locks the audit head once and writes it back once; its savepoints are prepared
 * statements run on the connection directly (the batch holds Kysely's connection, so nothing else
 * runs on it meanwhile): per write that saves four statements through Kysely's async layers.
 * Own code because no SQLite driver for Node offers group commit.
 */
class GroupCommitter {
  private queue: QueuedWrite[] = [];
  private draining = false;
  private readonly savepoint: { open: SQLite.Statement; release: SQLite.Statement; undo: SQLite.Statement };
  constructor(private readonly db: Db) {
    const sqlite = db.sqlite!;
    this.savepoint = {
      open: sqlite.prepare('SAVEPOINT msct_write'),
      release: sqlite.prepare('RELEASE msct_write'),
      undo: sqlite.prepare('ROLLBACK TO msct_write'),
    };
  }

  run<T>(work: (tx: Tx, batchHead?: AuditHead) => Promise<T>): Promise<T> {
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
          try {
            const value = await this.db.kysely.transaction().execute(only.work);
            this.acknowledge([only], [{ ok: true, value }]);
          } catch (error) {
            only.reject(error);
          }
          await this.db.checkpointer?.afterCommit();
          continue;
        }
        const outcomes: Outcome[] = [];
        let trx: Awaited<ReturnType<ReturnType<Db['kysely']['startTransaction']>['execute']>> | undefined;
        try {
          trx = await this.db.kysely.startTransaction().execute();
          const head = await lockHead(trx, 'sqlite');
          const start = head.seq;
          for (const item of batch) {
            this.savepoint.open.run();
            const itemHead = { ...head };
            try {
              const value = await item.work(trx, itemHead);
              this.savepoint.release.run();
              Object.assign(head, itemHead);
              outcomes.push({ ok: true, value });
            } catch (error) {
              this.savepoint.undo.run();
              this.savepoint.release.run();
              outcomes.push({ ok: false, error });
            }
          }
          if (head.seq !== start) await moveHead(trx, 'sqlite', head);
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
        this.acknowledge(batch, outcomes);
        // The worker may need the writes held for a moment to let the WAL restart (checkpointer.ts).
        await this.db.checkpointer?.afterCommit();
      }
    } finally {
      this.draining = false;
    }
  }

  /** Answers a committed batch once its commit is on disk; a failed sync fails its writes too. */
  private acknowledge(batch: QueuedWrite[], outcomes: Outcome[]) {
    this.db.durable().then(
      () => {
        for (const [i, item] of batch.entries()) settle(item, outcomes[i]!);
      },
      (error) => {
        for (const [i, item] of batch.entries())
          settle(item, outcomes[i]!.ok ? { ok: false, error } : outcomes[i]!);
      },
    );
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
