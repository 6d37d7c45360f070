// The analysis plan's results (analysis-plan.md R1–R12). The patient listing is patient data and is
// declared field by field; the statistics (core/analysis/types.ts) are typed from the core.
import type { AnalysisResults } from '@msct/core/analysis';
import { z } from 'zod';
import { computing, snapshot } from './clinical.js';
import { document, route } from './route.js';
import { studyParams } from './studies.js';

const computed = <T>(what: string) => z.custom<T>(() => true).describe(what);

export const patientListingRow = z.object({
  subjectId: z.string(),
  subject: z.string(),
  site: z.string(),
  lupusNephritis: z.boolean().nullable(),
  age: z.number().nullable(),
  diseaseDurationMonths: z.number().nullable(),
  baselineSledai: z.number().nullable(),
  baselineBilag: z.number().nullable(),
  bestResponse: z.enum(['MCR', 'PCR', 'NR', 'pending']),
  label: z.string(),
  firstResponseMonth: z.number().nullable(),
  firstResponseDay: z.number().nullable(),
  relapseVisit: z.string().nullable(),
  relapseDay: z.number().nullable(),
  reResponseMonth: z.number().nullable(),
  retreatmentVisit: z.string().nullable(),
  deathDay: z.number().nullable(),
  deathCause: z.string().nullable(),
  lastContactDay: z.number().nullable(),
  infusionDays: z.array(z.number()),
  sledai: z.record(z.string(), z.number().nullable()),
  imputation: z.string().nullable(),
  summary: z.string(),
  problems: z.array(z.string()),
});

export const analysisResults = z.object({
  study: z.object({ id: z.string(), code: z.string(), title: z.string() }),
  snapshot,
  software: z
    .object({
      name: z.literal('msct'),
      version: z.string(),
      commit: z.string().nullable(),
      uncommittedChanges: z.boolean().nullable(),
      contentHash: z.string(),
    })
    .optional(),
  definitions: computed<AnalysisResults['definitions']>('rule set, populations and measures used'),
  populations: z.object({
    screened: z.number(),
    enrolled: z.number(),
    responders: z.number(),
    lupusNephritis: z.number(),
  }),
  safety: computed<AnalysisResults['safety']>('R12 safety tables'),
  response: computed<AnalysisResults['response']>('R1–R2 response rates'),
  relapse: computed<AnalysisResults['relapse']>('R3 relapse'),
  survival: computed<AnalysisResults['survival']>('R4 survival'),
  measures: computed<AnalysisResults['measures']>('R5–R11, one entry per measure and population'),
  listing: z.array(patientListingRow),
  notes: z.array(z.string()),
  byArm: computed<NonNullable<AnalysisResults['byArm']>>(
    'randomised study only, not for a blinded role: CONSORT flow, baseline, endpoints and survival by arm',
  ).optional(),
});

export const analysisRoutes = {
  analysis: route({
    method: 'GET',
    path: '/api/studies/:studyId/analysis',
    tags: ['analysis'],
    summary: 'The analysis plan’s results (analysis-plan.md R1–R12), recomputed from the item-level data',
    params: studyParams,
    response: { 200: analysisResults, 202: computing },
  }),
  analysisReport: route({
    method: 'GET',
    path: '/api/studies/:studyId/analysis/report.html',
    tags: ['analysis'],
    summary: 'The analysis report as one self-contained HTML document',
    params: studyParams,
    response: { 200: document },
    produces: 'text/html',
  }),
};
