// Review and source data verification (issue 21): a form's review state, the study's SDV plan and the
// monitor's worklist.
import { z } from 'zod';
import { id, version } from './common.js';
import { route } from './route.js';
import { studyParams } from './studies.js';
import { subjectParams } from './subjects.js';

export const formReview = z.object({
  formId: z.string(),
  /** Whether the study's SDV plan needs this form source verified. */
  needsSdv: z.boolean(),
  verifiedBy: z.string().nullable(),
  verifiedByName: z.string().nullable(),
  verifiedAt: z.string().nullable(),
  reviewedBy: z.string().nullable(),
  reviewedByName: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  /** The last change of one of its values after it was first marked. */
  changedAt: z.string().nullable(),
  /** 0: never marked. */
  version: z.number(),
  /** Items verified on their own (issue 21, per-item SDV); a cleared one has verifiedAt null. */
  items: z.array(
    z.object({
      itemCode: z.string(),
      verifiedBy: z.string().nullable(),
      verifiedByName: z.string().nullable(),
      verifiedAt: z.string().nullable(),
      /** 0: never verified. */
      version: z.number(),
    }),
  ),
});

export const itemVerification = z.object({
  formId: z.string(),
  itemCode: z.string(),
  verifiedBy: z.string().nullable(),
  verifiedByName: z.string().nullable(),
  verifiedAt: z.string().nullable(),
  /** The version of the item's value that was verified. */
  valueVersion: z.number().nullable(),
  version: z.number(),
});

const sdvRule = z
  .object({ formCode: z.string().min(1).max(100), visitCode: z.string().min(1).max(100).optional() })
  .strict();
export const sdvPlan = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('all') }).strict(),
  z.object({ mode: z.literal('subset'), rules: z.array(sdvRule).max(1000) }).strict(),
]);
export const sdvPlanState = z.object({ plan: sdvPlan, version: z.number() });

const worklistForm = z.object({
  formId: z.string(),
  formCode: z.string(),
  formStatus: z.string(),
  visitId: z.string(),
  visitCode: z.string(),
  cycle: z.number(),
  subjectId: z.string(),
  subjectCode: z.string(),
  siteId: z.string(),
  reviewedAt: z.string().nullable(),
  verifiedAt: z.string().nullable(),
  changedAt: z.string().nullable(),
});
export const monitorWorklist = z.object({
  /** One page (`offset`, `limit`) of each form list, in site, subject and visit order. */
  changedSinceReview: z.array(worklistForm),
  unverified: z.array(worklistForm),
  /** How many forms each list holds in all: a page is never presented as the whole list. */
  totals: z.object({ changedSinceReview: z.number(), unverified: z.number() }),
  offset: z.number(),
  limit: z.number(),
  answeredQueries: z.array(
    z.object({
      id: z.string(),
      subjectId: z.string(),
      subjectCode: z.string(),
      siteId: z.string(),
      field: z.string().nullable(),
      entityType: z.string(),
      text: z.string(),
      raisedAt: z.string(),
      answeredAt: z.string().nullable(),
    }),
  ),
  newSaes: z.array(
    z.object({
      id: z.string(),
      subjectId: z.string(),
      subjectCode: z.string(),
      siteId: z.string(),
      term: z.string(),
      onsetDate: z.string(),
      createdAt: z.string(),
    }),
  ),
});

export const reviewRoutes = {
  listVisitReviews: route({
    method: 'GET',
    path: '/api/visits/:visitId/reviews',
    tags: ['reviews'],
    summary: "Review and source verification state of each of a visit's forms",
    params: z.object({ visitId: id }),
    response: { 200: z.array(formReview) },
  }),
  markFormReview: route({
    method: 'POST',
    path: '/api/forms/:formId/review',
    tags: ['reviews'],
    summary:
      'Mark a form source verified or reviewed (monitor); a later change to its values clears the verification',
    params: z.object({ formId: id }),
    body: z.object({ mark: z.enum(['verified', 'reviewed']), version }).strict(),
    response: { 200: formReview },
  }),
  markItemVerified: route({
    method: 'POST',
    path: '/api/forms/:formId/items/:itemCode/verify',
    tags: ['reviews'],
    summary:
      "Mark one item of a form source verified (monitor); a later change to the item's value clears it (audited)",
    params: z.object({ formId: id, itemCode: z.string().min(1).max(100) }),
    body: z.object({ version }).strict(),
    response: { 200: itemVerification },
  }),
  verifyForms: route({
    method: 'POST',
    path: '/api/subjects/:subjectId/verifications',
    tags: ['reviews'],
    summary:
      "Source-verify every form of a visit (visitId) or of the subject's casebook in one action (monitor): each form shown is verified and audited on its own; a form of the scope not shown, or a stale version, refuses all (409)",
    params: subjectParams,
    body: z
      .object({
        visitId: id.optional().describe('absent: the whole casebook'),
        forms: z
          .array(z.object({ formId: id, version }).strict())
          .min(1)
          .max(5000),
      })
      .strict(),
    response: { 200: z.object({ verified: z.array(z.string()), alreadyVerified: z.array(z.string()) }) },
  }),
  getSdvPlan: route({
    method: 'GET',
    path: '/api/studies/:studyId/sdv-plan',
    tags: ['reviews'],
    summary: 'Which forms need source data verification (all, or a subset by form and visit)',
    params: studyParams,
    response: { 200: sdvPlanState },
  }),
  setSdvPlan: route({
    method: 'PUT',
    path: '/api/studies/:studyId/sdv-plan',
    tags: ['reviews'],
    summary: 'Set which forms need source data verification (admin)',
    params: studyParams,
    body: z.object({ plan: sdvPlan, version }).strict(),
    response: { 200: sdvPlanState },
  }),
  monitorWorklist: route({
    method: 'GET',
    path: '/api/studies/:studyId/worklist',
    tags: ['reviews'],
    summary:
      "The monitor's worklist: forms changed since their review, unverified forms, answered queries to close, new SAEs",
    params: studyParams,
    querystring: z
      .object({
        saeDays: z.coerce.number().int().min(1).max(3650).default(30),
        /** The page of the two form lists (issue 16: a trial has ~25 forms a patient). */
        offset: z.coerce.number().int().min(0).default(0),
        limit: z.coerce.number().int().min(1).max(1000).default(200),
      })
      .strict(),
    response: { 200: monitorWorklist },
  }),
};
