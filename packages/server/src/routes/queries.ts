import { Readable } from 'node:stream';
import { type QUERY_STATUSES, type queryListFilters, routes } from '@msct/contract';
import {
  countQueries,
  getQuery,
  listQueries,
  listQueryMessages,
  listSites,
  raiseQuery,
  transitionQuery,
} from '@msct/store';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { enforce, enforceOnSubject, principalOf } from '../access/guard.js';
import { seesIdentifiers, sitesFor } from '../access/policy.js';
import { schemaOf } from '../http/contract.js';
import { HttpProblem } from '../http/problem.js';
import type { App, RouteContext } from '../http/types.js';

export function registerQueryRoutes(app: App, { db }: RouteContext) {
  const actorOf = (req: FastifyRequest) => {
    const p = principalOf(req);
    return { id: p.userId, name: p.username };
  };
  const toQuery = (q: Awaited<ReturnType<typeof getQuery>>) => ({
    id: q.id,
    subjectId: q.subject_id,
    entityType: q.entity_type,
    entityId: q.entity_id,
    field: q.field,
    status: q.status as (typeof QUERY_STATUSES)[number],
    text: q.text,
    raisedBy: q.raised_by,
    raisedAt: q.raised_at,
    closedAt: q.closed_at,
    version: q.version,
  });

  const DAY_MS = 86_400_000;
  /** Whole days a query has been open: until now, or until it was closed. */
  const ageDays = (raisedAt: string, closedAt: string | null, now: number) =>
    Math.max(0, Math.floor(((closedAt ? Date.parse(closedAt) : now) - Date.parse(raisedAt)) / DAY_MS));

  type Filters = z.infer<typeof queryListFilters>;
  /** The store's options for the list's filters, at the user's sites. */
  function listOptions(req: FastifyRequest, studyId: string, f: Filters, now: number) {
    const p = enforce(req, 'query.read', { studyId }, 'study');
    return {
      p,
      opts: {
        studyId,
        siteIds: sitesFor(p, 'query.read', studyId),
        ...(f.status ? { status: f.status } : {}),
        ...(f.subjectId ? { subjectId: f.subjectId } : {}),
        ...(f.siteId ? { siteId: f.siteId } : {}),
        ...(f.formCode ? { formCode: f.formCode } : {}),
        ...(f.raisedBy ? { raisedBy: f.raisedBy } : {}),
        ...(f.minAgeDays ? { minAgeDays: { days: f.minAgeDays, now } } : {}),
      },
    };
  }
  /** One page of the study's queries as listed: ordered by when each was raised, never by subject code; pseudonyms for roles shown them. */
  async function listedPage(
    p: ReturnType<typeof enforce>,
    opts: ReturnType<typeof listOptions>['opts'],
    studyId: string,
    now: number,
    offset: number,
    limit: number,
  ) {
    const identified = seesIdentifiers(p, studyId);
    return (await listQueries(db, { ...opts, offset, limit })).map((q) => ({
      ...toQuery(q),
      subjectCode: identified ? q.subject_code : q.pseudonym,
      siteId: q.site_id,
      raisedByName: q.raised_by_name,
      visitId: q.visit_id,
      visitCode: q.visit_code,
      formCode: q.form_code,
      ageDays: ageDays(q.raised_at, q.closed_at, now),
      lastActivityAt: q.last_message_at,
    }));
  }

  app.get('/api/studies/:studyId/queries', { schema: schemaOf(routes.listQueries) }, async (req) => {
    const { offset, limit, ...f } = req.query;
    const now = Date.now();
    const { p, opts } = listOptions(req, req.params.studyId, f, now);
    const [queries, counts] = await Promise.all([
      listedPage(p, opts, req.params.studyId, now, offset, limit),
      countQueries(db, opts),
    ]);
    const by = counts.byStatus;
    return {
      queries,
      counts: {
        total: counts.total,
        byStatus: { open: by.open ?? 0, answered: by.answered ?? 0, closed: by.closed ?? 0 },
      },
      offset,
      limit,
    };
  });

  app.get(
    '/api/studies/:studyId/queries.csv',
    { schema: schemaOf(routes.exportQueriesCsv) },
    async (req, reply) => {
      const now = Date.now();
      // Access is checked and the sites read before the first row (a refusal is an error response,
      // not a broken stream); the rows are then read and written a page at a time.
      const { p, opts } = listOptions(req, req.params.studyId, req.query, now);
      const sites = new Map((await listSites(db, req.params.studyId)).map((s) => [s.id, s.code]));
      const header = [
        'query_id',
        'site',
        'subject',
        'visit',
        'form',
        'field',
        'record',
        'status',
        'raised_by',
        'raised_at',
        'age_days',
        'last_activity_at',
        'closed_at',
        'text',
      ];
      const studyId = req.params.studyId;
      async function* lines() {
        yield `${header.join(',')}\r\n`;
        const PAGE = 500;
        for (let offset = 0; ; offset += PAGE) {
          const page = await listedPage(p, opts, studyId, now, offset, PAGE);
          for (const q of page)
            yield `${[
              q.id,
              sites.get(q.siteId) ?? q.siteId,
              q.subjectCode,
              q.visitCode,
              q.formCode,
              q.field,
              q.entityType,
              q.status,
              q.raisedByName,
              q.raisedAt,
              q.ageDays,
              q.lastActivityAt,
              q.closedAt,
              q.text,
            ]
              .map(csvField)
              .join(',')}\r\n`;
          if (page.length < PAGE) break;
        }
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="queries.csv"')
        .send(Readable.from(lines()));
    },
  );

  app.post(
    '/api/subjects/:subjectId/queries',
    {
      schema: schemaOf(routes.raiseQuery),
    },
    async (req, reply) => {
      await enforceOnSubject(db, req, 'query.raise', req.params.subjectId);
      const q = await raiseQuery(db, actorOf(req), {
        subjectId: req.params.subjectId,
        entityType: req.body.entityType,
        entityId: req.body.entityId,
        field: req.body.field ?? null,
        text: req.body.text,
      });
      return reply.status(201).send(toQuery(q));
    },
  );

  async function queryFor(
    req: FastifyRequest,
    queryId: string,
    action: 'query.read' | 'query.answer' | 'query.close' | 'query.raise',
  ) {
    const q = await getQuery(db, queryId).catch(() => undefined);
    if (!q) {
      principalOf(req);
      throw new HttpProblem('MSCT_E_NOT_FOUND', 'query not found');
    }
    await enforceOnSubject(db, req, action, q.subject_id);
    return q;
  }

  app.get('/api/queries/:queryId', { schema: schemaOf(routes.getQuery) }, async (req) => {
    const q = await queryFor(req, req.params.queryId, 'query.read');
    const messages = await listQueryMessages(db, q.id);
    return {
      ...toQuery(q),
      messages: messages.map((m) => ({
        id: m.id,
        authorId: m.author_id,
        authorName: m.author_name,
        kind: m.kind,
        text: m.text,
        createdAt: m.created_at,
      })),
    };
  });

  app.post(
    '/api/queries/:queryId/transitions',
    {
      schema: schemaOf(routes.transitionQuery),
    },
    async (req) => {
      const action =
        req.body.transition === 'answer'
          ? 'query.answer'
          : req.body.transition === 'close'
            ? 'query.close'
            : 'query.raise';
      await queryFor(req, req.params.queryId, action);
      return toQuery(
        await transitionQuery(
          db,
          actorOf(req),
          req.params.queryId,
          req.body.version,
          req.body.transition,
          req.body.text,
        ),
      );
    },
  );
}

/**
 * One CSV cell (RFC 4180 quoting). Free text that a spreadsheet would run as a formula (=, +, -, @,
 * tab, CR first) is prefixed with an apostrophe (OWASP "CSV injection").
 */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
