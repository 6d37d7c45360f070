// Data exchange over HTTP: the ODM export and the CSV/ODM imports. The import report is declared
// here once; exchange/src/import-check.ts builds it and the web app shows it.
import { z } from 'zod';
import { id } from './common.js';
import { document, fileBody, route } from './route.js';
import { studyParams } from './studies.js';

/** One problem of an imported file: where it is and which rule it breaks. */
export const importProblem = z.object({
  /** Row of the file (CSV: line, header = 1; ODM: the n-th ItemData). */
  row: z.number(),
  /** Column name (CSV) or the ODM path of the value. */
  column: z.string(),
  rule: z.string(),
  message: z.string(),
});

/** What an import (or its dry run) found and did. */
export const importReport = z.object({
  dryRun: z.boolean(),
  /** Whether anything was written. */
  written: z.boolean(),
  rows: z.number(),
  values: z.number(),
  invalidRows: z.number(),
  problems: z.array(importProblem),
  /** Problems beyond the listed ones (the list is capped to keep memory bounded). */
  problemsNotListed: z.number(),
  entered: z.number(),
  changed: z.number(),
  unchanged: z.number(),
  visitsCreated: z.number(),
  formsCreated: z.number(),
});
export type ImportReport = z.infer<typeof importReport>;
export type ImportProblem = z.infer<typeof importProblem>;

export const recordCounts = z.object({ entered: z.number(), changed: z.number(), unchanged: z.number() });
export const odmImportReport = importReport.extend({
  /** Subjects of the file that the study did not have (created with the file's subject key). */
  subjectsCreated: z.number(),
  infusions: recordCounts,
  adverseEvents: recordCounts,
  /** ItemData left out on purpose (items the mapping does not map, with skipUnmapped), each with why. */
  skipped: z.array(importProblem),
  skippedNotListed: z.number(),
  /** Values whose unit was converted to one the item accepts (core convertUnit). */
  unitsConverted: z.number(),
  /**
   * Units dropped from the values of items that take none, once per item and unit (the rule the
   * definition conversion applied to the item: exchange odm-units.ts itemUnitRule), with why.
   */
  unitsDropped: z.array(
    z.object({ item: z.string(), unit: z.string(), values: z.number(), why: z.string() }),
  ),
  /** Sites the import created (createSites). */
  sitesCreated: z.number(),
  /**
   * Every ItemData of the file, accounted for once (the counts add up to itemData): imported;
   * withheld (valid, but a dry run or an import refused as a whole); superseded (an earlier version
   * of a value the file gives again); skipped (each in `skipped` with why); refused (each in
   * `problems` with its rule).
   */
  accounting: z.object({
    itemData: z.number(),
    imported: z.number(),
    withheld: z.number(),
    superseded: z.number(),
    skipped: z.number(),
    refused: z.number(),
  }),
});
export type OdmImportReport = z.infer<typeof odmImportReport>;

/** The report of a FHIR R4 lab import (issue #23): the CSV/ODM report, with every Observation accounted for. */
export const fhirImportReport = importReport.extend({
  /** Observations left out on purpose (not a result, no value, a code no item maps, a repeat), each with why. */
  skipped: z.array(importProblem),
  skippedNotListed: z.number(),
  /** Values whose unit was converted to one the item accepts (core convertUnit). */
  unitsConverted: z.number(),
  /** Every Observation once: imported, withheld (valid, not written), skipped, refused; they add up. */
  accounting: z.object({
    observations: z.number(),
    imported: z.number(),
    withheld: z.number(),
    skipped: z.number(),
    refused: z.number(),
  }),
  /** The Bundle's other resources by type (Patients and Encounters give context; the rest is not read). */
  otherResources: z.record(z.string(), z.number()),
});
export type FhirImportReport = z.infer<typeof fhirImportReport>;

const flag = z
  .enum(['true', 'false'])
  .optional()
  .transform((v) => v === 'true');
const importReason = z.string().trim().min(1).max(500).optional();

