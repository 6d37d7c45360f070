import type { Kysely } from 'kysely';

// Issue 17, accounts and authentication:
// - must_change_password: 1 when the password was set by someone else (an admin, `msct user add`,
//   the first start, the demo): the next login opens a session that may only change the password.
// - deactivated_at: when the account was deactivated (null while active); who and why are audited.
// Existing accounts keep their passwords as they are (must_change_password = 0).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('users').addColumn('deactivated_at', 'text').execute();
}
