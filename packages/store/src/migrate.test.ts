// A migration that fails or is killed midway leaves the schema as it was, on SQLite as on
// PostgreSQL: Kysely's Migrator wraps pending migrations and their records in one transaction once
// the SQLite adapter declares transactional DDL (database.ts). Before, a migration killed midway
// left its column without its record and the next start failed "duplicate column name".
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from './index.js';
import { migrationProvider } from './migrations/index.js';

const dir = mkdtempSync(join(tmpdir(), 'msct-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// biome-ignore lint/suspicious/noExplicitAny: a migration's Kysely is untyped by design
async function columns(db: Kysely<any>, table: string): Promise<string[]> {
  const r = await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db);
  return r.rows.map((c) => c.name);
}

function withExtra(name: string, extra: Migration) {
  return {
    async getMigrations() {
      return { ...(await migrationProvider.getMigrations()), [name]: extra };
    },
  };
}

describe('SQLite migrations run with foreign keys off, then checked', () => {
  it('a reference left dangling is reported by the next migrate, naming the table', async () => {
    const db = openDatabase(`sqlite:${join(dir, 'fk.sqlite')}`);
    try {
      expect((await migrateToLatest(db)).error).toBeUndefined();
      db.sqlite!.pragma('foreign_keys = OFF');
      db.sqlite!.exec(
        "insert into form_instances (id, visit_id, subject_id, form_code, status, created_at, version) values ('f-x', 'no-such-visit', 'no-such-subject', 'labs', 'draft', '2026-01-01', 1)",
      );
      db.sqlite!.pragma('foreign_keys = ON');
      const { error } = await migrateToLatest(db);
      expect(error).toMatch(/^foreign key check after migrating: /);
      expect(error).toContain('1 row(s) of form_instances → visits reference no row');
      expect(error).toContain('1 row(s) of form_instances → subjects reference no row');
    } finally {
      await db.close();
    }
  });
});

describe('SQLite migrations run in a transaction', () => {
  it('a migration that fails after its DDL leaves neither its column nor its record', async () => {
    const db = await openDatabase(`sqlite:${join(dir, 'failing.db')}`);
    try {
      expect((await migrateToLatest(db)).error).toBeUndefined();
      const migrator = new Migrator({
        db: db.kysely,
        provider: withExtra('999-broken', {
          async up(k) {
            await k.schema.alterTable('studies').addColumn('half_done', 'text').execute();
            throw new Error('midway');
          },
        }),
      });
      const { error } = await migrator.migrateToLatest();
      expect(String(error)).toContain('midway');
      expect(await columns(db.kysely, 'studies')).not.toContain('half_done');
      const ran = await sql<{ name: string }>`select name from kysely_migration`.execute(db.kysely);
      expect(ran.rows.map((r) => r.name)).not.toContain('999-broken');
      // The next start migrates cleanly (before: "duplicate column name").
      expect((await migrateToLatest(db)).error).toBeUndefined();
    } finally {
      await db.close();
    }
  });

  it('a process killed in the middle of a migration leaves the database as it was', async () => {
    const file = join(dir, 'killed.db');
    const db = await openDatabase(`sqlite:${file}`);
    await migrateToLatest(db);
    await db.close();
    // A child applies a migration that adds a column, says so, then waits to be killed.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `
        import { Migrator } from 'kysely';
        import { openDatabase } from ${JSON.stringify(join(import.meta.dirname, 'index.ts'))};
        import { migrationProvider } from ${JSON.stringify(join(import.meta.dirname, 'migrations', 'index.ts'))};
        const db = await openDatabase(${JSON.stringify(`sqlite:${file}`)});
        const provider = { async getMigrations() { return { ...(await migrationProvider.getMigrations()),
          '999-slow': { async up(k) {
            await k.schema.alterTable('studies').addColumn('half_done', 'text').execute();
            process.stdout.write('added\\n');
            await new Promise(() => {});
          } } }; } };
        await new Migrator({ db: db.kysely, provider }).migrateToLatest();
        `,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('added')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`the child ended (${code}) before its migration's DDL`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const after = await openDatabase(`sqlite:${file}`);
    try {
      expect(await columns(after.kysely, 'studies')).not.toContain('half_done');
      expect((await migrateToLatest(after)).error).toBeUndefined();
    } finally {
      await after.close();
    }
  }, 60_000);
});
