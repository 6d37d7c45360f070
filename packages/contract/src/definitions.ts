// A study created from a definition file of another system (REDCap data dictionary, ODM metadata)
// or msct's own JSON, and a study's definition exported for review (issue #20 "Build without code").
import { z } from 'zod';
import { code, shortText } from './common.js';
import { document, route } from './route.js';
import { study, studyParams } from './studies.js';

/** A construct of the source file the definition does not hold as the source meant it. */
export const unmappedConstruct = z.object({
  /** CSV line (header = 1) or the ODM element. */
  row: z.union([z.number(), z.string()]),
  field: z.string(),
  what: z.string(),
  why: z.string(),
  /** `unmapped`: left out. `approximated`: kept, not exactly as in the source. */
  kind: z.enum(['unmapped', 'approximated']),
});
export type UnmappedConstructBody = z.infer<typeof unmappedConstruct>;

/** Largest definition file, events or mapping CSV a request may carry, in characters. */
export const DEFINITION_FILE_LIMIT = 5_000_000;
const FILE_LIMIT = DEFINITION_FILE_LIMIT;

export const definitionFileReport = z.object({
  dryRun: z.boolean(),
  /** Whether the (converted) definition passes validateStudyDefinition. */
  valid: z.boolean(),
  /** Its problems, one line each (`centres: is required`). */
  problems: z.array(z.string()),
  unmapped: z.array(unmappedConstruct),
  /** The study created; null on a dry run. */
  study: study.nullable(),
});
export type DefinitionFileReport = z.infer<typeof definitionFileReport>;

export const definitionRoutes = {
  createStudyFromFile: route({
    method: 'POST',
    path: '/api/studies/from-file',
    tags: ['studies'],
    summary:
      'Create a study from a definition file: msct JSON, a REDCap data dictionary (with its events and instrument-event mapping CSVs) or ODM 1.3.2 metadata, with a study frame for what the file cannot say; dryRun reports the problems and the unmapped constructs without creating',
    body: z
      .object({
        format: z.enum(['msct', 'redcap', 'odm']),
        file: z.string().min(1, 'must not be empty').max(FILE_LIMIT),
        events: z.string().max(FILE_LIMIT).optional(),
        instrumentEvents: z.string().max(FILE_LIMIT).optional(),
        frame: z.record(z.string(), z.unknown()).optional(),
        /** Default: the definition's id. */
        code: code.optional(),
        /** Default: the definition's title. */
        title: shortText.optional(),
        dryRun: z.boolean().optional(),
      })
      .strict(),
    response: { 200: definitionFileReport, 201: definitionFileReport },
  }),
  exportDefinitionOdm: route({
    method: 'GET',
    path: '/api/studies/:studyId/definition.odm.xml',
    tags: ['studies'],
    summary: "The study's definition as CDISC ODM 1.3.2 metadata (no clinical data)",
    params: studyParams,
    response: { 200: document },
    produces: 'application/xml',
  }),
  exportDefinitionCsv: route({
    method: 'GET',
    path: '/api/studies/:studyId/definition.csv',
    tags: ['studies'],
    summary: "The study's data dictionary as CSV (one row per item)",
    params: studyParams,
    response: { 200: document },
    produces: 'text/csv',
  }),
  exportDefinitionHtml: route({
    method: 'GET',
    path: '/api/studies/:studyId/definition.html',
    tags: ['studies'],
    summary: "The study's data dictionary as an HTML page",
    params: studyParams,
    response: { 200: document },
    produces: 'text/html',
  }),
};
