import { routes } from '@msct/contract';
// The study home at scale (issue 16): true counts per site computed by the database, and the record
// status grid one page at a time (paged, filtered and sorted by the database) with the visits of that
// page's subjects only. No request here holds every subject or every visit of the trial.
// A caller shown pseudonyms (policy: seesIdentifiers) sorts, searches and pages on the pseudonym only
// (issue 17, Medium 3).
import {
  countSubjectsBySiteAndStatus,
  countUnresolvedQueries,
  listSites,
  listSubjectPage,
  listVisitOverview,
  SUBJECT_STATUSES,
  type VisitOverviewRow,
} from '@msct/store';
import { armRevealingFilter } from '../access/blinding.js';
import { enforce } from '../access/guard.js';
import { seesIdentifiers, sitesFor } from '../access/policy.js';
import { overdueVisitsBySite } from '../clinical/overdue.js';
import { studyDefinition } from '../clinical/study-definition.js';
import { schemaOf } from '../http/contract.js';
import { HttpProblem } from '../http/problem.js';
import type { App, RouteContext } from '../http/types.js';
import { toSubject } from './subjects.js';

export const toVisitOut = (v: VisitOverviewRow['visit']) => ({
  id: v.id,
  subjectId: v.subject_id,
  visitCode: v.visit_code,
  cycle: v.cycle,
  visitDate: v.visit_date,
  status: v.status,
  version: v.version,
});

/** A form's own fields (no items), as the visit and overview routes return them. */
export const toFormState = (f: VisitOverviewRow['forms'][number]) => ({
  id: f.id,
  formCode: f.form_code,
  record: Number(f.record),
  status: f.status,
  signedBy: f.signed_by,
  signedAt: f.signed_at,
  version: f.version,
});

export const toOverviewVisit = (r: VisitOverviewRow) => ({
  ...toVisitOut(r.visit),
  forms: r.forms.map((f) => ({ ...toFormState(f), items: [] as never[] })),
});

const toGridVisit = (r: VisitOverviewRow) => ({
  id: r.visit.id,
  subjectId: r.visit.subject_id,
  visitCode: r.visit.visit_code,
  cycle: r.visit.cycle,
  visitDate: r.visit.visit_date,
  status: r.visit.status,
  forms: r.forms.map((f) => ({ formCode: f.form_code, status: f.status })),
});

const zeroByStatus = () =>
  Object.fromEntries(SUBJECT_STATUSES.map((s) => [s, 0])) as Record<
    (typeof SUBJECT_STATUSES)[number],
    number
  >;

