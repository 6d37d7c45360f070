// Issues #20/#21, edit checks as data: a system query raised by an edit check of the study
// definition names the check (queries.edit_check), so that a broken check raises one open query per
// item and no second while it is open, and the query is closed automatically when the data pass.
// Queries raised by people have none (null).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('queries').addColumn('edit_check', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('queries').dropColumn('edit_check').execute();
}
