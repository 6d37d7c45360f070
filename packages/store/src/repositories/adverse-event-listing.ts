// The study-wide adverse event listing (issue #21, "Safety"): every AE of a study's subjects at the
// sites the reader may see, filtered in SQL (the same statement on SQLite and PostgreSQL), with the
// subject and site it belongs to.
import { sql } from 'kysely';
import type { Db } from '../database.js';
import type { AdverseEventTable } from '../schema.js';

export interface AdverseEventListFilter {
  studyId: string;
  /** undefined = every site; [] = none. */
  siteIds?: string[];
  /** A single site the reader chose (within `siteIds`). */
  siteId?: string;
  /** 'serious' | 'non_serious' | one ICH E2A criterion code. */
  seriousness?: string;
  grade?: number;
  /** One relatedness value, or any of a group (`relatednessIn`). */
  relatednessIn?: readonly string[];
  /** Case-insensitive part of the term. */
  term?: string;
  /** An outcome code, or 'none' for events without one yet. */
  outcome?: string;
  onsetFrom?: string;
  onsetTo?: string;
  aeId?: string;
  /** A slice of the listing in its order (a caller reads a study's events a batch at a time); default: all. */
  offset?: number;
  limit?: number;
}

export type ListedAdverseEventRow = AdverseEventTable & {
  subject_code: string;
  pseudonym: string;
  site_id: string;
  site_code: string;
};

/** `%`, `_` and `\` taken literally in a LIKE pattern (ESCAPE '\'). */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function listStudyAdverseEvents(
  db: Db,
  f: AdverseEventListFilter,
): Promise<ListedAdverseEventRow[]> {
  if (f.siteIds && f.siteIds.length === 0) return [];
  let q = db.kysely
    .selectFrom('adverse_events')
    .innerJoin('subjects', 'subjects.id', 'adverse_events.subject_id')
    .innerJoin('sites', 'sites.id', 'subjects.site_id')
    .selectAll('adverse_events')
    .select(['subjects.subject_code', 'subjects.pseudonym', 'subjects.site_id', 'sites.code as site_code'])
    .where('subjects.study_id', '=', f.studyId);
  if (f.siteIds) q = q.where('subjects.site_id', 'in', f.siteIds);
  if (f.siteId) q = q.where('subjects.site_id', '=', f.siteId);
  if (f.aeId) q = q.where('adverse_events.id', '=', f.aeId);
  if (f.seriousness === 'serious') q = q.where('adverse_events.serious', '=', 1);
  else if (f.seriousness === 'non_serious') q = q.where('adverse_events.serious', '=', 0);
  else if (f.seriousness)
    // seriousness_json is a JSON array of codes written by the API ("[\"death\",…]").
    q = q.where(
      sql<boolean>`${sql.ref('adverse_events.seriousness_json')} like ${`%"${likeLiteral(f.seriousness)}"%`} escape '\\'`,
    );
  if (f.grade !== undefined) q = q.where('adverse_events.ctcae_grade', '=', f.grade);
  if (f.relatednessIn) q = q.where('adverse_events.relatedness', 'in', [...f.relatednessIn]);
  if (f.term)
    q = q.where(
      sql<boolean>`lower(${sql.ref('adverse_events.term')}) like lower(${`%${likeLiteral(f.term)}%`}) escape '\\'`,
    );
  if (f.outcome === 'none') q = q.where('adverse_events.outcome', 'is', null);
  else if (f.outcome) q = q.where('adverse_events.outcome', '=', f.outcome);
  if (f.onsetFrom) q = q.where('adverse_events.onset_date', '>=', f.onsetFrom);
  if (f.onsetTo) q = q.where('adverse_events.onset_date', '<=', f.onsetTo);
  let ordered = q
    .orderBy('adverse_events.onset_date', 'desc')
    .orderBy('subjects.subject_code')
    .orderBy('adverse_events.id');
  if (f.limit !== undefined) ordered = ordered.limit(f.limit).offset(f.offset ?? 0);
  return ordered.execute();
}
