import { Migrator } from 'kysely';
import type { Db } from './database.js';
import { migrationProvider } from './migrations/index.js';

export interface MigrateReport {
  applied: string[];
  error?: string;
}

/**
 * SQLite: runs `f` (the migrator's one transaction) with foreign keys off, as SQLite's documented
 * table rebuild requires (https://www.sqlite.org/lang_altertable.html#otheralter; the PRAGMA is a
 * no-op inside a transaction, so it is set around it). Dropping a parent that children reference and
 * renaming its rebuilt copy in its place then leaves the children untouched (024 rebuilds
 * `form_instances` without copying its 8.9 million item values at 20 000 patients). Foreign keys are
 * on again afterwards, whatever happened; the migrations themselves keep every reference valid
 * (024 test: `pragma foreign_key_check` is empty).
 */
async function withoutForeignKeys<T>(db: Db, f: () => Promise<T>): Promise<T> {
  if (!db.sqlite) return f();
  db.sqlite.pragma('foreign_keys = OFF');
  try {
    return await f();
  } finally {
    db.sqlite.pragma('foreign_keys = ON');
  }
}

/**
 * SQLite: what the documented rebuild ends with — `pragma foreign_key_check` — so a migration that
 * left a reference dangling while foreign keys were off is reported, never served silently.
 */
function danglingReferences(db: Db): string | undefined {
  if (!db.sqlite) return undefined;
  const rows = db.sqlite.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
  if (rows.length === 0) return undefined;
  const byTable = new Map<string, number>();
  for (const r of rows)
    byTable.set(`${r.table} → ${r.parent}`, (byTable.get(`${r.table} → ${r.parent}`) ?? 0) + 1);
  return `foreign key check after migrating: ${[...byTable].map(([t, n]) => `${n} row(s) of ${t} reference no row`).join('; ')}`;
}

/** Brings the schema to the latest version; returns what ran (never throws for a failed migration). */
export async function migrateToLatest(db: Db): Promise<MigrateReport> {
  const migrator = new Migrator({ db: db.kysely, provider: migrationProvider });
  const { error, results } = await withoutForeignKeys(db, () => migrator.migrateToLatest());
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  await db.durable();
  if (error) return { applied, error: error instanceof Error ? error.message : String(error) };
  const dangling = danglingReferences(db);
  return dangling ? { applied, error: dangling } : { applied };
}

/**
 * Reverts the most recent migration, which must be `expected` (so an operator cannot revert the
 * wrong one by accident) and must have a reverse: a data migration's `down` writes its own audit
 * events (e.g. 003-sledai-attribution); the initial schema is forward-only (restore a backup).
 */
export async function revertMigration(db: Db, expected: string): Promise<MigrateReport> {
  const migrator = new Migrator({ db: db.kysely, provider: migrationProvider });
  const executed = (await migrator.getMigrations()).filter((m) => m.executedAt !== undefined);
  const last = executed.at(-1)?.name;
  if (last !== expected)
    return { applied: [], error: `the most recent migration is ${last ?? 'none'}, not ${expected}` };
  const { error, results } = await withoutForeignKeys(db, () => migrator.migrateDown());
  const reverted = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  await db.durable();
  return error
    ? { applied: reverted, error: error instanceof Error ? error.message : String(error) }
    : { applied: reverted };
}
