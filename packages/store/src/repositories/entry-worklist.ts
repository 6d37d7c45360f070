// What a site's coordinator still has to enter (issue 22, the coordinator's worklist): visits opened
// whose forms are incomplete or not yet entered, and the answers to the unlock requests they made.
// Every list is bounded (`limit`) and counted by the database, so a large site never materialises
// every visit; the caller says which forms each visit code expects (from the study definition).
import { sql } from 'kysely';
import type { Db } from '../database.js';

export interface VisitNeedingEntry {
  visit_id: string;
  visit_code: string;
  cycle: number;
  visit_date: string | null;
  subject_id: string;
  subject_code: string;
  site_id: string;
  site_code: string;
  /** The visit's forms with their states (the caller finds the incomplete and the missing ones). */
  forms: { form_code: string; status: string }[];
}

/**
 * Visits at the given sites (undefined = all), not declared missed, that have an incomplete form or
 * lack a form their visit code expects (`expected`: visit code → form codes), oldest visit first,
 * at most `limit`, with how many there are in all.
 */
export async function listVisitsNeedingEntry(
  db: Db,
  opts: {
    studyId: string;
    siteIds?: readonly string[] | undefined;
    expected: ReadonlyMap<string, readonly string[]>;
    limit: number;
  },
): Promise<{ total: number; visits: VisitNeedingEntry[] }> {
  if (opts.siteIds && opts.siteIds.length === 0) return { total: 0, visits: [] };
  const base = () => {
    let q = db.kysely
      .selectFrom('visits as v')
      .innerJoin('subjects as s', 's.id', 'v.subject_id')
      .innerJoin('sites', 'sites.id', 's.site_id')
      .where('s.study_id', '=', opts.studyId)
      .where('v.status', '!=', 'missed');
    if (opts.siteIds) q = q.where('s.site_id', 'in', opts.siteIds);
    return q.where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom('form_instances as f')
            .select('f.id')
            .whereRef('f.visit_id', '=', 'v.id')
            .where('f.status', '=', 'incomplete'),
        ),
        // A visit with fewer of its expected forms than the definition asks for.
        ...[...opts.expected]
          .filter(([, codes]) => codes.length > 0)
          .map(([code, codes]) =>
            eb.and([
              eb('v.visit_code', '=', code),
              eb(
                eb
                  .selectFrom('form_instances as f')
                  .select(sql<number>`count(distinct f.form_code)`.as('n'))
                  .whereRef('f.visit_id', '=', 'v.id')
                  .where('f.form_code', 'in', [...codes]),
                '<',
                codes.length,
              ),
            ]),
          ),
      ]),
    );
  };
  // One evaluation of the conditions gives the page and the total (a window count is taken before
  // the limit): counting in a second query read every visit of the trial twice (20 000 patients:
  // 155 000 visits to enter, docs/validation.md scale2).
  const rows = await base()
    .select([
      'v.id as visit_id',
      'v.visit_code',
      'v.cycle',
      'v.visit_date',
      's.id as subject_id',
      's.subject_code',
      's.site_id',
      'sites.code as site_code',
      sql<number | string>`count(*) over ()`.as('total'),
    ])
    // Visits without a date (opened, not yet dated) after the dated ones, oldest first.
    .orderBy(sql`case when v.visit_date is null then 1 else 0 end`)
    .orderBy('v.visit_date')
    .orderBy('s.subject_code')
    .orderBy('v.id')
    .limit(opts.limit)
    .execute();
  const forms =
    rows.length === 0
      ? []
      : await db.kysely
          .selectFrom('form_instances')
          .select(['visit_id', 'form_code', 'status'])
          .where(
            'visit_id',
            'in',
            rows.map((r) => r.visit_id),
          )
          .orderBy('form_code')
          .execute();
  const byVisit = new Map<string, VisitNeedingEntry['forms']>();
  for (const f of forms) {
    const list = byVisit.get(f.visit_id) ?? [];
    list.push({ form_code: f.form_code, status: f.status });
    byVisit.set(f.visit_id, list);
  }
  return {
    total: rows.length === 0 ? 0 : Number(rows[0]!.total),
    visits: rows.map(({ total: _total, ...r }) => ({
      ...r,
      cycle: Number(r.cycle),
      forms: byVisit.get(r.visit_id) ?? [],
    })),
  };
}

/**
 * The unlock requests a user made that have been answered (granted or declined) since `since`, newest
 * first, at the given sites: what the coordinator reads back in their worklist.
 */
export async function listAnsweredUnlockRequests(
  db: Db,
  opts: {
    studyId: string;
    requestedBy: string;
    siteIds?: readonly string[] | undefined;
    since: string;
    limit: number;
  },
) {
  if (opts.siteIds && opts.siteIds.length === 0) return [];
  let q = db.kysely
    .selectFrom('unlock_requests as r')
    .leftJoin('users as closer', 'closer.id', 'r.closed_by')
    .leftJoin('subjects as s', 's.id', 'r.subject_id')
    .leftJoin('form_instances as f', 'f.id', 'r.target_id')
    .leftJoin('visits as v', 'v.id', 'f.visit_id')
    .select([
      'r.id',
      'r.target_type',
      'r.subject_id',
      'r.reason',
      'r.requested_at',
      'r.status',
      'r.closed_at',
      'r.close_note',
      'closer.display_name as closed_by_name',
      's.subject_code',
      'f.form_code',
      'v.id as visit_id',
      'v.visit_code',
      'v.cycle',
    ])
    .where('r.study_id', '=', opts.studyId)
    .where('r.requested_by', '=', opts.requestedBy)
    .where('r.status', 'in', ['done', 'declined'])
    .where('r.closed_at', '>=', opts.since);
  if (opts.siteIds) q = q.where('r.site_id', 'in', opts.siteIds);
  return q.orderBy('r.closed_at', 'desc').orderBy('r.id').limit(opts.limit).execute();
}
