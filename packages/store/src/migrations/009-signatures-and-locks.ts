// Issue 21, signatures and locks:
// - form_instances.signature_meaning: the meaning a signer saw and signed (21 CFR 11.50(a)(3)),
//   stored with each signature (null while unsigned), so the record shows what was signed even if
//   the wording changes later. Earlier signatures take it from their audited form.sign event.
// - record_locks: freezes and locks of a whole study, a site or a subject (database lock before
//   analysis). A lock is never deleted: its release is recorded on the row (who, when, why) and both
//   steps are audited. A lock is active while released_at is null.
// - unlock_requests: a coordinator's request, with a reason, that a signed form or a lock be
//   unlocked; it appears in the worklist of those who can unlock it and is closed, recorded on the
//   row, when the record is unlocked or the request declined.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('form_instances').addColumn('signature_meaning', 'text').execute();
  // Signatures given before this migration: their meaning is the reason of their audited form.sign.
  // entity_type first: the lookup then uses the audit_events_entity index (entity_type, entity_id);
  // without it each signed form scanned the whole audit trail (a 20 000-patient trial never finished).
  await sql`update form_instances set signature_meaning = (
      select a.reason from audit_events a
      where a.entity_type = 'form' and a.entity_id = form_instances.id and a.action = 'form.sign'
      order by a.seq desc limit 1)
    where signed_at is not null`.execute(db);
  await db.schema
    .createTable('record_locks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text', (c) => c.references('sites.id'))
    .addColumn('subject_id', 'text', (c) => c.references('subjects.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('locked_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('locked_at', 'text', (c) => c.notNull())
    .addColumn('released_by', 'text', (c) => c.references('users.id'))
    .addColumn('released_at', 'text')
    .addColumn('release_reason', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('record_locks_study_active')
    .on('record_locks')
    .columns(['study_id', 'released_at'])
    .execute();
  await db.schema
    .createTable('unlock_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
    .addColumn('site_id', 'text', (c) => c.references('sites.id'))
    .addColumn('subject_id', 'text', (c) => c.references('subjects.id'))
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('closed_by', 'text', (c) => c.references('users.id'))
    .addColumn('closed_at', 'text')
    .addColumn('close_note', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('unlock_requests_study_status')
    .on('unlock_requests')
    .columns(['study_id', 'status'])
    .execute();
  await db.schema
    .createIndex('unlock_requests_target')
    .on('unlock_requests')
    .columns(['target_id', 'status'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('unlock_requests').execute();
  await db.schema.dropTable('record_locks').execute();
  await db.schema.alterTable('form_instances').dropColumn('signature_meaning').execute();
}
