// Indexes for the study home at scale (issue 16) and for pseudonymised lists (issue 17, Medium 3):
// a statistician's subject list is ordered and paged on the pseudonym, and the counts per site and
// status are grouped straight from an index, without reading the subject rows.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('subjects_study_pseudonym')
    .on('subjects')
    .columns(['study_id', 'pseudonym'])
    .execute();
  await db.schema
    .createIndex('subjects_study_site_status')
    .on('subjects')
    .columns(['study_id', 'site_id', 'status'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('subjects_study_site_status').execute();
  await db.schema.dropIndex('subjects_study_pseudonym').execute();
}
