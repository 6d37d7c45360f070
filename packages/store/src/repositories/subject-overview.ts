// The study home at scale (issue 16): counts per site computed by the database, subject lists paged,
// filtered and sorted by the database, and visits read only for the subjects of one page or one
// bounded batch, so no request holds every subject or every visit of a trial in memory.
//
// Who sees pseudonyms decides `codeColumn`: a pseudonymised caller sorts, filters and pages on the
// pseudonym only (issue 17, Medium 3), never on the subject code it is not shown, so the order of a
// page or the answer to a filter cannot map a pseudonym to its code.
import { type SelectQueryBuilder, sql } from 'kysely';
import type { Db } from '../database.js';
import type { Database, SubjectTable } from '../schema.js';
import type { FormInstance } from './forms.js';
import { SUBJECT_STATUSES, type SubjectStatus } from './subjects.js';
import type { Visit } from './visits.js';

/** The column a caller knows subjects by: their code, or for a pseudonymised view their pseudonym. */
export type SubjectCodeColumn = 'subject_code' | 'pseudonym';

export const SUBJECT_SORTS = ['code', 'site', 'status', 'day0'] as const;
export type SubjectSort = (typeof SUBJECT_SORTS)[number];

export interface SubjectPageOptions {
  studyId: string;
  /** Restrict to these sites; undefined = every site. */
  siteIds?: readonly string[];
  status?: SubjectStatus;
  /** Case-insensitive substring of the code the caller sees (`codeColumn`). */
  search?: string;
  codeColumn: SubjectCodeColumn;
  sort?: SubjectSort;
  descending?: boolean;
  offset?: number;
  limit?: number;
}

export interface SubjectPage {
  /** Subjects matching the filters, over every page. */
  total: number;
  subjects: (SubjectTable & { site_code: string })[];
}

