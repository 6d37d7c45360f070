// Review and source data verification (issue 21): a monitor marks a form "source verified" and/or
// "reviewed"; a later change to one of its values clears the verification and stamps the change, so
// the monitor's worklist can list the forms changed since their last review. One row per form that
// has ever been marked (no row: never reviewed nor verified). The study's SDV plan (which forms need
// source verification: all, or a subset by form/visit) is a monitoring setting, not protocol, so it
// has its own row per study (no row: every form needs SDV, the 100 % default).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('form_reviews')
    .addColumn('form_instance_id', 'text', (c) => c.primaryKey().references('form_instances.id'))
    .addColumn('subject_id', 'text', (c) => c.notNull().references('subjects.id'))
    .addColumn('verified_by', 'text', (c) => c.references('users.id'))
    .addColumn('verified_at', 'text')
    .addColumn('reviewed_by', 'text', (c) => c.references('users.id'))
    .addColumn('reviewed_at', 'text')
    /** The last change of a value of the form after it was first marked (null: none since). */
    .addColumn('changed_at', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('form_reviews_subject').on('form_reviews').column('subject_id').execute();

  await db.schema
    .createTable('study_sdv_plans')
    .addColumn('study_id', 'text', (c) => c.primaryKey().references('studies.id'))
    /** JSON: { "mode": "all" } or { "mode": "subset", "rules": [{ "formCode", "visitCode"? }] }. */
    .addColumn('plan_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  // The worklist's "answered queries to close" and the query list's status filter.
  await db.schema.createIndex('queries_status').on('queries').columns(['status', 'raised_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('queries_status').execute();
  await db.schema.dropTable('study_sdv_plans').execute();
  await db.schema.dropIndex('form_reviews_subject').execute();
  await db.schema.dropTable('form_reviews').execute();
}
