// Many rows of one table in one go, inside the caller's transaction. On SQLite a multi-row INSERT
// built by Kysely costs more to build and parse than to run (the import profile: parsing and
// compiling 500-row statements took a quarter of the time); one prepared single-row INSERT run per
// row through better-sqlite3 is the fast path SQLite is made for. better-sqlite3 holds one
// connection, the same one Kysely's transaction is open on, so these rows join that transaction.
// On PostgreSQL the rows go as Kysely multi-row INSERTs, in chunks under its 65 535-parameter limit.
import type SQLite from 'better-sqlite3';
import type { Insertable, Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

type Table = keyof Database & string;

const statements = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>();

function prepared(sqlite: SQLite.Database, sql: string): SQLite.Statement {
  let cache = statements.get(sqlite);
  if (!cache) {
    cache = new Map();
    statements.set(sqlite, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = sqlite.prepare(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}

/**
 * Inserts `rows` (all with the same columns) into `table`. Call it inside a transaction: on SQLite
 * `sqlite` must be the handle that transaction runs on. Table and column names come from code, typed
 * by the schema, never from input.
 */
export async function insertRows<T extends Table>(
  kysely: Kysely<Database> | Transaction<Database>,
  sqlite: SQLite.Database | undefined,
  table: T,
  rows: readonly Insertable<Database[T]>[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  if (sqlite) {
    const sql = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})`;
    const stmt = prepared(sqlite, sql);
    for (const row of rows) {
      const r = row as Record<string, unknown>;
      const values = columns.map((c) => r[c]);
      if (Object.keys(r).length !== columns.length)
        throw new Error(`insertRows(${table}): rows must all have the columns ${columns.join(', ')}`);
      stmt.run(values);
    }
    return;
  }
  const chunk = Math.max(1, Math.floor(60_000 / columns.length));
  for (let i = 0; i < rows.length; i += chunk)
    await (kysely as Kysely<Database>)
      .insertInto(table)
      .values(rows.slice(i, i + chunk) as never)
      .execute();
}
