import { routes } from '@msct/contract';
import {
  type DefinitionIssue,
  formatDefinitionIssue,
  isAdHocDefinition,
  readStoredDefinition,
  validateStudyDefinition,
} from '@msct/core/protocol';
import {
  amendStudyDefinition,
  checkAmendment,
  createSite,
  createStudy,
  getStudy,
  listDefinitionVersions,
  listSites,
  listStudies,
} from '@msct/store';
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
    definitionVersion: Number(s.definition_version),
  });

  /** Refused with every problem by path (the lines `msct study validate` prints), nothing stored. */
  const invalidDefinition = (issues: readonly DefinitionIssue[]) =>
    new HttpProblem(
      'MSCT_E_DEFINITION_INVALID',
      `the study definition has ${issues.length} problem${issues.length === 1 ? '' : 's'}: ${issues.map(formatDefinitionIssue).join('; ')}`,
      definitionProblemExtra(issues),
    );

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
      if (!read.ok) throw invalidDefinition(read.issues);
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

  // Protocol amendments (issue #20): a new definition version, validated like a new study's, reported
  // against the stored data (dry run), applied with a reason; every version kept.
  app.post(
    '/api/studies/:studyId/definition/amendments',
    {
      schema: schemaOf(routes.amendDefinition),
    },
    async (req) => {
      const p = enforce(req, 'study.manage', { studyId: req.params.studyId }, 'study');
      const { definition, reason, dryRun, version } = req.body;
      if (isAdHocDefinition(definition))
        throw invalidDefinition([
          {
            path: [],
            code: 'invalid_type',
            message: 'an amendment is a full study definition, not an empty one',
          },
        ]);
      const read = validateStudyDefinition(definition);
      if (!read.ok) throw invalidDefinition(read.issues);
      const valid = read.value;
      if (dryRun) {
        const c = await checkAmendment(db, req.params.studyId, valid);
        if (c.studyVersion !== version)
          throw new HttpProblem(
            'MSCT_E_CONFLICT',
            `study ${c.studyCode} was changed by someone else: you read version ${version}, it is now version ${c.studyVersion}. Reload and check the amendment again.`,
            { expectedVersion: version, currentVersion: c.studyVersion },
          );
        return { applied: false, ...pick(c) };
      }
      if (!reason)
        throw new HttpProblem(
          'MSCT_E_REASON_REQUIRED',
          'a reason is required to amend the study definition',
          {
            errors: [{ field: 'reason', rule: 'required', message: 'why the protocol is amended' }],
          },
        );
      const c = await amendStudyDefinition(
        db,
        { id: p.userId, name: p.username },
        { studyId: req.params.studyId, definition: valid, reason, expectedVersion: version },
      );
      return { applied: true, ...pick(c) };
    },
  );

  app.get(
    '/api/studies/:studyId/definition/versions',
    {
      schema: schemaOf(routes.listDefinitionVersions),
    },
    async (req) => {
      enforce(req, 'study.read', { studyId: req.params.studyId }, 'study');
      const versions = await listDefinitionVersions(db, req.params.studyId);
      const current = versions.at(-1)?.version;
      return versions.map((v) => ({
        version: v.version,
        createdAt: v.createdAt,
        createdByName: v.createdByName,
        reason: v.reason,
        definitionSha256: v.definitionSha256,
        current: v.version === current,
      }));
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

const pick = (c: Awaited<ReturnType<typeof checkAmendment>>) => ({
  studyVersion: c.studyVersion,
  fromVersion: c.fromVersion,
  toVersion: c.toVersion,
  report: c.report,
});
