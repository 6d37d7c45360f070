// The coordinator's worklist (issue 22): at the user's sites (site isolation: sitesFor 'data.enter'),
// visits due this week and overdue from the schedule's windows anchored on day 0 (core/protocol
// visitStatuses + scheduledWork, the rules of the grid and the overdue counts), visits whose forms are
// incomplete or not entered, open queries to answer, and the answers to the user's unlock requests.
// Subjects are walked in batches and every list is capped at LIMIT items with its true total, so a
// request never holds a whole trial.
import { routes } from '@msct/contract';
import {
  addDays,
  expectedFormCodesAt,
  scheduledWork,
  UNSCHEDULED_VISIT_CODE,
  visitStatuses,
  WORKLIST_WEEK_DAYS,
} from '@msct/core/protocol';
import {
  forEachSubjectScheduleBatch,
  listAnsweredUnlockRequests,
  listQueries,
  listSites,
  listVisitsNeedingEntry,
} from '@msct/store';
import { enforce } from '../access/guard.js';
import { sitesFor } from '../access/policy.js';
import { SCHEDULE_ENDED_STATUSES } from '../clinical/overdue.js';
import { studyDefinition } from '../clinical/study-definition.js';
import { schemaOf } from '../http/contract.js';
import type { App, RouteContext } from '../http/types.js';

/** Items per list (each list says its total). */
export const ENTRY_WORKLIST_LIMIT = 200;
const BATCH = 2000;
/** Unlock answers of the last 30 days are shown: older ones have been read. */
const UNLOCK_ANSWER_DAYS = 30;

