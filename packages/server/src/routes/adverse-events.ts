import { type AE_RELATEDNESS_FILTERS, RELATEDNESS, routes } from '@msct/contract';
import {
  DEATH_RECORD_RULES,
  deathRecordConflicts,
  RELATED_ASSESSMENTS,
  saeReportingClock,
} from '@msct/core/safety';
import {
  addAdverseEventFollowUp,
  getSubjectRecord,
  type ListedAdverseEventRow,
  listAdverseEventFollowUps,
  listStudyAdverseEvents,
  loadTrialDataset,
  updateSubjectRecord,
} from '@msct/store';
import type { FastifyRequest } from 'fastify';
import { enforce, enforceOnSubject, principalOf } from '../access/guard.js';
import { seesIdentifiers, sitesFor } from '../access/policy.js';
import { schemaOf } from '../http/contract.js';
import { HttpProblem } from '../http/problem.js';
import type { App, RouteContext } from '../http/types.js';
import { toAe } from './safety.js';

// The safety role's work (issue #21): the study-wide AE/SAE listing with counts and each SAE's
// expedited-reporting clock (core/safety/expedited-reporting.ts), one AE's detail with its dated
// follow-ups, and the sponsor's assessment (causality, expectedness, report date).

/** A relatedness filter → the values it stands for ("related" = possible/probable/definite, endpoints.md). */
function relatednessValues(
  f: (typeof AE_RELATEDNESS_FILTERS)[number] | undefined,
): readonly string[] | undefined {
  if (f === undefined) return undefined;
  if (f === 'related') return RELATED_ASSESSMENTS;
  if (f === 'unrelated')
    return RELATEDNESS.filter((r) => !(RELATED_ASSESSMENTS as readonly string[]).includes(r));
  return [f];
}

