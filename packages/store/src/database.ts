// Opens the one query layer (Kysely) on SQLite or PostgreSQL from a URL.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteAdapter, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { AuditWriter, Tx } from './audit/types.js';
import { Checkpointer } from './checkpointer.js';
import type { Database } from './schema.js';
import { WalSync } from './wal-sync.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  /** Where the data lives, with any password removed: safe to print. */
  location: string;
  /** The raw connection string (may hold a password: never print it). */
  url: string;
  /** SQLite only: the raw better-sqlite3 handle, for the online backup API and pragmas. */
  sqlite?: SQLite.Database;
  /**
   * Resolves once every commit made before the call is on disk. SQLite files commit with
   * synchronous=NORMAL and are synced here, off the event loop (wal-sync.ts); a write is acknowledged
   * only after this. PostgreSQL commits are durable when they return (synchronous_commit=on).
   */
  durable(): Promise<void>;
  /** SQLite files: the WAL syncer behind `durable` (counts its fsyncs). */
  walSync?: WalSync;
  /** SQLite files opened with `backgroundCheckpoints`: the worker that checkpoints the WAL. */
  checkpointer?: Checkpointer;
  close(): Promise<void>;
  /**
   * Set inside `inTransaction`: the open transaction and its audit writer, which every repository
   * call made with this Db joins instead of opening its own.
   */
  current?: { tx: Tx; audit: AuditWriter };
}

export const DEFAULT_DATABASE_URL = 'sqlite:./data/msct.sqlite';

/** Parses `sqlite:PATH`, `sqlite::memory:`, a bare file path, or `postgres://…` / `postgresql://…`. */
/**
 * SQLite runs DDL inside transactions, but Kysely's SqliteAdapter declares that it does not, so
 * Kysely's Migrator ran each SQLite migration bare: a migration killed midway (seen on a 20 000-
 * patient database, session 7) left its new column without its migration record, and the next
 * start failed with "duplicate column name". Declaring transactional DDL makes the Migrator run the
 * pending migrations and their records in one transaction, as it does on PostgreSQL: a migration
 * that fails or is killed leaves the schema as it was. (No msct migration needs a statement that
 * SQLite refuses in a transaction: none sets PRAGMAs or VACUUMs; migrate.test.ts pins the rollback.)
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class TransactionalDdlSqliteDialect extends SqliteDialect {
  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

export function parseDatabaseUrl(url: string): { dialect: Dialect; target: string } {
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', target: url };
  if (url.startsWith('sqlite:'))
    return { dialect: 'sqlite', target: url.slice('sqlite:'.length) || ':memory:' };
  if (url.includes('://')) {
    throw new Error(
      `MSCT_DATABASE_URL: unsupported scheme in "${redact(url)}"; use sqlite:PATH or postgres://…`,
    );
  }
  return { dialect: 'sqlite', target: url };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

export interface OpenOptions {
  /**
   * SQLite files: checkpoint the WAL in a worker thread instead of inside the commits that pass 1000
   * pages (checkpointer.ts). For the long-running server; short jobs keep SQLite's own checkpoints.
   */
  backgroundCheckpoints?: boolean;
}

/**
 * The database holds patient data: a new data directory is made 0700 and the file 0600 before SQLite
 * opens it, and SQLite gives its -wal and -shm files the database file's permissions. A file left
 * readable by others (made before issue 17) is narrowed to 0600 when its owner opens it.
 */
function ownerOnlyDatabaseFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      const st = statSync(f);
      if (st.mode & 0o077 && st.uid === process.getuid?.()) chmodSync(f, st.mode & 0o700);
    } catch {
      // absent (-wal, -shm before the first write) or not ours: nothing to narrow
    }
  }
}

export function openDatabase(url: string = DEFAULT_DATABASE_URL, options: OpenOptions = {}): Db {
  const { dialect, target } = parseDatabaseUrl(url);
  if (dialect === 'sqlite') {
    if (target !== ':memory:') ownerOnlyDatabaseFile(resolve(target));
    const sqlite = new SQLite(target);
    // WAL for concurrent readers. synchronous=NORMAL: a commit writes the WAL without fsync and the
    // writer acknowledges it only after `durable()` has synced the WAL on the thread pool, so an
    // acknowledged commit survives power loss without the event loop waiting for the disk (the
    // argument is in wal-sync.ts). In memory there is nothing to sync.
    // Foreign keys are off by default in SQLite and must be switched on per connection.
    sqlite.pragma('journal_mode = WAL');
    const walSync = target === ':memory:' ? undefined : new WalSync(resolve(target));
    sqlite.pragma(walSync ? 'synchronous = NORMAL' : 'synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const kysely = new Kysely<Database>({
      dialect: new TransactionalDdlSqliteDialect({ database: withStatementCache(sqlite) }),
    });
    const checkpointer =
      options.backgroundCheckpoints && walSync ? new Checkpointer(sqlite, resolve(target)) : undefined;
    return {
      kysely,
      dialect,
      location: target === ':memory:' ? 'sqlite (in memory)' : resolve(target),
      url,
      sqlite,
      walSync,
      checkpointer,
      durable: walSync ? () => walSync.sync() : () => Promise.resolve(),
      close: async () => {
        await checkpointer?.stop();
        await kysely.destroy();
        await walSync?.close();
      },
    };
  }
  // JIT off for msct's sessions: the analysis read's per-visit subqueries are estimated above
  // jit_above_cost, and compiling them took ~8 ms of every ~40 ms page query (EXPLAIN ANALYZE on 20 000
  // patients, issue 16) for no gain; msct runs no long analytic scans that JIT is meant for. Measured:
  // `msct analyze` at 20 000 patients 19.8 s with JIT, 14.3 s without (docs/validation.md).
  const pool = new pg.Pool({ connectionString: target, max: 10, options: '-c jit=off' });
  // An idle connection the server closes (restart, failover, pg_terminate_backend) is reported on the
  // pool; without a listener Node would end the process. The pool has already dropped that client
  // and the next query opens a new one, while a query in flight gets its own error.
  pool.on('error', () => undefined);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kysely,
    dialect,
    location: redact(target),
    url,
    durable: () => Promise.resolve(),
    close: () => kysely.destroy(),
  };
}

/**
 * Kysely prepares every query afresh; SQLite parsing and planning the same few dozen statements on
 * each request cost more than running them. Prepared statements are reusable in better-sqlite3, and
 * the one connection runs one statement at a time, so a cache keyed by SQL text is safe. Bounded:
 * the least recently used statement goes when it is full.
 */
function withStatementCache(sqlite: SQLite.Database, size = 500): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return new Proxy(sqlite, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') return Reflect.get(target, prop, receiver);
      return (sql: string) => {
        let stmt = cache.get(sql);
        if (stmt) {
          cache.delete(sql);
        } else {
          stmt = prepare(sql);
          if (cache.size >= size) cache.delete(cache.keys().next().value as string);
        }
        cache.set(sql, stmt);
        return stmt;
      };
    },
  });
}