export function registerEntryWorklistRoutes(app: App, { db }: RouteContext) {
  app.get('/api/studies/:studyId/entry-worklist', { schema: schemaOf(routes.entryWorklist) }, async (req) => {
    const { studyId } = req.params;
    const p = enforce(req, 'data.enter', { studyId }, 'study');
    const siteIds = sitesFor(p, 'data.enter', studyId);
    const today = req.query.today ?? new Date().toISOString().slice(0, 10);
    const [sites, { definition }] = await Promise.all([listSites(db, studyId), studyDefinition(db, studyId)]);
    const siteCode = new Map(sites.map((s) => [s.id, s.code]));
    const visitLabel = new Map([
      [UNSCHEDULED_VISIT_CODE, 'Unscheduled visit'],
      ...(definition.visits ?? []).map((v) => [v.code, v.label] as [string, string]),
    ]);
    const formTitle = new Map((definition.forms ?? []).map((f) => [f.id, f.title]));
    const titleOf = (code: string) => formTitle.get(code) ?? code;

    // Visits due this week and overdue: subjects on study with a day 0, in batches.
    type Scheduled = (typeof routes.entryWorklist.response)[200]['_output']['overdue']['items'][number];
    const due: Scheduled[] = [];
    const overdue: Scheduled[] = [];
    let dueTotal = 0;
    let overdueTotal = 0;
    const scheduleVisits = definition.visits;
    if (scheduleVisits)
      await forEachSubjectScheduleBatch(
        db,
        studyId,
        { siteIds, scheduledOnly: { exceptStatuses: [...SCHEDULE_ENDED_STATUSES] }, batchSize: BATCH },
        (subjects) => {
          for (const s of subjects) {
            const schedule = visitStatuses({
              visits: scheduleVisits,
              day0: s.day0_date!,
              today,
              recorded: s.recorded,
            });
            const work = scheduledWork(schedule.visits, s.status, today);
            const item = (e: (typeof schedule.visits)[number]): Scheduled => ({
              subjectId: s.id,
              subjectCode: s.subject_code,
              siteCode: siteCode.get(s.site_id) ?? '',
              visitCode: e.code,
              visitLabel: e.label,
              earliestDate: e.earliestDate,
              targetDate: e.targetDate,
              latestDate: e.latestDate,
              status: e.status as Scheduled['status'],
              reason: e.reason,
            });
            dueTotal += work.dueThisWeek.length;
            overdueTotal += work.overdue.length;
            for (const e of work.dueThisWeek) if (due.length < ENTRY_WORKLIST_LIMIT) due.push(item(e));
            for (const e of work.overdue) if (overdue.length < ENTRY_WORKLIST_LIMIT) overdue.push(item(e));
          }
        },
      );
    // Soonest first: the visit whose window closes first, then the subject.
    const bySoonest = (a: Scheduled, b: Scheduled) =>
      a.latestDate.localeCompare(b.latestDate) || a.subjectCode.localeCompare(b.subjectCode);
    due.sort(bySoonest);
    overdue.sort(bySoonest);

    // What each visit code expects (unscheduled visits collect what the day needs: nothing is expected).
    const expected = new Map<string, string[]>();
    for (const v of definition.visits ?? [])
      expected.set(v.code, expectedFormCodesAt(definition.forms, v.code));
    const since = new Date(Date.now() - UNLOCK_ANSWER_DAYS * 86_400_000).toISOString();
    const querySites = sitesFor(p, 'query.answer', studyId);
    const [entry, queries, answers] = await Promise.all([
      listVisitsNeedingEntry(db, { studyId, siteIds, expected, limit: ENTRY_WORKLIST_LIMIT }),
      listQueries(db, { studyId, ...(querySites ? { siteIds: querySites } : {}), status: 'open' }),
      listAnsweredUnlockRequests(db, {
        studyId,
        requestedBy: p.userId,
        siteIds,
        since,
        limit: ENTRY_WORKLIST_LIMIT,
      }),
    ]);

    return {
      today,
      weekEnd: addDays(today, WORKLIST_WEEK_DAYS - 1),
      dueThisWeek: { total: dueTotal, items: due },
      overdue: { total: overdueTotal, items: overdue },
      formsToComplete: {
        total: entry.total,
        items: entry.visits.map((v) => {
          const present = new Set(v.forms.map((f) => f.form_code));
          return {
            subjectId: v.subject_id,
            subjectCode: v.subject_code,
            siteCode: v.site_code,
            visitId: v.visit_id,
            visitCode: v.visit_code,
            visitLabel: visitLabel.get(v.visit_code) ?? v.visit_code,
            cycle: v.cycle,
            visitDate: v.visit_date,
            incompleteForms: v.forms
              .filter((f) => f.status === 'incomplete')
              .map((f) => ({ formCode: f.form_code, title: titleOf(f.form_code) })),
            missingForms: (expected.get(v.visit_code) ?? [])
              .filter((c) => !present.has(c))
              .map((c) => ({ formCode: c, title: titleOf(c) })),
          };
        }),
      },
      openQueries: {
        total: queries.length,
        // Oldest first: the longest waiting is answered first.
        items: [...queries]
          .sort((a, b) => a.raised_at.localeCompare(b.raised_at) || a.id.localeCompare(b.id))
          .slice(0, ENTRY_WORKLIST_LIMIT)
          .map((q) => ({
            id: q.id,
            subjectId: q.subject_id,
            subjectCode: q.subject_code,
            siteCode: siteCode.get(q.site_id) ?? '',
            visitId: q.visit_id,
            visitCode: q.visit_code,
            formCode: q.form_code,
            formTitle: q.form_code ? titleOf(q.form_code) : null,
            field: q.field,
            text: q.text,
            raisedAt: q.raised_at,
          })),
      },
      unlockAnswers: {
        total: answers.length,
        items: answers.map((r) => ({
          id: r.id,
          subjectId: r.subject_id,
          subjectCode: r.subject_code,
          targetType: r.target_type as 'form' | 'lock',
          visitId: r.visit_id,
          visitCode: r.visit_code,
          cycle: r.cycle === null ? null : Number(r.cycle),
          formCode: r.form_code,
          formTitle: r.form_code ? titleOf(r.form_code) : null,
          reason: r.reason,
          requestedAt: r.requested_at,
          status: r.status as 'done' | 'declined',
          answeredAt: r.closed_at!,
          answeredBy: r.closed_by_name,
          note: r.close_note,
        })),
      },
    };
  });
}
