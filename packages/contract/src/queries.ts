import { z } from 'zod';
import { id, version } from './common.js';
import { document, route } from './route.js';
import { studyParams } from './studies.js';
import { subjectParams } from './subjects.js';

const text = z.string().trim().min(1, 'must not be empty').max(4000);
export const QUERY_STATUSES = ['open', 'answered', 'closed'] as const;

export const query = z.object({
  id: z.string(),
  subjectId: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  field: z.string().nullable(),
  status: z.enum(QUERY_STATUSES),
  text: z.string(),
  raisedBy: z.string(),
  raisedAt: z.string(),
  closedAt: z.string().nullable(),
  version: z.number(),
});
/** A query as the study's list shows it: where it is and who raised it. */
export const listedQuery = query.extend({
  subjectCode: z.string(),
  siteId: z.string(),
  raisedByName: z.string(),
  visitId: z.string().nullable(),
  visitCode: z.string().nullable(),
  formCode: z.string().nullable(),
  /** Whole days since it was raised, until it was closed (ageing). */
  ageDays: z.number().int(),
  /** The last message of its thread (raise, answer, close, reopen). */
  lastActivityAt: z.string(),
});
export const queryMessage = z.object({
  id: z.string(),
  authorId: z.string(),
  authorName: z.string(),
  kind: z.string(),
  text: z.string(),
  createdAt: z.string(),
});

const queryParams = z.object({ queryId: id });

/** The study query list's filters (the list and its CSV export take the same). */
export const queryListFilters = z
  .object({
    status: z.enum(QUERY_STATUSES).optional(),
    subjectId: id.optional(),
    siteId: id.optional(),
    formCode: z.string().max(100).optional(),
    raisedBy: id.optional(),
    /** Only queries open (or, when closed, that were open) at least this many days. */
    minAgeDays: z.coerce.number().int().min(0).max(100_000).optional(),
  })
  .strict();

/**
 * The list comes a page at a time (issue 16: no request sends a trial's every query), ordered by when
 * each was raised; the counts are over every match. The CSV (same filters) is the whole list, streamed.
 */
export const queryListPageQuery = queryListFilters
  .extend({
    offset: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

export const queryRoutes = {
  listQueries: route({
    method: 'GET',
    path: '/api/studies/:studyId/queries',
    tags: ['queries'],
    summary:
      "Queries at the user's sites, filtered by status, site, subject, form, who raised them and age, a page at a time",
    params: studyParams,
    querystring: queryListPageQuery,
    response: {
      200: z.object({
        /** One page of the matching queries, oldest raised first. */
        queries: z.array(listedQuery),
        counts: z.object({
          /** Every query that matches all the filters (what the pages go through). */
          total: z.number().int(),
          /** Matches of every filter but the status, by status. */
          byStatus: z.object({
            open: z.number().int(),
            answered: z.number().int(),
            closed: z.number().int(),
          }),
        }),
        offset: z.number().int(),
        limit: z.number().int(),
      }),
    },
  }),
  exportQueriesCsv: route({
    method: 'GET',
    path: '/api/studies/:studyId/queries.csv',
    tags: ['queries'],
    summary: 'The study query list as CSV (the same filters as the list), one row per query with its age',
    params: studyParams,
    querystring: queryListFilters,
    response: { 200: document },
    produces: 'text/csv',
  }),
  raiseQuery: route({
    method: 'POST',
    path: '/api/subjects/:subjectId/queries',
    tags: ['queries'],
    summary: 'Raise a query on a record or one of its fields (monitor)',
    params: subjectParams,
    body: z
      .object({
        entityType: z.enum(['subject', 'visit', 'form', 'item', 'infusion', 'adverse event']),
        entityId: id,
        field: z.string().max(100).nullable().optional(),
        text,
      })
      .strict(),
    response: { 201: query },
  }),
  getQuery: route({
    method: 'GET',
    path: '/api/queries/:queryId',
    tags: ['queries'],
    summary: 'A query with its thread',
    params: queryParams,
    response: { 200: query.extend({ messages: z.array(queryMessage) }) },
  }),
  transitionQuery: route({
    method: 'POST',
    path: '/api/queries/:queryId/transitions',
    tags: ['queries'],
    summary: 'Answer (site), close or reopen (monitor) a query',
    params: queryParams,
    body: z.object({ transition: z.enum(['answer', 'close', 'reopen']), version, text }).strict(),
    response: { 200: query },
  }),
};