export function registerAdverseEventRoutes(app: App, { db }: RouteContext) {
  const actorOf = (req: FastifyRequest) => {
    const p = principalOf(req);
    return { id: p.userId, name: p.username };
  };

  const listed = (r: ListedAdverseEventRow, identified: boolean, now: Date) => {
    const ae = toAe(r);
    return {
      ...ae,
      subjectCode: identified ? r.subject_code : r.pseudonym,
      siteId: r.site_id,
      siteCode: r.site_code,
      clock: saeReportingClock(ae, now),
    };
  };

  /** The AE as listed (with subject, site and clock), after the policy allowed `action` on its subject. */
  async function aeFor(req: FastifyRequest, aeId: string, action: 'ae.read' | 'ae.write' | 'ae.assess') {
    const row = await getSubjectRecord(db, 'adverse_events', aeId).catch(() => undefined);
    if (!row) {
      principalOf(req);
      throw new HttpProblem('MSCT_E_NOT_FOUND', 'adverse event not found');
    }
    const scope = await enforceOnSubject(db, req, action, row.subject_id);
    return { row, scope };
  }

  app.get(
    '/api/studies/:studyId/adverse-events',
    { schema: schemaOf(routes.listStudyAdverseEvents) },
    async (req) => {
      const p = enforce(req, 'ae.read', { studyId: req.params.studyId }, 'study');
      const f = req.query;
      if (f.onsetFrom && f.onsetTo && f.onsetFrom > f.onsetTo)
        throw new HttpProblem('MSCT_E_VALIDATION', 'query.onsetTo: must not be before onsetFrom', {
          errors: [{ field: 'query.onsetTo', rule: 'range', message: 'must not be before onsetFrom' }],
        });
      const filter = {
        studyId: req.params.studyId,
        siteIds: sitesFor(p, 'ae.read', req.params.studyId),
        siteId: f.siteId,
        seriousness: f.seriousness,
        grade: f.grade,
        relatednessIn: relatednessValues(f.relatedness),
        term: f.term,
        outcome: f.outcome,
        onsetFrom: f.onsetFrom,
        onsetTo: f.onsetTo,
      };
      const now = new Date();
      const identified = seesIdentifiers(p, req.params.studyId);
      // Issue 16: every filter but "overdue" is applied in the query; the events are then read a batch
      // at a time, each with its reporting clock (core/safety/expedited-reporting.ts, which "overdue"
      // and "related" come from), counted, and only the requested page kept.
      const counts = { total: 0, serious: 0, related: 0, fatal: 0, overdue: 0 };
      const byGrade: Record<string, number> = {};
      const events: ReturnType<typeof listed>[] = [];
      const BATCH = 1000;
      for (let at = 0; ; at += BATCH) {
        const rows = await listStudyAdverseEvents(db, { ...filter, offset: at, limit: BATCH });
        for (const r of rows) {
          const e = listed(r, identified, now);
          if (f.overdue === 'yes' && !e.clock.overdue) continue;
          if (counts.total >= f.offset && events.length < f.limit) events.push(e);
          counts.total++;
          if (e.serious) counts.serious++;
          if (e.clock.related) counts.related++;
          if (e.outcome === 'fatal') counts.fatal++;
          if (e.clock.overdue) counts.overdue++;
          const g = e.ctcaeGrade === null ? 'ungraded' : String(e.ctcaeGrade);
          byGrade[g] = (byGrade[g] ?? 0) + 1;
        }
        if (rows.length < BATCH) break;
      }
      return { counts: { ...counts, byGrade }, events, offset: f.offset, limit: f.limit };
    },
  );

  app.get('/api/adverse-events/:aeId', { schema: schemaOf(routes.getAdverseEvent) }, async (req) => {
    const { scope } = await aeFor(req, req.params.aeId, 'ae.read');
    const [row] = await listStudyAdverseEvents(db, { studyId: scope.studyId, aeId: req.params.aeId });
    const followUps = await listAdverseEventFollowUps(db, req.params.aeId);
    const identified = seesIdentifiers(principalOf(req), scope.studyId);
    const subject = (await loadTrialDataset(db, scope.studyId, { subjectIds: [row!.subject_id] }))
      .subjects[0];
    // The messages name the records' dates: a reader shown no calendar dates gets each rule's words.
    const conflicts = (subject ? deathRecordConflicts(subject) : []).map((c) => ({
      rule: c.rule,
      message: identified ? c.message : DEATH_RECORD_RULES[c.rule],
    }));
    return {
      ...listed(row!, identified, new Date()),
      deathRecordConflicts: conflicts,
      followUps: followUps.map((u) => ({
        id: u.id,
        adverseEventId: u.adverse_event_id,
        entryDate: u.entry_date,
        text: u.text,
        authorName: u.author_name,
        createdAt: u.created_at,
      })),
    };
  });

  app.post(
    '/api/adverse-events/:aeId/follow-ups',
    { schema: schemaOf(routes.addAdverseEventFollowUp) },
    async (req, reply) => {
      const { row } = await aeFor(req, req.params.aeId, 'ae.write');
      const today = new Date().toISOString().slice(0, 10);
      // A follow-up reports what happened after the event began, and is not written ahead of time.
      const problem =
        req.body.entryDate < row.onset_date
          ? `must not be before the event's onset ${row.onset_date}`
          : req.body.entryDate > today
            ? 'must not be in the future'
            : null;
      if (problem)
        throw new HttpProblem('MSCT_E_VALIDATION', `body.entryDate: ${problem}`, {
          errors: [{ field: 'body.entryDate', rule: 'range', message: problem }],
        });
      const u = await addAdverseEventFollowUp(db, actorOf(req), req.params.aeId, req.body);
      return reply.status(201).send({
        id: u.id,
        adverseEventId: u.adverse_event_id,
        entryDate: u.entry_date,
        text: u.text,
        authorName: u.author_name,
        createdAt: u.created_at,
      });
    },
  );

  app.patch(
    '/api/adverse-events/:aeId/sponsor-assessment',
    { schema: schemaOf(routes.assessAdverseEvent) },
    async (req) => {
      const { row } = await aeFor(req, req.params.aeId, 'ae.assess');
      const { version: v, reason: why, ...b } = req.body;
      if (b.reportedDate && row.sponsor_notified_at && b.reportedDate < row.sponsor_notified_at.slice(0, 10))
        throw new HttpProblem(
          'MSCT_E_VALIDATION',
          `body.reportedDate: must not be before the sponsor was notified (${row.sponsor_notified_at.slice(0, 10)})`,
          {
            errors: [
              { field: 'body.reportedDate', rule: 'range', message: 'before the sponsor was notified' },
            ],
          },
        );
      const c: Record<string, unknown> = {};
      if (b.sponsorRelatedness !== undefined) c.sponsor_relatedness = b.sponsorRelatedness;
      if (b.expectedness !== undefined) c.expectedness = b.expectedness;
      if (b.reportedDate !== undefined) c.reported_date = b.reportedDate;
      return toAe(await updateSubjectRecord(db, actorOf(req), 'adverse_events', req.params.aeId, v, c, why));
    },
  );
}
