import { AE_OUTCOMES, EXPECTEDNESS, INFUSION_STATUSES, RELATEDNESS, SERIOUSNESS } from '@msct/core/safety';
import { z } from 'zod';
import { id, isoDate, reason, shortText, version } from './common.js';
import { route } from './route.js';
import { subjectParams } from './subjects.js';

export const infusionFields = {
  cycle: z.number().int().min(1).max(20),
  infusionNumber: z.number().int().min(1).max(10),
  plannedDate: isoDate.nullable().optional(),
  startedAt: z.iso.datetime().nullable().optional(),
  endedAt: z.iso.datetime().nullable().optional(),
  productLot: z.string().trim().min(1).max(60).nullable().optional(),
  totalCells: z.number().positive().max(1e12).nullable().optional(),
  viabilityPct: z.number().min(0).max(100).nullable().optional(),
  volumeMl: z.number().positive().max(5000).nullable().optional(),
  weightKg: z.number().positive().max(400).nullable().optional(),
  vitals: z.record(z.string(), z.unknown()).nullable().optional(),
  reactions: z.string().max(2000).nullable().optional(),
  status: z.enum(INFUSION_STATUSES).optional(),
};

// The AE and infusion vocabulary is declared once, in core (safety/vocabulary.ts); the web app
// reads it from here with the routes that use it.
export { AE_OUTCOMES, EXPECTEDNESS, INFUSION_STATUSES, RELATEDNESS, SERIOUSNESS };

export const aeFields = {
  term: shortText,
  onsetDate: isoDate,
  resolutionDate: isoDate.nullable().optional(),
  ctcaeGrade: z.number().int().min(1).max(5).nullable().optional(),
  seriousness: z.array(z.enum(SERIOUSNESS)).max(6).optional(),
  relatedness: z.enum(RELATEDNESS),
  actionTaken: z.string().max(500).nullable().optional(),
  outcome: z.enum(AE_OUTCOMES).nullable().optional(),
  infusionId: id.nullable().optional(),
  deathDate: isoDate.nullable().optional(),
  deathCause: z.string().max(500).nullable().optional(),
  // SAE detail the site records (migration 010): the dates the reporting clock runs on, the narrative.
  seriousDate: isoDate.nullable().optional(),
  siteAwareAt: z.iso.datetime().nullable().optional(),
  sponsorNotifiedAt: z.iso.datetime().nullable().optional(),
  narrative: z.string().max(10_000).nullable().optional(),
};

/** The sponsor's assessment of an SAE: causality, expectedness and when the expedited report went. */
export const sponsorAssessmentFields = {
  sponsorRelatedness: z.enum(RELATEDNESS).nullable().optional(),
  expectedness: z.enum(EXPECTEDNESS).nullable().optional(),
  reportedDate: isoDate.nullable().optional(),
};

