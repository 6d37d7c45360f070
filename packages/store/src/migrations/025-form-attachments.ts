// Issue 22, attachments on a single form instance: a file may belong to one form of a visit (a lab
// report to its labs form) besides a subject or a visit (migration 023). The form's visit is the
// attachment's visit, so a form's files also list with its visit's. Nullable: earlier files keep
// their subject/visit scope. A signed or locked form takes no new file and no retraction of one
// (repositories/attachments.ts): its files are part of what was signed.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('attachments')
    .addColumn('form_id', 'text', (c) => c.references('form_instances.id'))
    .execute();
  await db.schema.createIndex('attachments_form').on('attachments').column('form_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('attachments_form').execute();
  await db.schema.alterTable('attachments').dropColumn('form_id').execute();
}
