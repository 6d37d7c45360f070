// Issue #21, session 8: source data verification of single items, and the override reason of a lock
// set while the "ready to lock" report was not clean.
// - item_verifications: one row per item a monitor verified on its own (form, item code). A change to
//   the item's value clears the row's verification (verified_by/verified_at set to null, audited in
//   the change's transaction by the item writer); the row is kept (its version counts the marks).
// - record_locks.override_reason: why a study or site was locked although the report listed open
//   queries, unverified, unsigned or missing forms (null: the report was clean, or not a lock).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('item_verifications')
    .addColumn('form_instance_id', 'text', (c) => c.notNull().references('form_instances.id'))
    .addColumn('item_code', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull().references('subjects.id'))
    .addColumn('verified_by', 'text', (c) => c.references('users.id'))
    .addColumn('verified_at', 'text')
    /** The item value's version that was verified. */
    .addColumn('value_version', 'integer')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('item_verifications_pk', ['form_instance_id', 'item_code'])
    .execute();
  await db.schema.alterTable('record_locks').addColumn('override_reason', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('record_locks').dropColumn('override_reason').execute();
  await db.schema.dropTable('item_verifications').execute();
}