export function registerStudyHomeRoutes(app: App, { db }: RouteContext) {
  app.get(
    '/api/studies/:studyId/subject-counts',
    {
      schema: schemaOf(routes.subjectCounts),
    },
    async (req) => {
      const { studyId } = req.params;
      const p = enforce(req, 'subject.read', { studyId }, 'study');
      const today = req.query.today ?? new Date().toISOString().slice(0, 10);
      const siteIds = sitesFor(p, 'subject.read', studyId);
      const querySites = sitesFor(p, 'query.read', studyId);
      const [sites, statusCounts, queryCounts, { definition }] = await Promise.all([
        listSites(db, studyId),
        countSubjectsBySiteAndStatus(db, studyId, siteIds),
        countUnresolvedQueries(db, { studyId, ...(querySites ? { siteIds: querySites } : {}) }, 'site'),
        studyDefinition(db, studyId),
      ]);
      const overdue = definition.visits
        ? await overdueVisitsBySite(db, studyId, definition.visits, siteIds, today)
        : undefined;
      const visible = sites.filter((s) => siteIds === undefined || siteIds.includes(s.id));
      const total = {
        subjects: 0,
        byStatus: zeroByStatus(),
        overdueVisits: overdue ? 0 : null,
        unresolvedQueries: null as number | null,
      };
      const rows = visible.map((s) => {
        const byStatus = zeroByStatus();
        let subjects = 0;
        for (const c of statusCounts)
          if (c.site_id === s.id) {
            subjects += c.n;
            if (c.status in byStatus) byStatus[c.status as keyof typeof byStatus] += c.n;
          }
        const queriesHere = querySites === undefined || querySites.includes(s.id);
        const row = {
          siteId: s.id,
          siteCode: s.code,
          siteName: s.name,
          subjects,
          byStatus,
          overdueVisits: overdue ? (overdue.get(s.id) ?? 0) : null,
          unresolvedQueries: queriesHere ? (queryCounts.get(s.id) ?? 0) : null,
        };
        total.subjects += subjects;
        for (const k of SUBJECT_STATUSES) total.byStatus[k] += byStatus[k];
        if (total.overdueVisits !== null) total.overdueVisits += row.overdueVisits ?? 0;
        if (row.unresolvedQueries !== null)
          total.unresolvedQueries = (total.unresolvedQueries ?? 0) + row.unresolvedQueries;
        return row;
      });
      // The day used is the caller's (or the server's): not echoed, as a pseudonymised reader's answer
      // has its dates shifted (deid), and this one is no subject's.
      return { sites: rows, total };
    },
  );

  app.get(
    '/api/studies/:studyId/record-status',
    {
      schema: schemaOf(routes.recordStatus),
    },
    async (req) => {
      const { studyId } = req.params;
      const p = enforce(req, 'subject.read', { studyId }, 'study');
      let siteIds = sitesFor(p, 'subject.read', studyId);
      if (req.query.siteId)
        siteIds = siteIds === undefined || siteIds.includes(req.query.siteId) ? [req.query.siteId] : [];
      const offset = req.query.offset ?? 0;
      const limit = req.query.limit ?? 50;
      const identified = seesIdentifiers(p, studyId);
      // In a pseudonymised view the order may follow the pseudonym, the site or the status, never a
      // date: day 0 follows enrolment, which numbers the subject codes (issue 17, Medium 3).
      if (!identified && req.query.sort === 'day0')
        throw new HttpProblem(
          'MSCT_E_VALIDATION',
          'querystring.sort: a pseudonymised view is sorted by pseudonym, site or status',
          {
            errors: [
              {
                field: 'querystring.sort',
                rule: 'pseudonymised',
                message: 'sort by code (the pseudonym), site or status',
              },
            ],
          },
        );
      const page = await listSubjectPage(db, {
        studyId,
        ...(siteIds ? { siteIds } : {}),
        ...(req.query.status ? { status: req.query.status } : {}),
        ...(req.query.search ? { search: req.query.search } : {}),
        codeColumn: identified ? 'subject_code' : 'pseudonym',
        sort: req.query.sort ?? 'code',
        descending: req.query.order === 'desc',
        offset,
        limit,
      });
      const ids = page.subjects.map((s) => s.id);
      const querySites = sitesFor(p, 'query.read', studyId);
      // A role the study blinds does not learn that an arm-revealing form exists (issue 24).
      const { definition } = await studyDefinition(db, studyId);
      const shown = armRevealingFilter(p, studyId, definition);
      const [visits, queries] = await Promise.all([
        listVisitOverview(db, studyId, ids, siteIds).then((rows) =>
          shown.active
            ? rows.map((r) => ({ ...r, forms: r.forms.filter((f) => shown.form(f.form_code)) }))
            : rows,
        ),
        countUnresolvedQueries(
          db,
          { studyId, subjectIds: ids, ...(querySites ? { siteIds: querySites } : {}) },
          'subject',
        ),
      ]);
      const bySubject = new Map<string, ReturnType<typeof toGridVisit>[]>();
      for (const v of visits) {
        const list = bySubject.get(v.subjectId);
        if (list) list.push(toGridVisit(v));
        else bySubject.set(v.subjectId, [toGridVisit(v)]);
      }
      return {
        total: page.total,
        offset,
        limit,
        subjects: page.subjects.map((s) => ({
          ...toSubject(s, p),
          siteCode: s.site_code,
          unresolvedQueries:
            querySites === undefined || querySites.includes(s.site_id) ? (queries.get(s.id) ?? 0) : null,
          visits: bySubject.get(s.id) ?? [],
        })),
      };
    },
  );
}
