// Randomisation, blinding and emergency unblinding (issue 24). The arm is null whenever the caller's
// role is blinded by the study's definition (and the subject was not unblinded for it).
import { z } from 'zod';
import { reason } from './common.js';
import { route } from './route.js';
import { studyParams } from './studies.js';
import { subjectParams } from './subjects.js';

export const unblinding = z.object({
  id: z.string(),
  subjectId: z.string(),
  at: z.string(),
  by: z.string(),
  reason: z.string(),
  /** Null for a blinded caller who neither unblinded the subject nor has the safety role. */
  arm: z.string().nullable(),
});

/**
 * A correction of an assignment (a new record with its reason; the assignment is never changed and
 * the analysis keeps the arm as randomised). Shown to unblinded callers only.
 */
export const randomisationCorrection = z.object({
  id: z.string(),
  subjectId: z.string(),
  at: z.string(),
  by: z.string(),
  reason: z.string(),
  fromArm: z.string(),
  toArm: z.string(),
});

export const randomisationStatus = z.object({
  subjectId: z.string(),
  /** The study's definition randomises (arms and a randomisation section). */
  studyRandomises: z.boolean(),
  randomised: z.boolean(),
  /** The caller's role is blinded in this study. */
  blinded: z.boolean(),
  arm: z.string().nullable(),
  armLabel: z.string().nullable(),
  /** The stratum (site and factor levels) the subject was randomised in. */
  stratum: z.string().nullable(),
  /** Place in the stratum's sequence: only for unblinded callers (with the block sizes it predicts). */
  sequence: z.number().nullable(),
  assignedAt: z.string().nullable(),
  unblindings: z.array(unblinding),
  /** Corrections of the assignment, oldest first; always empty for a blinded caller. */
  corrections: z.array(randomisationCorrection),
  /** The arm after the last correction (null when none, or for a blinded caller); the analysis uses `arm`. */
  correctedArm: z.string().nullable(),
});

const balanceRow = z.object({
  group: z.string(),
  total: z.number(),
  counts: z.array(z.object({ arm: z.string(), n: z.number(), deviation: z.number() })),
  maxAbsDeviation: z.number(),
});

export const randomisationRoutes = {
  randomise: route({
    method: 'POST',
    path: '/api/subjects/:subjectId/randomise',
    tags: ['randomisation'],
    summary:
      'Randomise an enrolled subject (eligibility confirmed at enrolment): audited and final (a second call answers 409)',
    params: subjectParams,
    response: { 201: randomisationStatus },
  }),
  subjectRandomisation: route({
    method: 'GET',
    path: '/api/subjects/:subjectId/randomisation',
    tags: ['randomisation'],
    summary: "A subject's randomisation: the arm only for unblinded roles; its unblindings",
    params: subjectParams,
    response: { 200: randomisationStatus },
  }),
  unblind: route({
    method: 'POST',
    path: '/api/subjects/:subjectId/unblind',
    tags: ['randomisation'],
    summary:
      'Emergency unblinding of one subject by an investigator, with a reason; audited, shown to safety',
    params: subjectParams,
    body: z.object({ reason }).strict(),
    response: { 201: randomisationStatus },
  }),
  correctAssignment: route({
    method: 'POST',
    path: '/api/subjects/:subjectId/randomisation/corrections',
    tags: ['randomisation'],
    summary:
      'Correct an assignment: a new audited record (from → to, reason); the assignment stays as randomised and the analysis keeps it (ITT). Unblinded roles only',
    params: subjectParams,
    body: z.object({ toArm: z.string().min(1), reason }).strict(),
    response: { 201: randomisationStatus },
  }),
  randomisationCorrections: route({
    method: 'GET',
    path: '/api/studies/:studyId/randomisation/corrections',
    tags: ['randomisation'],
    summary: "Corrections of a study's assignments at the caller's sites (unblinded roles only)",
    params: studyParams,
    response: { 200: z.array(randomisationCorrection) },
  }),
  unblindings: route({
    method: 'GET',
    path: '/api/studies/:studyId/unblindings',
    tags: ['randomisation'],
    summary: "Emergency unblindings of a study's subjects at the caller's sites (safety, investigators)",
    params: studyParams,
    response: {
      200: z.array(
        unblinding.extend({
          subjectCode: z.string().describe('the pseudonym for a role without identifiers'),
        }),
      ),
    },
  }),
  randomisationBalance: route({
    method: 'GET',
    path: '/api/studies/:studyId/randomisation/balance',
    tags: ['randomisation'],
    summary: 'Allocation balance overall, by stratum and by factor level (unblinded roles only)',
    params: studyParams,
    response: {
      200: z.object({
        method: z.string(),
        arms: z.array(z.object({ id: z.string(), label: z.string(), ratio: z.number() })),
        overall: balanceRow,
        strata: z.array(balanceRow),
        margins: z.array(balanceRow),
      }),
    },
  }),
  allocationList: route({
    method: 'GET',
    path: '/api/studies/:studyId/randomisation/list',
    tags: ['randomisation'],
    summary:
      'The allocation list with its seed, for the trial master file (an unblinded statistician only; audited)',
    params: studyParams,
    response: {
      200: z.object({
        studyId: z.string(),
        definitionId: z.string().nullable(),
        definitionVersion: z.string().nullable(),
        method: z.string(),
        seed: z.string(),
        seedCommitment: z.string(),
        createdAt: z.string(),
        design: z.unknown(),
        strata: z.array(
          z.object({
            stratum: z.string(),
            entries: z.array(
              z.object({
                sequence: z.number(),
                block: z.number(),
                blockSize: z.number(),
                positionInBlock: z.number(),
                arm: z.string(),
                subjectId: z.string().nullable(),
              }),
            ),
          }),
        ),
        assignments: z.array(
          z.object({
            subjectId: z.string(),
            stratum: z.string(),
            sequence: z.number(),
            arm: z.string(),
            levels: z.record(z.string(), z.string()),
            assignedAt: z.string(),
          }),
        ),
        corrections: z.array(randomisationCorrection),
      }),
    },
  }),
};
