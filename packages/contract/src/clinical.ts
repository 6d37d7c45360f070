// Clinical routes answer what the core derives (scores with their traces, verdicts, eligibility,
// the visit schedule). The fields that identify a subject or carry its data are declared one by one,
// so nothing else leaves the server; the core's computed structures inside them (score values,
// traces, labs, the adjudication record) are typed from the core and passed as computed.
import type { VisitScores } from '@msct/core/crf';
import type { SubjectEndpoints } from '@msct/core/dataset';
import type { Bilag2004Value, ClassicBilagValue, Sledai2kValue } from '@msct/core/instruments';
import type { EligibilityResult, ScheduleStatus } from '@msct/core/protocol';
import { z } from 'zod';
import { id, isoDate, version } from './common.js';
import { route } from './route.js';
import { studyParams } from './studies.js';
import { subjectParams } from './subjects.js';

/** A structure computed by the core, typed from it (core/src) and passed through as computed. */
const computed = <T>(what: string) => z.custom<T>(() => true).describe(what);

const issue = z.object({
  code: z.string(),
  path: z.array(z.union([z.string(), z.number()])).readonly(),
  message: z.string(),
});
const scored = <T>(what: string) =>
  z
    .object({
      value: computed<T>(what).nullable(),
      /** The trace: how the score was reached, one line per step. */
      explanation: z.array(z.string()),
      issues: z.array(issue).readonly(),
    })
    .nullable();

/** The BILAG-2004 assessment before a visit, which the renal change rules compare with. */
export const previousAssessment = z.object({
  visitId: z.string(),
  visitCode: z.string(),
  visitDate: z.string().nullable(),
  items: z.record(z.string(), z.object({ value: z.string().nullable(), unit: z.string().nullable() })),
});

export const visitScores = z.object({
  sledai2k: scored<Sledai2kValue>('SLEDAI-2K (core/instruments/sledai2k)'),
  bilag: scored<ClassicBilagValue>('classic BILAG (core/instruments/bilag-classic)'),
  bilag2004: scored<Bilag2004Value>('BILAG-2004 (core/instruments/bilag2004)'),
  previousBilag2004: previousAssessment.nullable(),
  labs: computed<VisitScores['labs']>('canonical labs (core/crf/derive.ts)'),
});

type EndpointVisit = SubjectEndpoints['visits'][number];
const endpointVisit = z.object({
  visitId: z.string(),
  visitCode: z.string(),
  cycle: z.number(),
  date: z.string().nullable(),
  studyDay: z.number().nullable(),
  sledai: z.number().nullable(),
  clinicalSledai: z.number().nullable(),
  sledaiTrace: z.array(z.string()),
  bilagTotal: z.number().nullable(),
  bilagGrades: computed<EndpointVisit['bilagGrades']>('classic BILAG grade per system').nullable(),
  bilagTrace: z.array(z.string()),
  bilag2004Grades: computed<EndpointVisit['bilag2004Grades']>('BILAG-2004 grade per system').nullable(),
  bilag2004Provisional: z.array(
    z.custom<EndpointVisit['bilag2004Provisional'][number]>((v) => typeof v === 'string'),
  ),
  labs: computed<EndpointVisit['labs']>('canonical labs (core/crf/derive.ts)'),
});

export const snapshot = z.object({ takenAt: z.string(), hash: z.string() });

/** One subject's scores per visit, endpoint verdict with its trace and time-to-event data. */
export const subjectEndpoints = z.object({
  snapshot,
  endpointBilag: z.string(),
  subjectId: z.string(),
  subjectCode: z.string(),
  siteCode: z.string(),
  problems: z.array(z.string()).readonly(),
  visits: z.array(endpointVisit),
  adjudication: computed<SubjectEndpoints['adjudication']>('the endpoint adjudication (core/endpoints)'),
  timeToEvent: computed<SubjectEndpoints['timeToEvent']>('time-to-event data (core/endpoints)'),
});

type Adjudication = NonNullable<SubjectEndpoints['adjudication']>;
export const studyEndpoints = z.object({
  snapshot,
  subjects: z.array(
    z.object({
      subjectId: z.string(),
      subjectCode: z.string(),
      siteCode: z.string(),
      outcome: z.enum(['MCR', 'PCR', 'NR', 'pending']).nullable(),
      label: z.string().nullable(),
      firstResponseMonth: z.number().nullable(),
      relapse: computed<Adjudication['primary']['relapse']>('the relapse, if any').nullable(),
      death: computed<Adjudication['death']>('the death, if any').nullable(),
      summary: z.string().nullable(),
      problems: z.array(z.string()).readonly(),
    }),
  ),
});

