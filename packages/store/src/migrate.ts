import { Migrator } from 'kysely';
import type { Db } from './database.js';
import { migrationProvider } from './migrations/index.js';

export interface MigrateReport {
  applied: string[];
  error?: string;
}

/** Brings the schema to the latest version; returns what ran (never throws for a failed migration). */
export async function migrateToLatest(db: Db): Promise<MigrateReport> {
  const migrator = new Migrator({ db: db.kysely, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  await db.durable();
  return error ? { applied, error: error instanceof Error ? error.message : String(error) } : { applied };
}
