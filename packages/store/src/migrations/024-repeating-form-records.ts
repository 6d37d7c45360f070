// Issues #20 / #23, repeating forms: a form the definition declares `repeating` holds any number of
// records per visit (a concomitant-medication log; an ODM FormRepeatKey / ItemGroupRepeatKey instance
// each). `form_instances.record` numbers them from 1; every existing row is record 1, and the unique
// key becomes (visit_id, form_code, record) in place of (visit_id, form_code). A non-repeating form
// still holds only record 1: the item writer refuses more (item-writer.ts `formRecordError`).
//
// PostgreSQL: a column and a swapped constraint. SQLite cannot drop a table's inline UNIQUE
// constraint, so the table is rebuilt. `migrateToLatest` (migrate.ts) runs SQLite migrations with
// foreign keys OFF, as SQLite's documented 12-step table rebuild requires
// (https://www.sqlite.org/lang_altertable.html#otheralter): then only `form_instances` is copied,
// the old table dropped and the copy renamed — its children (item_values, form_reviews,
// item_verifications) name `form_instances` and are not touched. At 20 000 patients the children
// hold 8.9 million item values (most of a 9.2 GB file): rebuilding them cost minutes and gigabytes of
// WAL, rebuilding the parent alone (737 000 rows) seconds (docs/validation.md, scale2).
// A migrator run bare on a connection with foreign keys ON (a PRAGMA cannot change inside the
// migration's transaction) takes the slow path: dropping `form_instances` while its children
// reference it would leave deferred violations at commit. So each child is first rebuilt to reference the new parent
// `form_instances_next` (its own CREATE TABLE text from sqlite_master, only that reference changed),
// the old parent is dropped with no child left on it, and renaming `form_instances_next` to
// `form_instances` carries the children's references with it (SQLite rewrites them on a rename while
// foreign keys are on). Columns and indexes are read from sqlite_master, so columns other migrations
// added are kept. Every foreign key is still declared and enforced afterwards (024 test).
import { type Kysely, SqliteAdapter, sql } from 'kysely';

const PARENT = 'form_instances';
const NEXT = 'form_instances_next';
const CHILDREN = ['item_values', 'form_reviews', 'item_verifications'] as const;
const OLD_UNIQUE = 'constraint "form_instances_visit_form" unique ("visit_id", "form_code")';
// The same name, one column more: plans and tests that name the index still find it.
const NEW_UNIQUE = 'constraint "form_instances_visit_form" unique ("visit_id", "form_code", "record")';

// biome-ignore lint/suspicious/noExplicitAny: migrations take an untyped Kysely
type Db = Kysely<any>;

async function master(db: Db, table: string): Promise<{ create: string; indexes: string[] }> {
  const rows = (
    await sql<{
      type: string;
      sql: string | null;
    }>`select type, sql from sqlite_master where tbl_name = ${table}`.execute(db)
  ).rows;
  const create = rows.find((r) => r.type === 'table')?.sql;
  if (!create) throw new Error(`migration 024: no table ${table}`);
  return { create, indexes: rows.filter((r) => r.type === 'index' && r.sql).map((r) => r.sql!) };
}

const columnsOf = async (db: Db, table: string) =>
  (await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db)).rows.map(
    (r) => `"${r.name}"`,
  );

/** Rename the table in a CREATE TABLE statement (its first quoted name). */
const renamed = (create: string, from: string, to: string) => {
  const head = `CREATE TABLE "${from}"`;
  if (!create.startsWith(head)) throw new Error(`migration 024: unexpected schema of ${from}: ${create}`);
  return `CREATE TABLE "${to}"${create.slice(head.length)}`;
};

/** Rebuild `form_instances` with `reshape` applied to its CREATE TABLE text (SQLite). */
async function rebuildSqlite(db: Db, reshape: (create: string) => string): Promise<void> {
  const parent = await master(db, PARENT);
  const keep = (await columnsOf(db, PARENT)).filter((c) => c !== '"record"');
  await sql.raw(reshape(renamed(parent.create, PARENT, NEXT))).execute(db);
  await sql
    .raw(`insert into "${NEXT}" (${keep.join(', ')}) select ${keep.join(', ')} from "${PARENT}"`)
    .execute(db);
  const fk = (await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db)).rows[0]?.foreign_keys;
  if (Number(fk) === 0) {
    // Foreign keys off: the children keep naming `form_instances`, which is the copy once renamed
    // (with foreign keys off a rename rewrites only references to the renamed table itself).
    await sql.raw(`drop table "${PARENT}"`).execute(db);
    await sql.raw(`alter table "${NEXT}" rename to "${PARENT}"`).execute(db);
    for (const index of parent.indexes) await sql.raw(index).execute(db);
    return;
  }
  for (const child of CHILDREN) {
    const c = await master(db, child);
    const ref = `references "${PARENT}" ("id")`;
    if (!c.create.includes(ref)) throw new Error(`migration 024: ${child} does not reference ${PARENT}`);
    const tmp = `${child}_next`;
    await sql.raw(renamed(c.create, child, tmp).replace(ref, `references "${NEXT}" ("id")`)).execute(db);
    await sql.raw(`insert into "${tmp}" select * from "${child}"`).execute(db);
    await sql.raw(`drop table "${child}"`).execute(db);
    await sql.raw(`alter table "${tmp}" rename to "${child}"`).execute(db);
    for (const index of c.indexes) await sql.raw(index).execute(db);
  }
  await sql.raw(`drop table "${PARENT}"`).execute(db);
  await sql.raw(`alter table "${NEXT}" rename to "${PARENT}"`).execute(db);
  for (const index of parent.indexes) await sql.raw(index).execute(db);
}

export async function up(db: Db): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await rebuildSqlite(db, (create) => {
      if (!create.includes(OLD_UNIQUE)) throw new Error(`migration 024: unexpected schema: ${create}`);
      return create.replace(OLD_UNIQUE, `"record" integer default 1 not null, ${NEW_UNIQUE}`);
    });
    return;
  }
  await db.schema
    .alterTable(PARENT)
    .addColumn('record', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable(PARENT).dropConstraint('form_instances_visit_form').execute();
  await db.schema
    .alterTable(PARENT)
    .addUniqueConstraint('form_instances_visit_form', ['visit_id', 'form_code', 'record'])
    .execute();
}

export async function down(db: Db): Promise<void> {
  const extra = await db.selectFrom(PARENT).select('id').where('record', '>', 1).limit(1).execute();
  if (extra.length > 0)
    throw new Error(
      'migration 024 down: forms hold more than one record per visit; the schema before 024 cannot keep them',
    );
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await rebuildSqlite(db, (create) => {
      const withRecord = `"record" integer default 1 not null, ${NEW_UNIQUE}`;
      if (!create.includes(withRecord)) throw new Error(`migration 024 down: unexpected schema: ${create}`);
      return create.replace(withRecord, OLD_UNIQUE);
    });
    return;
  }
  await db.schema.alterTable(PARENT).dropConstraint('form_instances_visit_form').execute();
  await db.schema
    .alterTable(PARENT)
    .addUniqueConstraint('form_instances_visit_form', ['visit_id', 'form_code'])
    .execute();
  await db.schema.alterTable(PARENT).dropColumn('record').execute();
}
