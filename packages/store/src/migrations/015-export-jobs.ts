// Issue 22, exports in the app: an export runs as a job in the server process. One row per job:
// what was asked (study, format, filters, pseudonymised or not), by whom, its status and progress,
// the file it wrote under the data directory, when it was created, started and finished, and why it
// failed. Requesting, finishing and downloading are audited (entity type 'export').
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('export_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('filters_json', 'text', (c) => c.notNull())
    .addColumn('pseudonymised', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('progress', 'integer', (c) => c.notNull())
    .addColumn('file_path', 'text')
    .addColumn('file_name', 'text')
    .addColumn('bytes', 'integer')
    .addColumn('sha256', 'text')
    .addColumn('requested_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('requested_by_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('export_jobs_requester')
    .on('export_jobs')
    .columns(['requested_by', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('export_jobs').execute();
}
