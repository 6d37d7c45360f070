// The monitor's out-of-range lab list (issue #22 "Labs"): every lab value of a study outside its
// reference range (core/crf/lab-flags.ts, ranges from the study definition), at the sites the
// reader may see, with its flag, range and the investigator's CS/NCS answer; as JSON and as CSV.
import { LAB_FLAGS } from '@msct/core/crf';
import { z } from 'zod';
import { id } from './common.js';
import { document, route } from './route.js';
import { studyParams } from './studies.js';

/** Out-of-range flags only: a listing of normal values is no monitor's list. */
export const OUT_OF_RANGE_FLAGS = LAB_FLAGS.filter((f) => f !== 'N') as ['LL', 'L', 'H', 'HH'];
/** CS, NCS, or `unanswered` (neither answer nor missing-data code yet). */
export const LAB_SIGNIFICANCE_FILTERS = ['CS', 'NCS', 'unanswered'] as const;

export const labFlagQuery = z
  .object({
    siteId: id.optional(),
    /** The subject's code (a pseudonym for roles shown pseudonyms), exact. */
    subject: z.string().trim().min(1).max(100).optional(),
    /** A lab item code, e.g. 'platelets'. */
    lab: z.string().trim().min(1).max(100).optional(),
    flag: z.enum(OUT_OF_RANGE_FLAGS).optional(),
    significance: z.enum(LAB_SIGNIFICANCE_FILTERS).optional(),
  })
  .strict();

/**
 * The JSON list comes a page at a time (issue 16: no request materialises a trial's lab values); the
 * counts are over every matching value. The CSV (same filters) is the whole list, streamed.
 */
export const labFlagPageQuery = labFlagQuery
  .extend({
    offset: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(500),
  })
  .strict();

export const outOfRangeLab = z.object({
  subjectId: id,
  /** The subject code, or the pseudonym for roles shown pseudonyms. */
  subjectCode: z.string(),
  siteId: id,
  siteCode: z.string(),
  visitId: id,
  visitCode: z.string(),
  formId: id,
  formCode: z.string(),
  formStatus: z.string(),
  /** Calendar dates: null for roles shown no calendar dates. */
  visitDate: z.string().nullable(),
  sampleDate: z.string().nullable(),
  sampleTime: z.string().nullable(),
  itemCode: z.string(),
  itemLabel: z.string(),
  value: z.number(),
  unit: z.string().nullable(),
  flag: z.enum(OUT_OF_RANGE_FLAGS),
  flagLabel: z.string(),
  /** The unit the limits are in: the value's own, or the one it was converted to (core lab-flags.ts). */
  rangeUnit: z.string(),
  /** The value in `rangeUnit` when the range is in another unit than the value's; else null. */
  valueInRangeUnit: z.number().nullable(),
  low: z.number().nullable(),
  high: z.number().nullable(),
  criticalLow: z.number().nullable(),
  criticalHigh: z.number().nullable(),
  /** "site" (the site laboratory's range) or "protocol" (the protocol default). */
  rangeOrigin: z.enum(['site', 'protocol']),
  rangeSource: z.string().nullable(),
  /** CS / NCS, a missing-data code (ND/NK/NA), or null while unanswered. */
  significance: z.string().nullable(),
});

export const labRoutes = {
  listOutOfRangeLabs: route({
    method: 'GET',
    path: '/api/studies/:studyId/out-of-range-labs',
    tags: ['labs'],
    summary:
      'Out-of-range lab values across the study (filters: site, subject, lab, flag, CS/NCS), with their ranges and significance',
    params: studyParams,
    querystring: labFlagPageQuery,
    response: {
      200: z.object({
        counts: z.object({
          total: z.number(),
          byFlag: z.record(z.string(), z.number()),
          unanswered: z.number(),
        }),
        /** The labs that have a reference range, for the filter. */
        labs: z.array(z.object({ code: z.string(), label: z.string() })),
        /** One page of the matching values, in site, subject and visit order. */
        rows: z.array(outOfRangeLab),
        offset: z.number(),
        limit: z.number(),
      }),
    },
  }),
  outOfRangeLabsCsv: route({
    method: 'GET',
    path: '/api/studies/:studyId/out-of-range-labs.csv',
    tags: ['labs'],
    summary: 'The out-of-range lab list as CSV (same filters)',
    params: studyParams,
    querystring: labFlagQuery,
    response: { 200: document },
    produces: 'text/csv',
  }),
};
