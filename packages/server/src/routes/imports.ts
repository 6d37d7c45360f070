// POST /api/studies/:studyId/import.csv: the CSV import (long or REDCap-like wide) over HTTP, so a
// data manager can load a site's data from the browser or a script, not only from the server's shell.
// The body (text/csv) is streamed to a private temporary file, never held in memory, then checked
// and written exactly as `msct import` does: every problem listed with its row, column and rule, and
// nothing written unless the whole file is valid (or `skipInvalid`). `dryRun` checks only.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { enforce } from '../access/guard.js';
import { importCsv, type WideMapping } from '../exchange/csv-import.js';
import { HttpProblem } from '../http/problem.js';
import { id } from '../http/schemas.js';
import type { App, RouteContext } from '../http/types.js';

/** The largest CSV accepted over HTTP: a million values in long format is about 35 MB. */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024;

const flag = z
  .enum(['true', 'false'])
  .optional()
  .transform((v) => v === 'true');

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

const problemSchema = z.object({
  row: z.number(),
  column: z.string(),
  rule: z.string(),
  message: z.string(),
});
const reportSchema = z.object({
  dryRun: z.boolean(),
  written: z.boolean(),
  rows: z.number(),
  values: z.number(),
  invalidRows: z.number(),
  problems: z.array(problemSchema),
  problemsNotListed: z.number(),
  entered: z.number(),
  changed: z.number(),
  unchanged: z.number(),
  visitsCreated: z.number(),
  formsCreated: z.number(),
});

/** Parses the `mapping` query parameter (JSON), naming what is wrong with it. */
export function parseMapping(text: string | undefined): WideMapping | undefined {
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HttpProblem('MSCT_E_VALIDATION', 'mapping is not valid JSON', {
      errors: [{ field: 'mapping', rule: 'json', message: 'mapping must be a JSON object' }],
    });
  }
  const parsed = mappingSchema.safeParse(json);
  if (!parsed.success)
    throw new HttpProblem('MSCT_E_VALIDATION', 'mapping does not have the expected shape', {
      errors: parsed.error.issues.map((i) => ({
        field: ['mapping', ...i.path.map(String)].join('.'),
        rule: i.code,
        message: i.message,
      })),
    });
  return parsed.data as WideMapping;
}

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
        schema: {
          tags: ['exchange'],
          summary:
            'Import item values from CSV (long: subject,visit,form,item,value,unit; wide: one row per subject-visit with a mapping); dryRun lists every problem without writing',
          params: z.object({ studyId: id }),
          querystring: z
            .object({
              format: z.enum(['long', 'wide']).default('long'),
              dryRun: flag,
              skipInvalid: flag,
              reason: z.string().trim().min(1).max(500).optional(),
              mapping: z.string().max(100_000).optional(),
            })
            .strict(),
          response: { 200: reportSchema },
        },
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
        const dir = await mkdtemp(join(tmpdir(), 'msct-import-'));
        try {
          const file = join(dir, 'upload.csv');
          await spool(req.body, file, MAX_IMPORT_BYTES);
          const report = await importCsv(db, studyId, file, {
            format,
            actor: { id: p.userId, name: p.username },
            ...(mapping ? { mapping } : {}),
            dryRun,
            skipInvalid,
            ...(reason ? { reason } : {}),
          });
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
      },
    );
  });
}
