import {
  createSubject,
  getSubject,
  listSubjects,
  SUBJECT_STATUSES,
  type Subject,
  updateSubject,
} from '@msct/store';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { enforce, enforceOnSubject, principalOf } from '../access/guard.js';
import { type Principal, seesIdentifiers, sitesFor } from '../access/policy.js';
import { HttpProblem, notFoundProblem } from '../http/problem.js';
import { id, isoDate, reason, version } from '../http/schemas.js';
import type { App, RouteContext } from '../http/types.js';

export const subjectOut = z.object({
  id: z.string(),
  studyId: z.string(),
  siteId: z.string(),
  subjectCode: z.string(),
  status: z.string(),
  sex: z.string().nullable(),
  birthDate: z.string().nullable(),
  enrolledAt: z.string().nullable(),
  day0Date: z.string().nullable(),
  version: z.number(),
});

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
      schema: {
        tags: ['subjects'],
        summary:
          "Subjects at the user's sites, one page (`limit`, default 500) in subject-code order (pseudonym order for pseudonymised roles, `after` then being a pseudonym); continue with `after` = the last code; counts: GET /subject-counts",
        params: z.object({ studyId: id }),
        querystring: z
          .object({
            siteId: id.optional(),
            after: z.string().max(100).optional(),
            limit: z.coerce.number().int().min(1).max(1000).optional(),
          })
          .strict(),
        response: { 200: z.array(subjectOut) },
      },
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
      schema: {
        tags: ['subjects'],
        summary: 'Register a subject at a site (screening)',
        params: z.object({ studyId: id }),
        body: z
          .object({
            siteId: id,
            sex: z.enum(['female', 'male']).nullable().optional(),
            birthDate: isoDate.nullable().optional(),
          })
          .strict(),
      },
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
      schema: {
        tags: ['subjects'],
        summary: 'One subject',
        params: z.object({ subjectId: id }),
        response: { 200: subjectOut },
      },
    },
    async (req) => {
      await enforceOnSubject(db, req, 'subject.read', req.params.subjectId);
      return toSubject(await getSubject(db, req.params.subjectId), principalOf(req));
    },
  );

  app.patch(
    '/api/subjects/:subjectId',
    {
      schema: {
        tags: ['subjects'],
        summary: 'Change a subject record (version read and reason required)',
        params: z.object({ subjectId: id }),
        body: z
          .object({
            version,
            reason: reason.optional(),
            status: z.enum(SUBJECT_STATUSES).optional(),
            sex: z.enum(['female', 'male']).nullable().optional(),
            birthDate: isoDate.nullable().optional(),
            enrolledAt: isoDate.nullable().optional(),
            day0Date: isoDate.nullable().optional(),
          })
          .strict(),
      },
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
