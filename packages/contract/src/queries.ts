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

export const queryRoutes = {
  listQueries: route({
    method: 'GET',
    path: '/api/studies/:studyId/queries',
    tags: ['queries'],
    summary: "Queries at the user's sites, filtered by status, site, subject, form, who raised them and age",
    params: studyParams,
    querystring: queryListFilters,
    response: { 200: z.array(listedQuery) },
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
