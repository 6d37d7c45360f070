// The coordinator's worklist (issue 22): what a site still has to do — visits due this week and
// overdue (from the schedule's windows, anchored on each subject's day 0), visits whose forms are
// incomplete or not yet entered, open queries to answer, and the answers to the user's requests to
// unlock. Site roles see their own sites only; every list is bounded and says how many there are.
import { z } from 'zod';
import { isoDate } from './common.js';
import { route } from './route.js';
import { studyParams } from './studies.js';

const subjectRef = {
  subjectId: z.string(),
  subjectCode: z.string(),
  siteCode: z.string(),
};

const scheduledVisit = z.object({
  ...subjectRef,
  visitCode: z.string(),
  visitLabel: z.string(),
  earliestDate: z.string(),
  targetDate: z.string(),
  latestDate: z.string(),
  status: z.enum(['due', 'not_due', 'overdue']).describe('the schedule status on the day asked'),
  reason: z.string(),
});

const entryVisit = z.object({
  ...subjectRef,
  visitId: z.string(),
  visitCode: z.string(),
  visitLabel: z.string(),
  cycle: z.number(),
  visitDate: z.string().nullable(),
  incompleteForms: z.array(z.object({ formCode: z.string(), title: z.string() })),
  missingForms: z
    .array(z.object({ formCode: z.string(), title: z.string() }))
    .describe('forms the definition expects at this visit that are not entered'),
});

const openQuery = z.object({
  ...subjectRef,
  id: z.string(),
  visitId: z.string().nullable(),
  visitCode: z.string().nullable(),
  formCode: z.string().nullable(),
  formTitle: z.string().nullable(),
  field: z.string().nullable(),
  text: z.string(),
  raisedAt: z.string(),
});

const unlockAnswer = z.object({
  id: z.string(),
  subjectId: z.string().nullable(),
  subjectCode: z.string().nullable(),
  targetType: z.enum(['form', 'lock']),
  visitId: z.string().nullable(),
  visitCode: z.string().nullable(),
  cycle: z.number().nullable(),
  formCode: z.string().nullable(),
  formTitle: z.string().nullable(),
  reason: z.string(),
  requestedAt: z.string(),
  status: z.enum(['done', 'declined']).describe('done: the record was unlocked'),
  answeredAt: z.string(),
  answeredBy: z.string().nullable(),
  note: z.string().nullable(),
});

const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ total: z.number().describe('how many there are in all'), items: z.array(item) });

export const entryWorklist = z.object({
  today: z.string().describe('the day the schedule was read on (ISO 8601 date)'),
  weekEnd: z.string().describe('the last day of "this week": today + 6 days'),
  dueThisWeek: listOf(scheduledVisit),
  overdue: listOf(scheduledVisit),
  formsToComplete: listOf(entryVisit),
  openQueries: listOf(openQuery),
  unlockAnswers: listOf(unlockAnswer).describe('your requests to unlock answered in the last 30 days'),
});

export const entryWorklistRoutes = {
  entryWorklist: route({
    method: 'GET',
    path: '/api/studies/:studyId/entry-worklist',
    tags: ['visits'],
    summary:
      "The coordinator's worklist at the user's sites: visits due this week and overdue, forms to complete, open queries to answer, answers to the user's unlock requests",
    params: studyParams,
    querystring: z.object({ today: isoDate.optional() }).strict(),
    response: { 200: entryWorklist },
  }),
};

export type EntryWorklist = z.infer<typeof entryWorklist>;
