// Test support: fresh, migrated databases of each dialect, so one test body runs against both
// (the Kysely way: for (const dialect of DIALECTS) describe(...)).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Db, type Dialect, openDatabase } from '../database.js';
import { migrateToLatest } from '../migrate.js';

/** The PostgreSQL server the tests use: the machine's own on 127.0.0.1:5432 with trust auth. */
export const TEST_PG_ADMIN_URL = process.env.MSCT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** MSCT_TEST_DIALECTS=sqlite narrows the run (e.g. on a machine without PostgreSQL); CI runs both. */
export const TEST_DIALECTS: Dialect[] = (process.env.MSCT_TEST_DIALECTS?.split(',') as
  | Dialect[]
  | undefined) ?? ['sqlite', 'postgres'];

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/** A fresh database URL of the dialect: a new SQLite file in a temp dir, or a new PostgreSQL database. */
export async function freshDatabaseUrl(dialect: Dialect): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'msct-test-'));
    return {
      url: `sqlite:${join(dir, 'msct.sqlite')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `msct_t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  const fresh = await freshDatabaseUrl(dialect);
  const db = openDatabase(fresh.url);
  const report = await migrateToLatest(db);
  if (report.error) throw new Error(`migration failed: ${report.error}`);
  return {
    url: fresh.url,
    db,
    drop: async () => {
      await db.close();
      await fresh.drop();
    },
  };
}
