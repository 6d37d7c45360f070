import { z } from 'zod';
import { code, id, isoDate, reason, SUBJECT_SORTS, SUBJECT_STATUSES, version } from './common.js';
import { noContent, route } from './route.js';
import { studyParams } from './studies.js';
import { subject, subjectParams } from './subjects.js';

/** A visit's own fields, as every visit route returns them. */
export const visit = z.object({
  id: z.string(),
  subjectId: z.string(),
  visitCode: z.string(),
  cycle: z.number(),
  visitDate: z.string().nullable(),
  status: z.string(),
  version: z.number(),
});

/** A form's own fields (no items). */
export const formState = z.object({
  id: z.string(),
  formCode: z.string(),
  record: z
    .number()
    .int()
    .describe(
      "the form's record at the visit: 1, 2, … for a repeating form (the definition's `repeating`); 1 otherwise",
    ),
  status: z.string(),
  signedBy: z.string().nullable(),
  signedAt: z.string().nullable(),
  version: z.number(),
});
export const overviewForm = formState.extend({
  items: z.array(z.never()).describe('always empty: the overview carries no item values'),
});
export const overviewVisit = visit.extend({ forms: z.array(overviewForm) });

/** A missing-data code held in place of a value: ND not done, NK not known, NA not applicable. */
export const missingCode = z.enum(['ND', 'NK', 'NA']);
export const item = z.object({
  id: z.string(),
  itemCode: z.string(),
  value: z.string().nullable(),
  unit: z.string().nullable(),
  missingCode: missingCode
    .nullable()
    .describe('set (value null) when the item holds ND/NK/NA instead of a value'),
  version: z.number(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export const form = formState.extend({
  items: z.array(item),
  /** A signed form's manifestation (21 CFR 11.50): signer's full name, date/time, meaning; else null. */
  signature: z.object({ signerName: z.string(), signedAt: z.string(), meaning: z.string() }).nullable(),
});
export const visitWithForms = visit.extend({
  forms: z.array(form),
  /** The meaning of an electronic signature (21 CFR 11.50), as the server stores it with a signature. */
  signatureMeaning: z.string(),
});

const countsOf = z.object({
  subjects: z.number().int(),
  byStatus: z.object(
    Object.fromEntries(SUBJECT_STATUSES.map((s) => [s, z.number().int()])) as Record<
      (typeof SUBJECT_STATUSES)[number],
      z.ZodNumber
    >,
  ),
  overdueVisits: z.number().int().nullable().describe('null when the study defines no visit schedule'),
  unresolvedQueries: z
    .number()
    .int()
    .nullable()
    .describe('open or answered queries; null where the role may not read queries'),
});
export const subjectCounts = z.object({
  sites: z.array(countsOf.extend({ siteId: z.string(), siteCode: z.string(), siteName: z.string() })),
  total: countsOf,
});

/** The grid needs each form's code and state only: a page of 200 subjects stays small. */
export const gridVisit = visit
  .omit({ version: true })
  .extend({ forms: z.array(z.object({ formCode: z.string(), status: z.string() })) });
export const recordStatusPage = z.object({
  total: z.number().int().describe('subjects matching the filters, over every page'),
  offset: z.number().int(),
  limit: z.number().int(),
  subjects: z.array(
    subject.extend({
      siteCode: z.string(),
      unresolvedQueries: z.number().int().nullable(),
      visits: z.array(gridVisit),
    }),
  ),
});

/** The meaning of an electronic signature, shown before signing and stored with it (21 CFR 11.50). */
export const SIGNATURE_MEANING =
  'I am the investigator responsible for this visit; I have reviewed these data and confirm they are accurate and complete.';

const visitParams = z.object({ visitId: id });
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

export const visitRoutes = {
  subjectCounts: route({
    method: 'GET',
    path: '/api/studies/:studyId/subject-counts',
    tags: ['subjects'],
    summary:
      "Subjects per site and status, overdue visits and unresolved queries, counted over every subject at the user's sites",
    params: studyParams,
    querystring: z
      .object({
        today: isoDate
          .optional()
          .describe("the day overdue visits are counted on (default: the server's date, UTC)"),
      })
      .strict(),
    response: { 200: subjectCounts },
  }),
  recordStatus: route({
    method: 'GET',
    path: '/api/studies/:studyId/record-status',
    tags: ['subjects'],
    summary:
      "One page of the record status grid: subjects at the user's sites (filtered, sorted and paged by the server, with the total) and their visits' form states",
    params: studyParams,
    querystring: z
      .object({
        siteId: id.optional(),
        status: z.enum(SUBJECT_STATUSES).optional(),
        search: z
          .string()
          .trim()
          .max(40)
          .optional()
          .describe('part of the subject code shown (the pseudonym for pseudonymised roles); empty = any'),
        sort: z
          .enum(SUBJECT_SORTS)
          .optional()
          .describe(
            'code (default; the pseudonym for pseudonymised roles), site, status or day0 (not for pseudonymised roles)',
          ),
        order: z.enum(['asc', 'desc']).optional(),
        offset: z.coerce.number().int().min(0).max(10_000_000).optional(),
        limit: z.coerce.number().int().min(1).max(200).optional(),
      })
      .strict(),
    response: { 200: recordStatusPage },
  }),
  visitOverview: route({
    method: 'GET',
    path: '/api/studies/:studyId/visit-overview',
    tags: ['visits'],
    summary:
      "The visits of some subjects at the user's sites with their forms' states (no item values); the record status grid pages through GET /record-status",
    params: studyParams,
    querystring: z
      .object({
        subjectIds: z
          .string()
          .regex(
            new RegExp(`^${UUID}(,${UUID}){0,199}$`, 'i'),
            'comma-separated subject ids (UUIDs), at most 200',
          ),
      })
      .strict(),
    response: { 200: z.array(overviewVisit) },
  }),
  listVisits: route({
    method: 'GET',
    path: '/api/subjects/:subjectId/visits',
    tags: ['visits'],
    summary: "A subject's visits",
    params: subjectParams,
    response: { 200: z.array(visit) },
  }),
  createVisit: route({
    method: 'POST',
    path: '/api/subjects/:subjectId/visits',
    tags: ['visits'],
    summary: 'Open a visit (scheduled or unscheduled)',
    params: subjectParams,
    body: z
      .object({
        visitCode: code,
        cycle: z.number().int().min(1).max(20).optional(),
        visitDate: isoDate.nullable().optional(),
        /** Why an unscheduled visit is opened (required for one in a defined study, issue #20). */
        reason: reason.optional(),
      })
      .strict(),
    response: { 201: visit },
  }),
  getVisit: route({
    method: 'GET',
    path: '/api/visits/:visitId',
    tags: ['visits'],
    summary: 'A visit with its forms and item values',
    params: visitParams,
    response: { 200: visitWithForms },
  }),
  updateVisitDate: route({
    method: 'PATCH',
    path: '/api/visits/:visitId',
    tags: ['visits'],
    summary: 'Change the visit date (reason required once recorded)',
    params: visitParams,
    body: z.object({ version, visitDate: isoDate.nullable(), reason: reason.optional() }).strict(),
    response: { 200: visit },
  }),
  setVisitMissed: route({
    method: 'POST',
    path: '/api/visits/:visitId/missed',
    tags: ['visits'],
    summary:
      'Declare a visit missed (not done), or take that back; a reason is required either way. A visit with a date or data cannot be declared missed.',
    params: visitParams,
    body: z.object({ version, missed: z.boolean(), reason }).strict(),
    response: { 200: visit },
  }),
  deleteVisit: route({
    method: 'DELETE',
    path: '/api/visits/:visitId',
    tags: ['visits'],
    summary:
      'Delete a visit opened by mistake, with a reason (audited). Refused (400, rule has-values, form-signed, form-locked, has-queries or form-reviewed) while one of its forms holds a value or is signed, locked, queried or reviewed; its empty forms go with it.',
    params: visitParams,
    querystring: z.object({ version: z.coerce.number().int().min(0).max(2_147_483_647), reason }).strict(),
    response: { 204: noContent },
  }),
  deleteForm: route({
    method: 'DELETE',
    path: '/api/forms/:formId',
    tags: ['visits'],
    summary:
      'Delete a form opened by mistake (no value or missing-data code ever entered), with a reason (audited). Refused (400, with the rule) when it holds values, is signed or locked, has a query or was reviewed.',
    params: z.object({ formId: id }),
    querystring: z.object({ version: z.coerce.number().int().min(0).max(2_147_483_647), reason }).strict(),
    response: { 204: noContent },
  }),
  saveForm: route({
    method: 'PUT',
    path: '/api/visits/:visitId/forms/:formCode',
    tags: ['visits'],
    summary:
      'Save item values (or missing-data codes ND/NK/NA where the item allows them) of a form (all or none). Changing a saved value needs its version and a reason. A repeating form holds records 1, 2, … at a visit: ?record=N saves record N (a new N opens that record); any other form only record 1 (422, rule form-not-repeating).',
    params: z.object({ visitId: id, formCode: code }),
    querystring: z
      .object({
        record: z.coerce
          .number()
          .int()
          .min(1)
          .max(10_000)
          .optional()
          .describe("the form's record at the visit (default 1); above 1 only for a repeating form"),
      })
      .strict(),
    body: z
      .object({
        items: z
          .array(
            z
              .object({
                itemCode: code,
                value: z.string().max(2000).nullable(),
                unit: z.string().trim().min(1).max(40).nullable().optional(),
                missingCode: missingCode
                  .nullable()
                  .optional()
                  .describe(
                    'ND/NK/NA in place of the value (value null), where the item definition allows it',
                  ),
                version: version.optional(),
              })
              .strict(),
          )
          .min(1)
          .max(500),
        reason: reason.optional(),
      })
      .strict(),
    response: { 200: form },
  }),
  setFormStatus: route({
    method: 'POST',
    path: '/api/forms/:formId/status',
    tags: ['visits'],
    summary: `Mark complete, sign (investigator, password re-entered) or unlock (reason) a form. Signature meaning: "${SIGNATURE_MEANING}"`,
    params: z.object({ formId: id }),
    body: z
      .object({
        version,
        status: z.enum(['incomplete', 'complete', 'signed']),
        password: z.string().max(1000).optional(),
        reason: reason.optional(),
      })
      .strict(),
    response: { 200: formState },
  }),
};