/** An infusion record with the protocol's checks (core/protocol/infusion.ts). */
export const infusion = z.object({
  id: z.string(),
  subjectId: z.string(),
  cycle: z.number(),
  infusionNumber: z.number(),
  plannedDate: z.string().nullable(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  productLot: z.string().nullable(),
  totalCells: z.number().nullable(),
  viabilityPct: z.number().nullable(),
  volumeMl: z.number().nullable(),
  weightKg: z.number().nullable(),
  cellsPerKg: z.number().nullable(),
  vitals: z.unknown().nullable(),
  reactions: z.string().nullable(),
  status: z.enum(INFUSION_STATUSES),
  version: z.number(),
  /** The protocol's dose check (±10 % of the planned cells/kg), when cells and weight are known. */
  doseCheck: z
    .object({
      plannedCellsPerKg: z.number(),
      actualCellsPerKg: z.number().nullable(),
      relativeDeviation: z.number().nullable(),
      tolerance: z.number(),
      flagged: z.boolean(),
      message: z.string(),
    })
    .nullable(),
  /** The release criterion (viability ≥ 90 %), when viability is known. */
  viabilityCheck: z
    .object({
      viabilityPercent: z.number(),
      minViabilityPercent: z.number(),
      released: z.boolean(),
      message: z.string(),
    })
    .nullable(),
});

export const adverseEvent = z.object({
  id: z.string(),
  subjectId: z.string(),
  term: z.string(),
  onsetDate: z.string(),
  resolutionDate: z.string().nullable(),
  ctcaeGrade: z.number().nullable(),
  serious: z.boolean(),
  seriousness: z.array(z.string()),
  relatedness: z.string(),
  actionTaken: z.string().nullable(),
  outcome: z.string().nullable(),
  infusionId: z.string().nullable(),
  deathDate: z.string().nullable(),
  deathCause: z.string().nullable(),
  seriousDate: z.string().nullable(),
  siteAwareAt: z.string().nullable(),
  sponsorNotifiedAt: z.string().nullable(),
  reportedDate: z.string().nullable(),
  narrative: z.string().nullable(),
  sponsorRelatedness: z.string().nullable(),
  expectedness: z.string().nullable(),
  version: z.number(),
});

const clockState = z.enum(['not_applicable', 'pending', 'on_time', 'due', 'overdue', 'late']);
/** The expedited-reporting clock (core/safety/expedited-reporting.ts). */
export const saeClock = z.object({
  serious: z.boolean(),
  related: z.boolean(),
  expectednessAssumed: z.boolean(),
  expedited: z.boolean(),
  deadlineDays: z.number().nullable(),
  reportDueDate: z.string().nullable(),
  report: clockState,
  daysLeft: z.number().nullable(),
  siteNoticeDueAt: z.string().nullable(),
  siteNotice: clockState,
  overdue: z.boolean(),
  reasons: z.array(z.string()),
});

/** An AE in the study-wide listing: where it sits and its reporting clock. */
export const listedAdverseEvent = adverseEvent.extend({
  subjectCode: z.string(),
  siteId: z.string(),
  siteCode: z.string(),
  clock: saeClock,
});

export const aeFollowUp = z.object({
  id: z.string(),
  adverseEventId: z.string(),
  entryDate: z.string(),
  text: z.string(),
  authorName: z.string(),
  createdAt: z.string(),
});

/** Filters of the study-wide listing: "related" = possible, probable or definite (endpoints.md). */
export const AE_SERIOUSNESS_FILTERS = ['serious', 'non_serious', ...SERIOUSNESS] as const;
export const AE_RELATEDNESS_FILTERS = ['related', 'unrelated', ...RELATEDNESS] as const;
const aeListQuery = z
  .object({
    seriousness: z.enum(AE_SERIOUSNESS_FILTERS).optional(),
    grade: z.coerce.number().int().min(1).max(5).optional(),
    relatedness: z.enum(AE_RELATEDNESS_FILTERS).optional(),
    siteId: id.optional(),
    term: z.string().trim().min(1).max(200).optional(),
    outcome: z.enum([...AE_OUTCOMES, 'none']).optional(),
    onsetFrom: isoDate.optional(),
    onsetTo: isoDate.optional(),
    overdue: z.enum(['yes']).optional(),
    /** The listing comes a page at a time (issue 16); its counts are over every matching event. */
    offset: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

export const safetyRoutes = {
  listInfusions: route({
    method: 'GET',
    path: '/api/subjects/:subjectId/infusions',
    tags: ['infusions'],
    summary: "A subject's infusions",
    params: subjectParams,
    response: { 200: z.array(infusion) },
  }),
  createInfusion: route({
    method: 'POST',
    path: '/api/subjects/:subjectId/infusions',
    tags: ['infusions'],
    summary: 'Record an infusion',
    params: subjectParams,
    body: z.object(infusionFields).strict(),
    response: { 201: infusion },
  }),
  updateInfusion: route({
    method: 'PATCH',
    path: '/api/infusions/:infusionId',
    tags: ['infusions'],
    summary: 'Change an infusion record (version and reason)',
    params: z.object({ infusionId: id }),
    body: z.object(infusionFields).partial().extend({ version, reason }).strict(),
    response: { 200: infusion },
  }),
  listAdverseEvents: route({
    method: 'GET',
    path: '/api/subjects/:subjectId/adverse-events',
    tags: ['adverse events'],
    summary: "A subject's adverse events",
    params: subjectParams,
    response: { 200: z.array(adverseEvent) },
  }),
  createAdverseEvent: route({
    method: 'POST',
    path: '/api/subjects/:subjectId/adverse-events',
    tags: ['adverse events'],
    summary: 'Report an adverse event',
    params: subjectParams,
    body: z.object(aeFields).strict(),
    response: { 201: adverseEvent },
  }),
  updateAdverseEvent: route({
    method: 'PATCH',
    path: '/api/adverse-events/:aeId',
    tags: ['adverse events'],
    summary: 'Change an adverse event (version and reason)',
    params: z.object({ aeId: id }),
    body: z.object(aeFields).partial().extend({ version, reason }).strict(),
    response: { 200: adverseEvent },
  }),
  listStudyAdverseEvents: route({
    method: 'GET',
    path: '/api/studies/:studyId/adverse-events',
    tags: ['adverse events'],
    summary: 'Study-wide AE/SAE listing with filters, counts and each SAE reporting clock',
    params: z.object({ studyId: id }),
    querystring: aeListQuery,
    response: {
      200: z.object({
        /** Counts over the filtered events. */
        counts: z.object({
          total: z.number(),
          serious: z.number(),
          related: z.number(),
          fatal: z.number(),
          overdue: z.number(),
          byGrade: z.record(z.string(), z.number()),
        }),
        /** One page of the matching events, latest onset first. */
        events: z.array(listedAdverseEvent),
        offset: z.number().int(),
        limit: z.number().int(),
      }),
    },
  }),
  getAdverseEvent: route({
    method: 'GET',
    path: '/api/adverse-events/:aeId',
    tags: ['adverse events'],
    summary: 'One adverse event with its follow-ups and reporting clock (the SAE detail)',
    params: z.object({ aeId: id }),
    response: {
      200: listedAdverseEvent.extend({
        followUps: z.array(aeFollowUp),
        /** Where the subject's death records disagree (core/safety/death-records.ts); empty = consistent. */
        deathRecordConflicts: z.array(z.object({ rule: z.string(), message: z.string() })),
      }),
    },
  }),
  addAdverseEventFollowUp: route({
    method: 'POST',
    path: '/api/adverse-events/:aeId/follow-ups',
    tags: ['adverse events'],
    summary: 'Append a dated follow-up entry to an adverse event',
    params: z.object({ aeId: id }),
    body: z.object({ entryDate: isoDate, text: z.string().trim().min(1).max(5000) }).strict(),
    response: { 201: aeFollowUp },
  }),
  assessAdverseEvent: route({
    method: 'PATCH',
    path: '/api/adverse-events/:aeId/sponsor-assessment',
    tags: ['adverse events'],
    summary: "The sponsor's assessment of an SAE: causality, expectedness, report date (version and reason)",
    params: z.object({ aeId: id }),
    body: z.object(sponsorAssessmentFields).extend({ version, reason }).strict(),
    response: { 200: adverseEvent },
  }),
};
