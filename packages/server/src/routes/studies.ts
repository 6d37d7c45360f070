import { routes } from '@msct/contract';
import { formatDefinitionIssue, readStoredDefinition } from '@msct/core/protocol';
import { createSite, createStudy, getStudy, listSites, listStudies } from '@msct/store';
import { enforce, principalOf } from '../access/guard.js';
import { decide, isAdmin } from '../access/policy.js';
import { schemaOf } from '../http/contract.js';
import { definitionProblemExtra, HttpProblem } from '../http/problem.js';
import type { App, RouteContext } from '../http/types.js';

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
      schema: schemaOf(routes.listStudies),
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
      schema: schemaOf(routes.createStudy),
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
      schema: schemaOf(routes.getStudy),
    },
    async (req) => {
      enforce(req, 'study.read', { studyId: req.params.studyId }, 'study');
      return toStudy(await getStudy(db, req.params.studyId));
    },
  );

  app.get(
    '/api/studies/:studyId/sites',
    {
      schema: schemaOf(routes.listSites),
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
      schema: schemaOf(routes.createSite),
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
