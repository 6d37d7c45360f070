// Serious adverse event detail (issue #21, "Safety"): the dates the expedited-reporting clock runs on
// (core/safety/expedited-reporting.ts: became serious, site aware, sponsor notified, reported), the
// narrative, the sponsor's causality and expectedness, and dated follow-up entries (append-only).
// Seriousness criteria, onset, actions taken, outcome and the investigator's causality were already
// columns of adverse_events (001-initial).
import type { Kysely } from 'kysely';

const AE_COLUMNS = [
  'serious_date',
  'site_aware_at',
  'sponsor_notified_at',
  'reported_date',
  'narrative',
  'sponsor_relatedness',
  'expectedness',
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of AE_COLUMNS)
    await db.schema.alterTable('adverse_events').addColumn(column, 'text').execute();
  await db.schema
    .createTable('adverse_event_follow_ups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('adverse_event_id', 'text', (c) => c.notNull().references('adverse_events.id'))
    .addColumn('entry_date', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('adverse_event_follow_ups_ae')
    .on('adverse_event_follow_ups')
    .columns(['adverse_event_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('adverse_event_follow_ups').execute();
  for (const column of [...AE_COLUMNS].reverse())
    await db.schema.alterTable('adverse_events').dropColumn(column).execute();
}
