// POST /api/studies/:studyId/import.csv and …/import.odm: the CSV import (long or REDCap-like wide)
// and the CDISC ODM import over HTTP, so a data manager can load a site's data from the browser or a
// script, not only from the server's shell. The body is streamed to a private temporary file, never
// held in memory, then checked and written exactly as `msct import` does: every problem listed with
// its row (ODM: ItemData ordinal), column (ODM: path) and rule, and nothing written unless the whole
// file is valid (or `skipInvalid`). `dryRun` checks only.
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { routes } from '@msct/contract';
import {
  DefinitionFileError,
  type ImportReport,
  importCsv,
  importFhir,
  importOdm,
  odmMetadataMapping,
  resolveFhirMapping,
  resolveOdmMapping,
  type WideMapping,
} from '@msct/exchange';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { enforce } from '../access/guard.js';
import { schemaOf } from '../http/contract.js';
import { HttpProblem } from '../http/problem.js';
import type { App, RouteContext } from '../http/types.js';

/**
 * The largest file accepted over HTTP (spooled to disk, never to memory): a million values are
 * about 35 MB as a long CSV and 380 MB as ODM with its audit records.
 */
export const MAX_IMPORT_BYTES = 1024 * 1024 * 1024;

const mappingSchema = z
  .object({
    subject: z.string().optional(),
    visit: z.string().optional(),
    cycle: z.string().optional(),
    visitDate: z.string().optional(),
    visits: z.record(z.string(), z.string()).optional(),
    columns: z.record(
      z.string(),
      z.union([z.string(), z.object({ item: z.string(), unit: z.string().optional() }).strict()]),
    ),
  })
  .strict();

const oidMapSchema = z.record(z.string(), z.string());

