// Issue #20, "Versions and amendments": a study definition has versions and data is bound to the
// version it was entered under.
// - `study_definitions` keeps every version of every study's definition (never overwritten: an
//   amendment inserts the next version, repositories/definition-versions.ts), with who, when and why.
//   `studies.definition_json` stays the current version (every reader reads it as before).
// - `studies.definition_version` is the current version's number.
// - `visits`, `form_instances` and `item_values` get `definition_version`: the version the row was
//   entered (an item value: last changed) under.
// Backfill: every existing study's current definition becomes its version 1 (created when and by
// whom the study was, from its `study.create` event; no reason), so the rows existing data are
// bound to it: the columns' default 1 is that backfill, on SQLite and PostgreSQL alike.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('study_definitions')
    .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('definition_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_by_name', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addPrimaryKeyConstraint('study_definitions_pk', ['study_id', 'version'])
    .execute();
  for (const table of ['studies', 'visits', 'form_instances', 'item_values'])
    await db.schema
      .alterTable(table)
      .addColumn('definition_version', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
  await sql`
    insert into study_definitions (study_id, version, definition_json, created_at, created_by, created_by_name, reason)
    select s.id, 1, s.definition_json, s.created_at,
      (select e.actor_id from audit_events e where e.entity_type = 'study' and e.entity_id = s.id and e.action = 'study.create' order by e.seq limit 1),
      coalesce((select e.actor_name from audit_events e where e.entity_type = 'study' and e.entity_id = s.id and e.action = 'study.create' order by e.seq limit 1), 'unknown'),
      null
    from studies s`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['item_values', 'form_instances', 'visits', 'studies'])
    await db.schema.alterTable(table).dropColumn('definition_version').execute();
  await db.schema.dropTable('study_definitions').execute();
}
