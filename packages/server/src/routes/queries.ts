import { type QUERY_STATUSES, routes } from '@msct/contract';
import { getQuery, listQueries, listQueryMessages, raiseQuery, transitionQuery } from '@msct/store';
import type { FastifyRequest } from 'fastify';
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

  app.get(
    '/api/studies/:studyId/queries',
    {
      schema: schemaOf(routes.listQueries),
    },
    async (req) => {
      const p = enforce(req, 'query.read', { studyId: req.params.studyId }, 'study');
      const rows = await listQueries(db, {
        studyId: req.params.studyId,
        siteIds: sitesFor(p, 'query.read', req.params.studyId),
        status: req.query.status,
        subjectId: req.query.subjectId,
      });
      // Ordered by when each query was raised, never by subject code; pseudonyms for roles shown them.
      const identified = seesIdentifiers(p, req.params.studyId);
      return rows.map((q) => ({
        ...toQuery(q),
        subjectCode: identified ? q.subject_code : q.pseudonym,
        siteId: q.site_id,
        raisedByName: q.raised_by_name,
        visitId: q.visit_id,
        formCode: q.form_code,
      }));
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
