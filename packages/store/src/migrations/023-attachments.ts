// Issue 22, attachments: source documents and reports uploaded to a subject or one of its visits.
// The bytes are kept IN the database (SQLite blob, PostgreSQL bytea) with their SHA-256, not in a
// directory beside it: `msct backup` (SQLite's online backup API, pg_dump) and `msct restore` then
// carry them with no second step, they commit in the same transaction as their audit event, and a
// restore can never pair a database with files from another day. A file is never removed: a
// retraction (with who, when and why) hides it from download; the row and its bytes stay.
import { type Kysely, SqliteAdapter, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable('attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
    .addColumn('subject_id', 'text', (c) => c.notNull().references('subjects.id'))
    .addColumn('visit_id', 'text', (c) => c.references('visits.id'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', sqlite ? 'blob' : sql`bytea`, (c) => c.notNull())
    /** 'not scanned' (no scanner configured) or 'clean' (the configured scanner passed it). */
    .addColumn('scan_status', 'text', (c) => c.notNull())
    .addColumn('scanner', 'text')
    .addColumn('uploaded_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('uploaded_by_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    /** 'active' | 'retracted' */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('retracted_by', 'text', (c) => c.references('users.id'))
    .addColumn('retracted_at', 'text')
    .addColumn('retract_reason', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('attachments_subject')
    .on('attachments')
    .columns(['subject_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('attachments').execute();
}
