// Signatures and locks (issue 21): the investigator's worklist, signing a visit or a casebook in one
// ceremony, the signature's manifestation (21 CFR 11.50), freezes and locks of a study, a site or a
// subject, and requests to unlock.
import { z } from 'zod';
import { id, reason, version } from './common.js';
import { route } from './route.js';
import { studyParams } from './studies.js';
import { subjectParams } from './subjects.js';
import { formState } from './visits.js';

/** What a signed record shows (21 CFR 11.50): the signer's printed name, the date and time, the meaning. */
export const signature = z.object({
  signerName: z.string(),
  signedAt: z.string().describe('ISO 8601 instant with its zone (UTC, Z)'),
  meaning: z.string(),
});

export const LOCK_LEVELS = ['study', 'site', 'subject'] as const;
export const LOCK_KINDS = ['freeze', 'lock'] as const;

export const recordLock = z.object({
  id: z.string(),
  studyId: z.string(),
  level: z.enum(LOCK_LEVELS),
  siteId: z.string().nullable(),
  subjectId: z.string().nullable(),
  subjectCode: z.string().nullable(),
  kind: z.enum(LOCK_KINDS).describe('freeze: no data change, signatures still given; lock: no change at all'),
  reason: z.string(),
  lockedBy: z.string().describe('the full name of who set it'),
  lockedAt: z.string(),
  releasedBy: z.string().nullable(),
  releasedAt: z.string().nullable(),
  releaseReason: z.string().nullable(),
  /** Why a study or site was locked although its ready-to-lock report was not clean. */
  overrideReason: z.string().nullable(),
  version: z.number(),
});

const readinessEntry = z.object({
  subjectId: z.string(),
  subjectCode: z.string(),
  visitId: z.string(),
  visitCode: z.string(),
  formCode: z.string(),
  formId: z.string().nullable().describe('null: a form the schedule expects that was never entered'),
});
/** The "ready to lock" report of a study or a site (issue 21). */
export const lockReadiness = z.object({
  clean: z.boolean(),
  counts: z.object({
    openQueries: z.number(),
    unverifiedForms: z.number(),
    unsignedForms: z.number(),
    missingForms: z.number(),
  }),
  openQueries: z.array(
    z.object({
      queryId: z.string(),
      subjectId: z.string(),
      subjectCode: z.string(),
      status: z.string(),
      text: z.string(),
    }),
  ),
  unverifiedForms: z.array(readinessEntry),
  unsignedForms: z.array(readinessEntry),
  missingForms: z.array(readinessEntry),
});

export const unlockRequest = z.object({
  id: z.string(),
  targetType: z.enum(['form', 'lock']),
  targetId: z.string(),
  subjectId: z.string().nullable(),
  subjectCode: z.string().nullable(),
  visitId: z.string().nullable(),
  visitCode: z.string().nullable(),
  cycle: z.number().nullable(),
  formCode: z.string().nullable(),
  lockLevel: z.string().nullable(),
  lockKind: z.string().nullable(),
  lockVersion: z.number().nullable(),
  reason: z.string(),
  requestedBy: z.string(),
  requestedAt: z.string(),
  status: z.enum(['open', 'done', 'declined']),
  closeNote: z.string().nullable(),
  version: z.number(),
});

const awaitingVisit = z.object({
  visitId: z.string(),
  visitCode: z.string(),
  cycle: z.number(),
  visitDate: z.string().nullable(),
  forms: z.array(z.object({ formId: z.string(), formCode: z.string(), version: z.number() })),
});

export const signatureWorklist = z.object({
  meaning: z.string().describe('the meaning of the signature, shown before signing'),
  awaiting: z.array(
    z.object({
      subjectId: z.string(),
      subjectCode: z.string(),
      siteCode: z.string(),
      visits: z.array(awaitingVisit),
    }),
  ),
  truncated: z.boolean().describe('true when more forms await than the list holds'),
  unlockRequests: z.array(unlockRequest).describe('open requests to unlock that this user can act on'),
});

export const casebookForm = z.object({
  formId: z.string(),
  formCode: z.string(),
  status: z.string(),
  version: z.number(),
  visitId: z.string(),
  visitCode: z.string(),
  cycle: z.number(),
  signature: signature.nullable(),
});

