import { formatDefinitionIssue, readStoredDefinition } from '@msct/core/protocol';
import { createSite, createStudy, getStudy, listSites, listStudies } from '@msct/store';
import { z } from 'zod';
import { enforce, principalOf } from '../access/guard.js';
import { decide, isAdmin } from '../access/policy.js';
import { definitionProblemExtra, HttpProblem } from '../http/problem.js';
import { code, id, shortText } from '../http/schemas.js';
import type { App, RouteContext } from '../http/types.js';

const studyOut = z.object({
  id: z.string(),
  code: z.string(),
  title: z.string(),
  status: z.string(),
  definition: z.unknown(),
  version: z.number(),
});
const siteOut = z.object({ id: z.string(), studyId: z.string(), code: z.string(), name: z.string() });

export function registerStudyRoutes(app: App, { db }: RouteContext) {
  const toStudy = (s: Awaited<ReturnType<typeof getStudy>>) => ({
    id: s.id,
    code: s.code,
    title: s.title,
    status: s.status,
    definition: JSON.parse(s.definition_json) as unknown,
    version: s.version,
  });

  app.get(
    '/api/studies',
    {
      schema: {
        tags: ['studies'],
        summary: 'Studies the user has a role in',
        response: { 200: z.array(studyOut) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const all = await listStudies(
        db,
        isAdmin(p)
          ? undefined
          : [...new Set(p.assignments.map((a) => a.study_id).filter((s): s is string => s !== null))],
      );
      return all.map(toStudy);
    },
  );

  app.post(
    '/api/studies',
    {
      schema: {
        tags: ['studies'],
        summary: 'Create a study',
        body: z
          .object({ code, title: shortText, definition: z.record(z.string(), z.unknown()).optional() })
          .strict(),
      },
    },
    async (req, reply) => {
      const p = enforce(req, 'study.manage', {}, 'studies');
      // Through the one schema: an invalid definition is refused with every problem, nothing stored;
      // none (or `{}`) is an ad-hoc study.
      const read = readStoredDefinition(req.body.definition ?? {});
      if (!read.ok)
        throw new HttpProblem(
          'MSCT_E_DEFINITION_INVALID',
          `the study definition has ${read.issues.length} problem${read.issues.length === 1 ? '' : 's'}: ${read.issues.map(formatDefinitionIssue).join('; ')}`,
          definitionProblemExtra(read.issues),
        );
      const s = await createStudy(
        db,
        { id: p.userId, name: p.username },
        { code: req.body.code, title: req.body.title, definition: read.definition },
      );
      return reply.status(201).send(toStudy(s));
    },
  );

  app.get(
    '/api/studies/:studyId',
    {
      schema: {
        tags: ['studies'],
        summary: 'One study',
        params: z.object({ studyId: id }),
        response: { 200: studyOut },
      },
    },
    async (req) => {
      enforce(req, 'study.read', { studyId: req.params.studyId }, 'study');
      return toStudy(await getStudy(db, req.params.studyId));
    },
  );

  app.get(
    '/api/studies/:studyId/sites',
    {
      schema: {
        tags: ['studies'],
        summary: 'Sites (centres) of a study visible to the user',
        params: z.object({ studyId: id }),
        response: { 200: z.array(siteOut) },
      },
    },
    async (req) => {
      const p = enforce(req, 'study.read', { studyId: req.params.studyId }, 'study');
      const sites = await listSites(db, req.params.studyId);
      return sites
        .filter((s) => decide(p, 'study.read', { studyId: s.study_id, siteId: s.id }) !== 'hidden')
        .map((s) => ({ id: s.id, studyId: s.study_id, code: s.code, name: s.name }));
    },
  );

  app.post(
    '/api/studies/:studyId/sites',
    {
      schema: {
        tags: ['studies'],
        summary: 'Add a site (centre) to a study',
        params: z.object({ studyId: id }),
        body: z.object({ code, name: shortText }).strict(),
      },
    },
    async (req, reply) => {
      const p = enforce(req, 'study.manage', { studyId: req.params.studyId }, 'study');
      const s = await createSite(
        db,
        { id: p.userId, name: p.username },
        { studyId: req.params.studyId, code: req.body.code, name: req.body.name },
      );
      return reply.status(201).send({ id: s.id, studyId: s.study_id, code: s.code, name: s.name });
    },
  );
}
