// Indexes for the study home at scale (issue 16) and for pseudonymised lists (issue 17, Medium 3):
// a statistician's subject list is ordered and paged on the pseudonym (then the id); the counts per
// site and status are grouped straight from an index, without reading the subject rows; and the
// overdue count walks a study's subjects in id order in batches, each batch an index range (without
// it every batch sorted all the study's subjects again).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('subjects_study_pseudonym')
    .on('subjects')
    .columns(['study_id', 'pseudonym', 'id'])
    .execute();
  await db.schema
    .createIndex('subjects_study_site_status')
    .on('subjects')
    .columns(['study_id', 'site_id', 'status'])
    .execute();
  await db.schema.createIndex('subjects_study_id').on('subjects').columns(['study_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('subjects_study_id').execute();
  await db.schema.dropIndex('subjects_study_site_status').execute();
  await db.schema.dropIndex('subjects_study_pseudonym').execute();
}
