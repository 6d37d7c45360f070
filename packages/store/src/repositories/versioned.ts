import { type Compilable, CompiledQuery, type Kysely } from 'kysely';
import type { Tx } from '../audit/types.js';
import type { Dialect } from '../database.js';
import { conflict, notFound } from '../errors.js';
import type { Database } from '../schema.js';

const compiledSql = new Map<string, string>();

/**
 * Runs a hot query whose SQL text never changes, building and compiling it with Kysely only the
 * first time per dialect: on the save path, building and compiling each query cost about as much
 * as SQLite running it. `build` must bind exactly `params`, in that order (checked at the first
 * compile), so the cached SQL text stays the one Kysely wrote for this dialect.
 */
export async function runCompiled<R>(
  q: Kysely<Database> | Tx,
  dialect: Dialect,
  name: string,
  params: readonly unknown[],
  build: () => Compilable<R>,
): Promise<R[]> {
  const key = `${dialect}:${name}`;
  let sql = compiledSql.get(key);
  if (sql === undefined) {
    const compiled = build().compile();
    if (compiled.parameters.length !== params.length || compiled.parameters.some((p, i) => p !== params[i]))
      throw new Error(`runCompiled(${name}): the query must bind exactly the given parameters, in order`);
    sql = compiled.sql;
    compiledSql.set(key, sql);
  }
  const result = await q.executeQuery<R>(CompiledQuery.raw(sql, [...params]));
  return result.rows;
}

type VersionedTable = {
  [K in keyof Database]: Database[K] extends { id: string; version: number } ? K : never;
}[keyof Database];

/**
 * Reads a row for update and checks that the caller saw its current version. A stale version is a
 * conflict, never a silent overwrite (DESIGN.md principle 4).
 */
export async function loadForUpdate<T extends VersionedTable>(
  tx: Tx,
  table: T,
  id: string,
  expectedVersion: number,
  label: string,
): Promise<Database[T]> {
  // biome-ignore lint/suspicious/noExplicitAny: Kysely cannot type a table name chosen at run time.
  const row = (await (tx as any).selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst()) as
    | Database[T]
    | undefined;
  if (!row) throw notFound(label, id);
  if (Number(row.version) !== expectedVersion)
    throw conflict(label, id, expectedVersion, Number(row.version));
  return row;
}

/** Writes changed columns and bumps the version, guarded by the version read. */
export async function writeVersioned<T extends VersionedTable>(
  tx: Tx,
  table: T,
  id: string,
  expectedVersion: number,
  changes: Partial<Database[T]>,
  label: string,
): Promise<number> {
  // biome-ignore lint/suspicious/noExplicitAny: Kysely cannot type a table name chosen at run time.
  const result = await (tx as any)
    .updateTable(table)
    .set({ ...changes, version: expectedVersion + 1 })
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw conflict(label, id, expectedVersion, expectedVersion + 1);
  return expectedVersion + 1;
}

/** The audit entries for the columns that differ between the old row and the changes. */
export function changedFields<R extends object>(
  before: R,
  changes: Partial<R>,
): { field: string; oldValue: string | null; newValue: string | null }[] {
  const out: { field: string; oldValue: string | null; newValue: string | null }[] = [];
  for (const [field, next] of Object.entries(changes)) {
    const prev = (before as Record<string, unknown>)[field];
    const a = prev === null || prev === undefined ? null : String(prev);
    const b = next === null || next === undefined ? null : String(next);
    if (a !== b) out.push({ field, oldValue: a, newValue: b });
  }
  return out;
}