const lockParams = z.object({ lockId: id });
const requestParams = z.object({ requestId: id });

export const signatureRoutes = {
  signatureWorklist: route({
    method: 'GET',
    path: '/api/studies/:studyId/signature-worklist',
    tags: ['signatures'],
    summary:
      "The investigator's worklist: complete forms awaiting a signature at the user's sites, by subject and visit, and open requests to unlock",
    params: studyParams,
    response: { 200: signatureWorklist },
  }),
  subjectSignatures: route({
    method: 'GET',
    path: '/api/subjects/:subjectId/signatures',
    tags: ['signatures'],
    summary: "A casebook's forms with their signatures (signer's full name, date and time, meaning)",
    params: subjectParams,
    response: { 200: z.object({ meaning: z.string(), forms: z.array(casebookForm) }) },
  }),
  signForms: route({
    method: 'POST',
    path: '/api/subjects/:subjectId/signatures',
    tags: ['signatures'],
    summary:
      'Sign a whole visit (visitId) or the whole casebook in one ceremony: password entered once, every unsigned form of the scope named with the version shown, all signed or none (stale → 409)',
    params: subjectParams,
    body: z
      .object({
        visitId: id.optional().describe('the visit signed; absent: the whole casebook'),
        forms: z
          .array(z.object({ formId: id, version }).strict())
          .min(1)
          .max(2000),
        password: z.string().max(1000),
      })
      .strict(),
    response: { 200: z.object({ signature, forms: z.array(formState) }) },
  }),
  listLocks: route({
    method: 'GET',
    path: '/api/studies/:studyId/locks',
    tags: ['locks'],
    summary:
      "A study's freezes and locks (study, site, subject), active first, with who set and released them",
    params: studyParams,
    response: { 200: z.array(recordLock) },
  }),
  createLock: route({
    method: 'POST',
    path: '/api/studies/:studyId/locks',
    tags: ['locks'],
    summary:
      'Freeze or lock the study, a site or a subject (administrator; reason required, audited): every write to it is then refused with 423',
    params: studyParams,
    body: z
      .object({
        level: z.enum(LOCK_LEVELS),
        kind: z.enum(LOCK_KINDS),
        siteId: id.optional().describe('level site'),
        subjectId: id.optional().describe('level subject'),
        reason,
        overrideReason: reason
          .optional()
          .describe(
            'a lock of the study or a site whose ready-to-lock report is not clean needs this reason (else 400 MSCT_E_REASON_REQUIRED naming the report)',
          ),
      })
      .strict(),
    response: { 201: recordLock },
  }),
  lockReadiness: route({
    method: 'GET',
    path: '/api/studies/:studyId/lock-readiness',
    tags: ['locks'],
    summary:
      'The ready-to-lock report of the study or one site (administrator): open queries, forms the SDV plan needs verified that are not, unsigned forms, missing forms',
    params: studyParams,
    querystring: z.object({ siteId: id.optional() }).strict(),
    response: { 200: lockReadiness },
  }),
  releaseLock: route({
    method: 'POST',
    path: '/api/locks/:lockId/release',
    tags: ['locks'],
    summary: 'Release a freeze or lock (administrator; reason required, audited)',
    params: lockParams,
    body: z.object({ version, reason }).strict(),
    response: { 200: recordLock },
  }),
  requestUnlock: route({
    method: 'POST',
    path: '/api/unlock-requests',
    tags: ['locks'],
    summary:
      'Ask that a signed form (the investigator) or a lock (the administrator) be unlocked, with a reason; it appears in their worklist',
    body: z.object({ targetType: z.enum(['form', 'lock']), targetId: id, reason }).strict(),
    response: { 201: unlockRequest },
  }),
  declineUnlock: route({
    method: 'POST',
    path: '/api/unlock-requests/:requestId/decline',
    tags: ['locks'],
    summary: 'Decline a request to unlock, with a reason (who could grant it)',
    params: requestParams,
    body: z.object({ version, reason }).strict(),
    response: { 200: unlockRequest },
  }),
};