/** The formats an export job writes (issue 22). */
export const EXPORT_FORMATS = ['odm', 'sdtm', 'csv-long', 'csv-wide', 'analysis'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** The files of a job: the export itself, and for CSV its dictionary and (wide) the import mapping. */
export const EXPORT_PARTS = ['data', 'dictionary', 'mapping'] as const;

/** Which data an export holds: sites, forms and visits (absent: all of them the user may read). */
export const exportFilters = z
  .object({
    siteIds: z.array(id).max(500).optional(),
    formCodes: z.array(z.string().trim().min(1).max(100)).max(500).optional(),
    visitCodes: z.array(z.string().trim().min(1).max(100)).max(500).optional(),
  })
  .strict();
export type ExportFilters = z.infer<typeof exportFilters>;

export const exportJob = z.object({
  id,
  studyId: id,
  format: z.enum(EXPORT_FORMATS),
  filters: exportFilters,
  /** Pseudonyms and study days: the requester may not see identities. */
  pseudonymised: z.boolean(),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  /** 0–100. */
  progress: z.number(),
  requestedBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** Why the job failed. */
  error: z.string().nullable(),
  /** The files to download once done. */
  files: z.array(z.object({ part: z.enum(EXPORT_PARTS), name: z.string(), bytes: z.number() })),
});
export type ExportJob = z.infer<typeof exportJob>;
const jobParams = z.object({ jobId: id });

export const exchangeRoutes = {
  createExport: route({
    method: 'POST',
    path: '/api/studies/:studyId/exports',
    tags: ['exchange'],
    summary:
      'Start an export job (ODM 1.3.2, SDTM domains with Define-XML as a zip, CSV long or wide with its data dictionary, analysis results.json), filtered by site/form/visit; pseudonymised with study days for roles that may not see identities',
    params: studyParams,
    body: z.object({ format: z.enum(EXPORT_FORMATS), filters: exportFilters.default({}) }).strict(),
    response: { 202: exportJob },
  }),
  listExports: route({
    method: 'GET',
    path: '/api/exports',
    tags: ['exchange'],
    summary: 'My export jobs, newest first (optionally of one study)',
    querystring: z.object({ studyId: id.optional() }).strict(),
    response: { 200: z.object({ jobs: z.array(exportJob) }) },
  }),
  getExport: route({
    method: 'GET',
    path: '/api/exports/:jobId',
    tags: ['exchange'],
    summary: 'An export job: status, progress, files (the requester or an admin)',
    params: jobParams,
    response: { 200: exportJob },
  }),
  exportFile: route({
    method: 'GET',
    path: '/api/exports/:jobId/file',
    tags: ['exchange'],
    summary:
      'Download a finished export (part: data, its dictionary, or the wide CSV import mapping); the requester or an admin; audited',
    params: jobParams,
    querystring: z.object({ part: z.enum(EXPORT_PARTS).default('data') }).strict(),
    response: { 200: document },
    produces: 'application/octet-stream',
  }),
  exportOdm: route({
    method: 'GET',
    path: '/api/studies/:studyId/export.odm.xml',
    tags: ['exchange'],
    summary: 'The study as CDISC ODM 1.3.2 XML (pseudonymised, with study days for dates, for statisticians)',
    params: studyParams,
    querystring: z.object({ shiftDates: z.enum(['study-day']).optional() }).strict(),
    response: { 200: document },
    produces: 'application/xml',
  }),
  importCsv: route({
    method: 'POST',
    path: '/api/studies/:studyId/import.csv',
    tags: ['exchange'],
    summary:
      'Import item values from CSV (long: subject,visit,form,item,value,unit; wide: one row per subject-visit with a mapping); dryRun lists every problem without writing',
    params: z.object({ studyId: id }),
    querystring: z
      .object({
        format: z.enum(['long', 'wide']).default('long'),
        dryRun: flag,
        skipInvalid: flag,
        reason: importReason,
        mapping: z.string().max(100_000).optional(),
      })
      .strict(),
    body: fileBody,
    consumes: ['text/csv', 'application/csv'],
    response: { 200: importReport },
  }),
  importOdm: route({
    method: 'POST',
    path: '/api/studies/:studyId/import.odm',
    tags: ['exchange'],
    summary:
      'Import a CDISC ODM 1.3.2 file (msct’s own export, or another system’s with oidMap: ItemOID → form.item, StudyEventOID → visit, or mapping: the wide CSV mapping format with ItemOIDs as columns and StudyEventOIDs as visits, sites and defaultSite; mapByMetadata maps the file onto the study its own metadata became); createSubjects creates the subjects the study lacks with the file’s subject key as code, createSites (admins) the sites; skipUnmapped leaves out and lists the items neither maps; dryRun lists every problem without writing; the report accounts for every ItemData',
    params: z.object({ studyId: id }),
    querystring: z
      .object({
        dryRun: flag,
        skipInvalid: flag,
        skipUnmapped: flag,
        createSubjects: flag,
        createSites: flag,
        mapByMetadata: flag,
        reason: importReason,
        oidMap: z.string().max(100_000).optional(),
        mapping: z.string().max(100_000).optional(),
      })
      .strict(),
    body: fileBody,
    consumes: ['application/xml', 'text/xml', 'application/vnd.cdisc.odm+xml'],
    response: { 200: odmImportReport },
  }),
  importFhir: route({
    method: 'POST',
    path: '/api/studies/:studyId/import.fhir',
    tags: ['exchange'],
    summary:
      'Import lab results from a FHIR R4 Bundle (collection, transaction or searchset) of Observations: LOINC codes mapped to form items by the definition (or mapping: loinc, encounters, subjectSystem), UCUM units converted by the core, each Observation’s visit by its date within the visit windows or its mapped encounter; validated against the FHIR R4 definitions; skipUnmapped leaves out and lists Observations no item maps; dryRun lists every problem without writing; the report accounts for every Observation',
    params: z.object({ studyId: id }),
    querystring: z
      .object({
        dryRun: flag,
        skipInvalid: flag,
        skipUnmapped: flag,
        reason: importReason,
        mapping: z.string().max(100_000).optional(),
      })
      .strict(),
    body: fileBody,
    consumes: ['application/fhir+json'],
    response: { 200: fhirImportReport },
  }),
};
