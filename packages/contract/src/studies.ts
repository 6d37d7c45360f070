import { z } from 'zod';
import { code, id, reason, shortText, version } from './common.js';
import { route } from './route.js';

export const study = z.object({
  id: z.string(),
  code: z.string(),
  title: z.string(),
  status: z.string(),
  /** The study definition as stored: a full StudyDefinition for defined studies, `{}` for ad-hoc ones. */
  definition: z.unknown(),
  version: z.number(),
  /** The number of the definition's current version (every amendment adds one; issue #20). */
  definitionVersion: z.number(),
});
export const site = z.object({ id: z.string(), studyId: z.string(), code: z.string(), name: z.string() });

export const studyParams = z.object({ studyId: id });

/** One change of a definition amendment (core protocol/amendment-report.ts `DefinitionChange`). */
export const definitionChange = z.object({
  kind: z.enum(['added', 'removed', 'narrowed', 'widened', 'changed']),
  target: z.string(),
  visitCode: z.string().optional(),
  formCode: z.string().optional(),
  itemCode: z.string().optional(),
  detail: z.string().optional(),
  message: z.string(),
});

/** A stored value the amendment makes invalid (kept: nothing is deleted). */
export const invalidStoredValue = z.object({
  subjectCode: z.string(),
  visitCode: z.string(),
  cycle: z.number(),
  formCode: z.string(),
  itemCode: z.string(),
  value: z.string().nullable(),
  unit: z.string().nullable(),
  rule: z.string(),
  message: z.string(),
});

export const amendmentReport = z.object({
  added: z.array(definitionChange),
  removed: z.array(definitionChange),
  narrowed: z.array(definitionChange),
  changed: z.array(definitionChange),
  invalidValues: z.array(invalidStoredValue),
  invalidValuesTotal: z.number(),
  alreadyInvalid: z.number(),
  valuesChecked: z.number(),
});

export const amendmentResult = z.object({
  /** false: a dry run, nothing stored. */
  applied: z.boolean(),
  /** The study's version after the call (an apply must name the version it read). */
  studyVersion: z.number(),
  fromVersion: z.number(),
  toVersion: z.number(),
  report: amendmentReport,
});

export const definitionVersion = z.object({
  version: z.number(),
  createdAt: z.string(),
  createdByName: z.string(),
  reason: z.string().nullable(),
  definitionSha256: z.string(),
  current: z.boolean(),
});

export const studyRoutes = {
  listStudies: route({
    method: 'GET',
    path: '/api/studies',
    tags: ['studies'],
    summary: 'Studies the user has a role in',
    response: { 200: z.array(study) },
  }),
  createStudy: route({
    method: 'POST',
    path: '/api/studies',
    tags: ['studies'],
    summary: 'Create a study',
    body: z
      .object({ code, title: shortText, definition: z.record(z.string(), z.unknown()).optional() })
      .strict(),
    response: { 201: study },
  }),
  getStudy: route({
    method: 'GET',
    path: '/api/studies/:studyId',
    tags: ['studies'],
    summary: 'One study',
    params: studyParams,
    response: { 200: study },
  }),
  amendDefinition: route({
    method: 'POST',
    path: '/api/studies/:studyId/definition/amendments',
    tags: ['studies'],
    summary:
      'Check a protocol amendment (a new definition version) against the stored data; without dryRun, apply it with a reason',
    params: studyParams,
    body: z
      .object({
        definition: z.record(z.string(), z.unknown()),
        /** The study's version the amendment is based on (a stale one answers 409). */
        version,
        /** Why the protocol is amended: required to apply. */
        reason: reason.optional(),
        /** Only report: validate and compare, store nothing. */
        dryRun: z.boolean().optional(),
      })
      .strict(),
    response: { 200: amendmentResult },
  }),
  listDefinitionVersions: route({
    method: 'GET',
    path: '/api/studies/:studyId/definition/versions',
    tags: ['studies'],
    summary: "Versions of a study's definition: who stored each, when and why",
    params: studyParams,
    response: { 200: z.array(definitionVersion) },
  }),
  listSites: route({
    method: 'GET',
    path: '/api/studies/:studyId/sites',
    tags: ['studies'],
    summary: 'Sites (centres) of a study visible to the user',
    params: studyParams,
    response: { 200: z.array(site) },
  }),
  createSite: route({
    method: 'POST',
    path: '/api/studies/:studyId/sites',
    tags: ['studies'],
    summary: 'Add a site (centre) to a study',
    params: studyParams,
    body: z.object({ code, name: shortText }).strict(),
    response: { 201: site },
  }),
};
