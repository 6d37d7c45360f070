import type { Kysely } from 'kysely';

// Issue 16: the dataset loader reads a page of subjects' items with
// `form_instances.subject_id in (…)`; without an index each page rescanned every form instance of
// the trial. With (subject_id, visit_id, form_code) the forms of a page are found by the index and
// come out grouped by visit, and each form's items by item_values' unique (form_instance_id, item_code).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('form_instances_subject')
    .on('form_instances')
    .columns(['subject_id', 'visit_id', 'form_code'])
    .execute();
}

/** Index only: dropping it loses no data (003-sledai-attribution's down needs the ones after it undone). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('form_instances_subject').execute();
}
