// Opens the one query layer (Kysely) on SQLite or PostgreSQL from a URL.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

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
  close(): Promise<void>;
  /**
   * Set inside `inTransaction`: the open transaction and its audit writer, which every repository
   * call made with this Db joins instead of opening its own.
   */
  current?: { tx: import('kysely').Transaction<Database>; audit: import('./audit/writer.js').AuditWriter };
}

export const DEFAULT_DATABASE_URL = 'sqlite:./data/msct.sqlite';

/** Parses `sqlite:PATH`, `sqlite::memory:`, a bare file path, or `postgres://…` / `postgresql://…`. */
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

export function openDatabase(url: string = DEFAULT_DATABASE_URL): Db {
  const { dialect, target } = parseDatabaseUrl(url);
  if (dialect === 'sqlite') {
    if (target !== ':memory:') mkdirSync(dirname(resolve(target)), { recursive: true });
    const sqlite = new SQLite(target);
    // WAL for concurrent readers; synchronous=FULL so an acknowledged commit survives power loss;
    // foreign keys are off by default in SQLite and must be switched on per connection.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    return {
      kysely,
      dialect,
      location: target === ':memory:' ? 'sqlite (in memory)' : resolve(target),
      url,
      sqlite,
      close: () => kysely.destroy(),
    };
  }
  const pool = new pg.Pool({ connectionString: target, max: 10 });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { kysely, dialect, location: redact(target), url, close: () => kysely.destroy() };
}