/** Parses a JSON query parameter against its schema, naming the parameter and what is wrong. */
function parseJsonParam<T>(name: string, text: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HttpProblem('MSCT_E_VALIDATION', `${name} is not valid JSON`, {
      errors: [{ field: name, rule: 'json', message: `${name} must be a JSON object` }],
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new HttpProblem('MSCT_E_VALIDATION', `${name} does not have the expected shape`, {
      errors: parsed.error.issues.map((i) => ({
        field: [name, ...i.path.map(String)].join('.'),
        rule: i.code,
        message: i.message,
      })),
    });
  return parsed.data;
}

/** Parses the `mapping` query parameter (JSON) of a wide CSV. */
export const parseMapping = (text: string | undefined): WideMapping | undefined =>
  parseJsonParam('mapping', text, mappingSchema) as WideMapping | undefined;

/** Copies the request body to `file`, refusing more than `limit` bytes. */
async function spool(body: Readable, file: string, limit: number): Promise<number> {
  const out = createWriteStream(file, { mode: 0o600 });
  let bytes = 0;
  try {
    for await (const chunk of body) {
      bytes += (chunk as Buffer).length;
      if (bytes > limit)
        throw new HttpProblem('MSCT_E_PAYLOAD_TOO_LARGE', `the file is larger than ${limit} bytes`);
      if (!out.write(chunk)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return bytes;
}

export function registerImportRoutes(app: App, { db }: RouteContext) {
  app.register(async (plugin) => {
    const scoped = plugin.withTypeProvider<ZodTypeProvider>();
    // text/csv bodies reach the handler as a stream (the JSON body limit does not apply to them;
    // MAX_IMPORT_BYTES does). Scoped, so every other route still accepts JSON only.
    scoped.addContentTypeParser(['text/csv', 'application/csv'], (_req, payload, done) =>
      done(null, payload),
    );
    scoped.post(
      '/api/studies/:studyId/import.csv',
      {
        schema: schemaOf(routes.importCsv),
      },
      async (req) => {
        const { studyId } = req.params;
        const p = enforce(req, 'data.import', { studyId }, 'study');
        const { format, dryRun, skipInvalid, reason } = req.query;
        if (!(req.body instanceof Readable))
          throw new HttpProblem('MSCT_E_UNSUPPORTED_MEDIA', 'send the file as text/csv');
        const mapping = parseMapping(req.query.mapping);
        if (format === 'wide' && !mapping)
          throw new HttpProblem('MSCT_E_VALIDATION', 'a wide file needs a mapping', {
            errors: [{ field: 'mapping', rule: 'required', message: 'give the column → form.item mapping' }],
          });
        return fromUpload(req.body, dryRun, (file) =>
          importCsv(db, studyId, file, {
            format,
            actor: { id: p.userId, name: p.username },
            ...(mapping ? { mapping } : {}),
            dryRun,
            skipInvalid,
            ...(reason ? { reason } : {}),
          }),
        );
      },
    );

    scoped.addContentTypeParser(
      ['application/xml', 'text/xml', 'application/vnd.cdisc.odm+xml'],
      (_req, payload, done) => done(null, payload),
    );
    scoped.post(
      '/api/studies/:studyId/import.odm',
      {
        schema: schemaOf(routes.importOdm),
      },
      async (req) => {
        const { studyId } = req.params;
        const p = enforce(req, 'data.import', { studyId }, 'study');
        if (!(req.body instanceof Readable))
          throw new HttpProblem('MSCT_E_UNSUPPORTED_MEDIA', 'send the file as application/xml');
        const { dryRun, skipInvalid, skipUnmapped, createSubjects, createSites, mapByMetadata, reason } =
          req.query;
        // Subjects are created as at entry; sites only by those who may set up the study (the admin's consent).
        if (createSubjects) enforce(req, 'subject.create', { studyId }, 'study');
        if (createSites) enforce(req, 'study.manage', { studyId }, 'study');
        const flat = parseJsonParam('oidMap', req.query.oidMap, oidMapSchema);
        // The mapping file of the CLI's --mapping (odm-mapping.ts), checked whole before the upload.
        const mapping =
          req.query.mapping === undefined
            ? undefined
            : resolveOdmMapping(parseJsonParam('mapping', req.query.mapping, z.unknown()));
        if (mapping && !mapping.ok)
          throw new HttpProblem('MSCT_E_VALIDATION', 'mapping does not have the expected shape', {
            errors: mapping.problems.map((q) => ({
              field: `mapping.${q.column}`,
              rule: q.rule,
              message: q.message,
            })),
          });
        const m = mapping?.ok ? mapping.value : undefined;
        return fromUpload(req.body, dryRun, async (file) => {
          // The file's data onto the study its own metadata became; oidMap and mapping win per OID.
          const byMetadata = mapByMetadata ? await odmMetadataMappingOf(file) : undefined;
          const oidMap = byMetadata || flat || m ? { ...byMetadata, ...flat, ...m?.oidMap } : undefined;
          return importOdm(db, studyId, () => createReadStream(file), {
            actor: { id: p.userId, name: p.username },
            ...(oidMap ? { oidMap } : {}),
            ...(m ? { itemUnits: m.itemUnits, sites: m.sites } : {}),
            ...(m?.defaultSite ? { defaultSite: m.defaultSite } : {}),
            createSubjects,
            createSites,
            dryRun,
            skipInvalid,
            skipUnmapped,
            ...(reason ? { reason } : {}),
          });
        });
      },
    );

    // FHIR JSON (application/fhir+json, http://hl7.org/fhir/R4/http.html#mime-type) streams to the
    // spool like the other imports; the Bundle is read whole once spooled (fhir-import.ts).
    scoped.addContentTypeParser('application/fhir+json', (_req, payload, done) => done(null, payload));
    scoped.post(
      '/api/studies/:studyId/import.fhir',
      {
        schema: schemaOf(routes.importFhir),
      },
      async (req) => {
        const { studyId } = req.params;
        const p = enforce(req, 'data.import', { studyId }, 'study');
        if (!(req.body instanceof Readable))
          throw new HttpProblem('MSCT_E_UNSUPPORTED_MEDIA', 'send the Bundle as application/fhir+json');
        const { dryRun, skipInvalid, skipUnmapped, reason } = req.query;
        // The mapping file of the CLI's --mapping (fhir-mapping.ts), checked whole before the upload.
        const mapping =
          req.query.mapping === undefined
            ? undefined
            : resolveFhirMapping(parseJsonParam('mapping', req.query.mapping, z.unknown()));
        if (mapping && !mapping.ok)
          throw new HttpProblem('MSCT_E_VALIDATION', 'mapping does not have the expected shape', {
            errors: mapping.problems.map((q) => ({
              field: `mapping.${q.column}`,
              rule: q.rule,
              message: q.message,
            })),
          });
        return fromUpload(req.body, dryRun, async (file) =>
          importFhir(db, studyId, await readFile(file), {
            actor: { id: p.userId, name: p.username },
            ...(mapping?.ok ? { mapping: mapping.value } : {}),
            dryRun,
            skipInvalid,
            skipUnmapped,
            ...(reason ? { reason } : {}),
          }),
        );
      },
    );
  });
}

/** The OID map of the uploaded file's own metadata (mapByMetadata); a file without any is refused. */
async function odmMetadataMappingOf(file: string): Promise<Record<string, string>> {
  try {
    return await odmMetadataMapping(await readFile(file));
  } catch (e) {
    if (!(e instanceof DefinitionFileError)) throw e;
    throw new HttpProblem('MSCT_E_VALIDATION', `mapByMetadata: ${e.message}`, {
      errors: [{ field: 'mapByMetadata', rule: 'metadata', message: e.message }],
    });
  }
}

/**
 * Spools an upload to a private temporary file, runs the import on it and removes it. A file with
 * invalid rows (not a dry run) answers 422 with the whole report: nothing was written.
 */
async function fromUpload<R extends ImportReport>(
  body: Readable,
  dryRun: boolean,
  run: (file: string) => Promise<R>,
): Promise<R> {
  const dir = await mkdtemp(join(tmpdir(), 'msct-import-'));
  try {
    const file = join(dir, 'upload');
    await spool(body, file, MAX_IMPORT_BYTES);
    const report = await run(file);
    if (!report.written && !dryRun)
      throw new HttpProblem(
        'MSCT_E_IMPORT_INVALID',
        `${report.invalidRows} of ${report.rows} rows are invalid: nothing was written`,
        { report },
      );
    return report;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