/** `%` and `_` of a user's search are literal characters, not wildcards. */
const likePattern = (s: string) => `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function filtered(db: Db, opts: SubjectPageOptions) {
  let q: SelectQueryBuilder<Database, 'subjects' | 'sites', object> = db.kysely
    .selectFrom('subjects')
    .innerJoin('sites', 'sites.id', 'subjects.site_id')
    .where('subjects.study_id', '=', opts.studyId);
  if (opts.siteIds) q = q.where('subjects.site_id', 'in', opts.siteIds);
  if (opts.status) q = q.where('subjects.status', '=', opts.status);
  if (opts.search)
    q = q.where(
      sql<boolean>`lower(${sql.ref(`subjects.${opts.codeColumn}`)}) like ${likePattern(opts.search)} escape '\\'`,
    );
  return q;
}

/**
 * One page of a study's subjects with the number matching the filters. Every order ends on the code
 * the caller sees and then the id, so pages never overlap or skip a subject; the order never
 * involves a column the caller is not shown.
 */
export async function listSubjectPage(db: Db, opts: SubjectPageOptions): Promise<SubjectPage> {
  if (opts.siteIds && opts.siteIds.length === 0) return { total: 0, subjects: [] };
  const dir = opts.descending ? 'desc' : 'asc';
  const code = `subjects.${opts.codeColumn}` as const;
  const [count, rows] = await Promise.all([
    filtered(db, opts)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow(),
    (() => {
      let q = filtered(db, opts).selectAll('subjects').select('sites.code as site_code');
      switch (opts.sort ?? 'code') {
        case 'site':
          q = q.orderBy('sites.code', dir);
          break;
        case 'status':
          // The order a trial moves through, not the alphabet.
          q = q.orderBy(
            sql`case ${sql.ref('subjects.status')} ${sql.join(
              SUBJECT_STATUSES.map((s, i) => sql`when ${s} then ${i}`),
              sql` `,
            )} else ${SUBJECT_STATUSES.length} end`,
            dir,
          );
          break;
        case 'day0':
          // Subjects without a day 0 last in either direction, the same on both databases.
          q = q
            .orderBy(sql`case when ${sql.ref('subjects.day0_date')} is null then 1 else 0 end`)
            .orderBy('subjects.day0_date', dir);
          break;
        case 'code':
          break;
      }
      return q
        .orderBy(code, dir)
        .orderBy('subjects.id', dir)
        .offset(opts.offset ?? 0)
        .limit(opts.limit ?? 50)
        .execute();
    })(),
  ]);
  return { total: Number(count.n), subjects: rows };
}

export interface SiteStatusCount {
  site_id: string;
  status: string;
  n: number;
}

/** Subjects per site and status, counted by the database. */
export async function countSubjectsBySiteAndStatus(
  db: Db,
  studyId: string,
  siteIds?: readonly string[],
): Promise<SiteStatusCount[]> {
  if (siteIds && siteIds.length === 0) return [];
  let q = db.kysely
    .selectFrom('subjects')
    .select(['site_id', 'status', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('study_id', '=', studyId);
  if (siteIds) q = q.where('site_id', 'in', siteIds);
  const rows = await q.groupBy(['site_id', 'status']).execute();
  return rows.map((r) => ({ site_id: r.site_id, status: r.status, n: Number(r.n) }));
}

/** Queries still waiting for someone (open or answered, not closed). */
export const UNRESOLVED_QUERY_STATUSES = ['open', 'answered'] as const;

/** Unresolved queries per site, or per subject for the given subjects, counted by the database. */
export async function countUnresolvedQueries(
  db: Db,
  opts: { studyId: string; siteIds?: readonly string[]; subjectIds?: readonly string[] },
  by: 'site' | 'subject',
): Promise<Map<string, number>> {
  if ((opts.siteIds && opts.siteIds.length === 0) || (opts.subjectIds && opts.subjectIds.length === 0))
    return new Map();
  const key = by === 'site' ? 'subjects.site_id' : 'subjects.id';
  let q = db.kysely
    .selectFrom('queries')
    .innerJoin('subjects', 'subjects.id', 'queries.subject_id')
    .select([`${key} as k`, (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('subjects.study_id', '=', opts.studyId)
    .where('queries.status', 'in', UNRESOLVED_QUERY_STATUSES);
  if (opts.siteIds) q = q.where('subjects.site_id', 'in', opts.siteIds);
  if (opts.subjectIds) q = q.where('subjects.id', 'in', opts.subjectIds);
  const rows = await q.groupBy(key).execute();
  return new Map(rows.map((r) => [r.k, Number(r.n)]));
}

export type SubjectScheduleRow = Pick<
  SubjectTable,
  'id' | 'subject_code' | 'site_id' | 'status' | 'day0_date'
> & {
  /** The subject's visits of treatment cycle 1 done on a date or declared missed (core's RecordedVisit). */
  recorded: ({ code: string; date: string } | { code: string; missed: true })[];
};

// Separators of the aggregated visit list: control characters, which no visit code or date holds.
const UNIT = '\u001f';
const RECORD = '\u001e';

/**
 * Walks a study's subjects (optionally of some sites) in batches of `batchSize`, in id order (an
 * index range per batch), each with its recorded visits of cycle 1 aggregated by the database into
 * one value: what the overdue count needs, one row per subject, one batch in memory at a time.
 */
export async function forEachSubjectScheduleBatch(
  db: Db,
  studyId: string,
  opts: {
    siteIds?: readonly string[] | undefined;
    /** Only subjects with a day 0 and none of these statuses (those whose visits are still expected). */
    scheduledOnly?: { exceptStatuses: readonly string[] };
    batchSize: number;
  },
  fn: (subjects: SubjectScheduleRow[]) => void | Promise<void>,
): Promise<void> {
  const { siteIds, batchSize } = opts;
  if (siteIds && siteIds.length === 0) return;
  const agg = db.dialect === 'sqlite' ? sql.raw('group_concat') : sql.raw('string_agg');
  let after: string | undefined;
  for (;;) {
    let q = db.kysely
      .selectFrom('subjects as s')
      .select(['s.id', 's.subject_code', 's.site_id', 's.status', 's.day0_date'])
      .select(
        sql<
          string | null
        >`(select ${agg}(v.visit_code || ${UNIT} || coalesce(v.visit_date, '') || ${UNIT} || case when v.status = 'missed' then 'm' else '' end, ${RECORD}) from visits v where v.subject_id = s.id and v.cycle = 1 and (v.visit_date is not null or v.status = 'missed'))`.as(
          'recorded',
        ),
      )
      .where('s.study_id', '=', studyId);
    if (siteIds) q = q.where('s.site_id', 'in', siteIds);
    if (opts.scheduledOnly) {
      q = q.where('s.day0_date', 'is not', null);
      if (opts.scheduledOnly.exceptStatuses.length > 0)
        q = q.where('s.status', 'not in', opts.scheduledOnly.exceptStatuses);
    }
    if (after !== undefined) q = q.where('s.id', '>', after);
    const rows = await q.orderBy('s.id').limit(batchSize).execute();
    if (rows.length === 0) return;
    await fn(
      rows.map((r) => ({
        id: r.id,
        subject_code: r.subject_code,
        site_id: r.site_id,
        status: r.status,
        day0_date: r.day0_date,
        recorded: r.recorded
          ? r.recorded.split(RECORD).map((v) => {
              const [code = '', date = '', missed = ''] = v.split(UNIT);
              return missed === 'm' ? { code, missed: true as const } : { code, date };
            })
          : [],
      })),
    );
    if (rows.length < batchSize) return;
    after = rows[rows.length - 1]!.id;
  }
}

export interface VisitOverviewRow {
  subjectId: string;
  visit: Visit;
  /** Each record of a repeating form is its own entry (`record` 1, 2, …). */
  forms: Pick<
    FormInstance,
    'id' | 'form_code' | 'record' | 'status' | 'version' | 'signed_by' | 'signed_at'
  >[];
}

/**
 * The visits of some subjects with their forms' states (no item values), in two queries: the rows
 * of one page of the record status grid. Subjects outside `siteIds` are left out.
 */
export async function listVisitOverview(
  db: Db,
  studyId: string,
  subjectIds: readonly string[],
  siteIds?: readonly string[],
): Promise<VisitOverviewRow[]> {
  if (subjectIds.length === 0 || (siteIds && siteIds.length === 0)) return [];
  let vq = db.kysely
    .selectFrom('visits')
    .innerJoin('subjects', 'subjects.id', 'visits.subject_id')
    .selectAll('visits')
    .where('subjects.study_id', '=', studyId)
    .where('visits.subject_id', 'in', subjectIds);
  if (siteIds) vq = vq.where('subjects.site_id', 'in', siteIds);
  const visits = await vq
    .orderBy('visits.subject_id')
    .orderBy('visits.cycle')
    .orderBy('visits.visit_date')
    .orderBy('visits.id')
    .execute();
  if (visits.length === 0) return [];
  const forms = await db.kysely
    .selectFrom('form_instances')
    .select(['id', 'visit_id', 'form_code', 'record', 'status', 'version', 'signed_by', 'signed_at'])
    .where(
      'visit_id',
      'in',
      visits.map((v) => v.id),
    )
    .orderBy('form_code')
    .orderBy('record')
    .execute();
  const byVisit = new Map<string, VisitOverviewRow['forms']>();
  for (const { visit_id, ...f } of forms) {
    const list = byVisit.get(visit_id);
    if (list) list.push(f);
    else byVisit.set(visit_id, [f]);
  }
  return visits.map((v) => ({ subjectId: v.subject_id, visit: v, forms: byVisit.get(v.id) ?? [] }));
}
