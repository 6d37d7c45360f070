// Where a visit belongs: its subject's study and site (and the study definition's version), read
// for the access and edit checks, and cached per database for the saves that ask on every call.
import type { Tx } from '../audit/writer.js';
import type { Db } from '../database.js';
import { notFound } from '../errors.js';
import type { VisitTable } from '../schema.js';
import { runCompiled } from './versioned.js';

/** A subject's study and site inside a write transaction (the audit event of a change names them). */
export async function subjectRow(tx: Tx, subjectId: string) {
  const s = await tx
    .selectFrom('subjects')
    .select(['id', 'study_id', 'site_id'])
    .where('id', '=', subjectId)
    .executeTakeFirst();
  if (!s) throw notFound('subject', subjectId);
  return s;
}

/** A visit with where its subject lives (study and site), in one query: what an access check needs. */
export async function getVisitWithScope(
  db: Db,
  id: string,
): Promise<(VisitTable & { study_id: string; site_id: string; study_version: number }) | undefined> {
  const [row] = await runCompiled(db.kysely, db.dialect, 'getVisitWithScope', [id], () =>
    db.kysely
      .selectFrom('visits')
      .innerJoin('subjects', 'subjects.id', 'visits.subject_id')
      .innerJoin('studies', 'studies.id', 'subjects.study_id')
      .selectAll('visits')
      .select(['subjects.study_id', 'subjects.site_id', 'studies.version as study_version'])
      .where('visits.id', '=', id),
  );
  return row;
}

/** Where a visit belongs, and the version of its study's definition. */
export interface VisitScope {
  subjectId: string;
  studyId: string;
  siteId: string;
  studyVersion: number;
  /** The visit's code (never changes once the visit exists): which forms its definition collects. */
  visitCode: string;
}

const scopeCaches = new WeakMap<object, Map<string, VisitScope>>();
const SCOPE_CACHE_MAX = 10_000;
const scopeCache = (db: Db) => {
  const key = db.sqlite ?? db.kysely;
  let cache = scopeCaches.get(key);
  if (!cache) {
    cache = new Map();
    scopeCaches.set(key, cache);
  }
  return cache;
};

/**
 * The scope of a visit for the access and edit checks before a save. Cached per database: every save
 * needs it, and read outside a transaction it cost ~16 µs of a save under load (a read transaction of
 * its own). None of it changes once the visit exists (no write moves a visit to another subject or a
 * subject to another study or site, and studies are not updated), and a stale entry could still never
 * let a save through under the wrong scope: saveItems re-reads the scope inside its transaction,
 * refuses the save when it differs from `expectedScope` and drops the entry.
 */
export async function visitScope(db: Db, visitId: string): Promise<VisitScope | undefined> {
  const cache = scopeCache(db);
  const hit = cache.get(visitId);
  if (hit) return hit;
  const row = await getVisitWithScope(db, visitId);
  if (!row) return undefined;
  const scope = Object.freeze({
    subjectId: row.subject_id,
    studyId: row.study_id,
    siteId: row.site_id,
    studyVersion: Number(row.study_version),
    visitCode: row.visit_code,
  });
  if (cache.size >= SCOPE_CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(visitId, scope);
  return scope;
}

/** Drops a visit's cached scope (saveItems, when the scope read inside its transaction differs). */
export function forgetVisitScope(db: Db, visitId: string): void {
  scopeCache(db).delete(visitId);
}
