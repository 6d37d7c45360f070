// Issue 24, "the assignment is final (a correction is a new audited event with a reason, never an
// overwrite)": a correction of a subject's assignment is a row of its own — who, when, why, from
// which arm to which — and the assignment row (migration 011) is never changed. The analysis keeps
// the arm as randomised (intention to treat); a correction records what the subject should be, or
// was, treated as, for the unblinded team and the trial master file.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('randomisation_corrections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
    .addColumn('subject_id', 'text', (c) => c.notNull().references('subjects.id'))
    .addColumn('assignment_id', 'text', (c) => c.notNull().references('randomisation_assignments.id'))
    .addColumn('from_arm', 'text', (c) => c.notNull())
    .addColumn('to_arm', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('corrected_at', 'text', (c) => c.notNull())
    .addColumn('corrected_by', 'text')
    .addColumn('corrected_by_name', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('randomisation_corrections_study')
    .on('randomisation_corrections')
    .columns(['study_id', 'subject_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('randomisation_corrections').execute();
}
