import { z } from 'zod';
import { id, isoDate, reason, SUBJECT_STATUSES, version } from './common.js';
import { route } from './route.js';
import { studyParams } from './studies.js';

/** Statisticians get the pseudonym in place of the subject code, and no birth date. */
export const subject = z.object({
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

export const subjectParams = z.object({ subjectId: id });
const sex = z.enum(['female', 'male']);

export const subjectRoutes = {
  listSubjects: route({
    method: 'GET',
    path: '/api/studies/:studyId/subjects',
    tags: ['subjects'],
    summary:
      "Subjects at the user's sites, one page (`limit`, default 500) in subject-code order (pseudonym order for pseudonymised roles, `after` then being a pseudonym); continue with `after` = the last code; counts: GET /subject-counts",
    params: studyParams,
    querystring: z
      .object({
        siteId: id.optional(),
        after: z.string().max(100).optional(),
        limit: z.coerce.number().int().min(1).max(1000).optional(),
      })
      .strict(),
    response: { 200: z.array(subject) },
  }),
  createSubject: route({
    method: 'POST',
    path: '/api/studies/:studyId/subjects',
    tags: ['subjects'],
    summary: 'Register a subject at a site (screening)',
    params: studyParams,
    body: z
      .object({ siteId: id, sex: sex.nullable().optional(), birthDate: isoDate.nullable().optional() })
      .strict(),
    response: { 201: subject },
  }),
  getSubject: route({
    method: 'GET',
    path: '/api/subjects/:subjectId',
    tags: ['subjects'],
    summary: 'One subject',
    params: subjectParams,
    response: { 200: subject },
  }),
  updateSubject: route({
    method: 'PATCH',
    path: '/api/subjects/:subjectId',
    tags: ['subjects'],
    summary: 'Change a subject record (version read and reason required)',
    params: subjectParams,
    body: z
      .object({
        version,
        reason: reason.optional(),
        status: z.enum(SUBJECT_STATUSES).optional(),
        sex: sex.nullable().optional(),
        birthDate: isoDate.nullable().optional(),
        enrolledAt: isoDate.nullable().optional(),
        day0Date: isoDate.nullable().optional(),
      })
      .strict(),
    response: { 200: subject },
  }),
};
