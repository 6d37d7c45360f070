import { routes } from '@msct/contract';
import { createSubject, getSubject, listSubjects, type Subject, updateSubject } from '@msct/store';
import type { FastifyRequest } from 'fastify';
import { enforce, enforceOnSubject, principalOf } from '../access/guard.js';
import { type Principal, seesIdentifiers, sitesFor } from '../access/policy.js';
import { schemaOf } from '../http/contract.js';
import { HttpProblem, notFoundProblem } from '../http/problem.js';
import type { App, RouteContext } from '../http/types.js';

/** Statisticians get the pseudonym in place of the subject code, and no birth date. */
export function toSubject(s: Subject, p: Principal) {
  const identified = seesIdentifiers(p, s.study_id);
  return {
    id: s.id,
    studyId: s.study_id,
    siteId: s.site_id,
    subjectCode: identified ? s.subject_code : s.pseudonym,
    status: s.status,
    sex: s.sex,
    birthDate: identified ? s.birth_date : null,
    enrolledAt: s.enrolled_at,
    day0Date: s.day0_date,
    version: s.version,
  };
}

const actorOf = (req: FastifyRequest) => {
  const p = principalOf(req);
  return { id: p.userId, name: p.username };
};

export function registerSubjectRoutes(app: App, { db }: RouteContext) {
  app.get(
    '/api/studies/:studyId/subjects',
    {
      schema: schemaOf(routes.listSubjects),
    },
    async (req) => {
      const p = enforce(req, 'subject.read', { studyId: req.params.studyId }, 'study');
      let sites = sitesFor(p, 'subject.read', req.params.studyId);
      if (req.query.siteId)
        sites = sites === undefined || sites.includes(req.query.siteId) ? [req.query.siteId] : [];
      const rows = await listSubjects(db, {
        studyId: req.params.studyId,
        siteIds: sites,
        // A caller shown pseudonyms is ordered and paged on them, never on the codes it does not see.
        codeColumn: seesIdentifiers(p, req.params.studyId) ? 'subject_code' : 'pseudonym',
        after: req.query.after,
        limit: req.query.limit,
      });
      return rows.map((s) => toSubject(s, p));
    },
  );

  app.post(
    '/api/studies/:studyId/subjects',
    {
      schema: schemaOf(routes.createSubject),
    },
    async (req, reply) => {
      const p = enforce(
        req,
        'subject.create',
        { studyId: req.params.studyId, siteId: req.body.siteId },
        'site',
      );
      const s = await createSubject(db, actorOf(req), {
        studyId: req.params.studyId,
        siteId: req.body.siteId,
        sex: req.body.sex ?? null,
        birthDate: req.body.birthDate ?? null,
      });
      return reply.status(201).send(toSubject(s, p));
    },
  );

  app.get(
    '/api/subjects/:subjectId',
    {
      schema: schemaOf(routes.getSubject),
    },
    async (req) => {
      await enforceOnSubject(db, req, 'subject.read', req.params.subjectId);
      return toSubject(await getSubject(db, req.params.subjectId), principalOf(req));
    },
  );

  app.patch(
    '/api/subjects/:subjectId',
    {
      schema: schemaOf(routes.updateSubject),
    },
    async (req) => {
      await enforceOnSubject(db, req, 'subject.update', req.params.subjectId);
      const { version: v, reason: why, ...changes } = req.body;
      if (changes.status === 'enrolled') {
        // Enrolment is decided by the eligibility rules (POST /enrol), never set by hand.
        throw new HttpProblem(
          'MSCT_E_VALIDATION',
          'body.status: a subject is enrolled with POST /api/subjects/{id}/enrol, which checks eligibility',
          {
            errors: [{ field: 'body.status', rule: 'enrol-route', message: 'use the enrol route' }],
          },
        );
      }
      const s = await updateSubject(db, actorOf(req), req.params.subjectId, v, changes, why);
      if (!s) throw notFoundProblem('subject');
      return toSubject(s, principalOf(req));
    },
  );
}
