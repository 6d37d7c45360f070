import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001-initial.js';
import * as m004 from './004-scale-indexes.js';

/** Migrations are compiled in, not read from disk, so the same list runs from source, tests and bundles. */
export const migrationProvider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { '001-initial': m001, '004-scale-indexes': m004 };
  },
};
