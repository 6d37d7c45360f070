// Issue 24, concealed randomisation and blinding:
// - randomisation_lists: one row per randomised study, written at its first randomisation: the
//   32-byte seed drawn from the OS CSPRNG and its SHA-256 commitment. The allocation sequence is
//   the CSPRNG's output for that seed (core/randomisation), so the seed is the list: no route gives
//   it to anyone but an unblinded statistician (the trial master file export).
// - randomisation_assignments: a subject's one assignment (unique per subject: final; a second
//   randomisation is refused), its stratum and place in the stratum's sequence (unique, so two
//   concurrent randomisations can never take the same entry).
// - unblindings: emergency unblinding of one subject, who, when and why.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('randomisation_lists')
    .addColumn('study_id', 'text', (c) => c.primaryKey().references('studies.id'))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('seed_hex', 'text', (c) => c.notNull())
    .addColumn('seed_commitment', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .execute();
  await db.schema
    .createTable('randomisation_assignments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
    .addColumn('subject_id', 'text', (c) => c.notNull().unique().references('subjects.id'))
    .addColumn('stratum', 'text', (c) => c.notNull())
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('arm', 'text', (c) => c.notNull())
    .addColumn('levels_json', 'text', (c) => c.notNull())
    .addColumn('assigned_at', 'text', (c) => c.notNull())
    .addColumn('assigned_by', 'text')
    .addUniqueConstraint('randomisation_assignments_sequence', ['study_id', 'stratum', 'sequence'])
    .execute();
  await db.schema
    .createTable('unblindings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
    .addColumn('subject_id', 'text', (c) => c.notNull().references('subjects.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('unblinded_at', 'text', (c) => c.notNull())
    .addColumn('unblinded_by', 'text')
    .addColumn('unblinded_by_name', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('unblindings_study')
    .on('unblindings')
    .columns(['study_id', 'subject_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('unblindings').execute();
  await db.schema.dropTable('randomisation_assignments').execute();
  await db.schema.dropTable('randomisation_lists').execute();
}