const criterion = z.object({
  id: z.string(),
  label: z.string(),
  kind: z.enum(['inclusion', 'exclusion']),
  status: z.enum(['met', 'not_met', 'missing', 'waived']),
  reason: z.string(),
  missingItems: z.array(z.string()),
  waiver: computed<EligibilityResult['criteria'][number]['waiver']>('the waiver applied').optional(),
});
export const eligibility = z.object({
  overall: z.enum(['eligible', 'not_eligible', 'incomplete']),
  criteria: z.array(criterion),
  waived: z.array(criterion),
  rejectedWaivers: computed<EligibilityResult['rejectedWaivers']>('waivers that were not applied, with why'),
  /**
   * Criterion items read from values the study already holds (the definition's
   * `eligibilitySources`): these, not the screening form's, are what the criteria read.
   */
  held: z.array(z.object({ item: z.string(), value: z.string(), source: z.string() })),
});

export const schedule = z.object({
  visits: computed<ScheduleStatus['visits']>(
    'each expected visit with its status (core/protocol/visit-schedule.ts)',
  ),
  unscheduled: z.array(
    z.object({ code: z.string(), cycle: z.number(), date: z.string(), studyDay: z.number() }),
  ),
});

export const enrolment = z.object({
  id: z.string(),
  status: z.string(),
  day0Date: z.string().nullable(),
  version: z.number(),
  reason: z.string(),
});

/**
 * The answer of a derived-results route (/endpoints, /analysis) while the study's data are being
 * derived in the background (issue 16: the first derivation of a large trial does not hold the
 * request): 202 with a Retry-After header; ask again for the result. A derivation that failed is
 * reported to the next request as a problem (500, with its request id); the request after that
 * starts it again.
 */
export const computing = z.object({
  status: z.literal('computing'),
  /** When the derivation started (ISO 8601). */
  startedAt: z.string(),
  /** Seconds to wait before asking again (also the Retry-After header). */
  retryAfterSeconds: z.number().int(),
});

export const clinicalRoutes = {
  visitScores: route({
    method: 'GET',
    path: '/api/visits/:visitId/scores',
    tags: ['clinical'],
    summary:
      'SLEDAI-2K, classic BILAG, BILAG-2004 (renal change rules against the previous assessment) and labs derived from the visit’s items, with the trace of each score',
    params: z.object({ visitId: id }),
    response: { 200: visitScores },
  }),
  subjectEndpoints: route({
    method: 'GET',
    path: '/api/subjects/:subjectId/endpoints',
    tags: ['clinical'],
    summary:
      'Endpoint verdict (MCR/PCR/NR, relapse, death) with its trace, scores per visit, time-to-event data',
    params: subjectParams,
    response: { 200: subjectEndpoints },
  }),
  studyEndpoints: route({
    method: 'GET',
    path: '/api/studies/:studyId/endpoints',
    tags: ['clinical'],
    summary: "Every visible subject's endpoint verdict (adjudication run)",
    params: studyParams,
    response: { 200: studyEndpoints, 202: computing },
  }),
  eligibility: route({
    method: 'GET',
    path: '/api/subjects/:subjectId/eligibility',
    tags: ['clinical'],
    summary: 'Each eligibility criterion met / not met / missing / waived, with the reason',
    params: subjectParams,
    response: { 200: eligibility },
  }),
  enrol: route({
    method: 'POST',
    path: '/api/subjects/:subjectId/enrol',
    tags: ['clinical'],
    summary:
      'Enrol a screened subject: refused while any criterion is not met or missing (waivers are recorded on the screening form)',
    params: subjectParams,
    body: z.object({ version, day0Date: isoDate }).strict(),
    response: { 200: enrolment },
  }),
  schedule: route({
    method: 'GET',
    path: '/api/subjects/:subjectId/schedule',
    tags: ['clinical'],
    summary: 'Expected visit dates from day 0 and each visit’s status (not due, due, overdue, done, missed)',
    params: subjectParams,
    querystring: z
      .object({ today: isoDate.optional(), cycle: z.coerce.number().int().min(1).max(20).optional() })
      .strict(),
    response: { 200: schedule },
  }),
};
