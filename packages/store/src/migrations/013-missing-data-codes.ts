// Issue #22 / #20, missing-data codes at entry: an item the definition allows them for can hold ND
// (not done), NK (not known) or NA (not applicable) in place of a value. The code has its own column
// so it can never be mistaken for a value (a text item may hold the letters "ND") nor for a blank
// (value and missing_code both null): a row holds a value or a code, never both (the item writer's
// rule, core crf/item-definition.ts missingCodeRefusal).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('item_values').addColumn('missing_code', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('item_values').dropColumn('missing_code').execute();
}
