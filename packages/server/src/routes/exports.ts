// Export jobs over HTTP (issue 22): start an export of a study (ODM, SDTM zip, CSV long or wide with
// its dictionary, analysis results), follow its progress, download its files when done. Starting
// needs 'study.export' in the study (admins, monitors, statisticians); the job is pseudonymised
// (pseudonyms, no free text, study days instead of dates) for a requester who may not see
// identities, and bounded to the sites where the requester may export. A job and its files belong
// to its requester: only they (while they may still export in the study) or an admin see and
// download it; anyone else in the study gets 403, anyone outside it 404. Every download is audited.
import { createReadStream } from 'node:fs';
import { type ExportFilters, type ExportFormat, routes } from '@msct/contract';
import { loadMetadata } from '@msct/exchange';
import {
  createExportJob,
  type ExportJob,
  getExportJob,
  listExportJobs,
  recordExportDownload,
} from '@msct/store';
import type { FastifyRequest } from 'fastify';
import { armRevealingFilter, isBlinded } from '../access/blinding.js';
import { enforce, principalOf } from '../access/guard.js';
import { decide, isAdmin, seesIdentifiers, sitesFor } from '../access/policy.js';
import { studyDefinition } from '../clinical/study-definition.js';
import type { ExportJobs } from '../exports/export-jobs.js';
import { schemaOf } from '../http/contract.js';
import { HttpProblem, notFoundProblem } from '../http/problem.js';
import type { App, RouteContext } from '../http/types.js';

/** Which filters each format can apply (the ODM and SDTM writers and the analysis read whole forms and visits). */
const FILTERS: Record<ExportFormat, readonly (keyof ExportFilters)[]> = {
  'csv-long': ['siteIds', 'formCodes', 'visitCodes'],
  'csv-wide': ['siteIds', 'formCodes', 'visitCodes'],
  odm: ['siteIds'],
  analysis: ['siteIds'],
  sdtm: [],
};

const invalid = (field: string, message: string) =>
  new HttpProblem('MSCT_E_VALIDATION', message, { errors: [{ field, rule: 'invalid', message }] });

export function registerExportRoutes(app: App, { db }: RouteContext, jobs: ExportJobs) {
  async function view(job: ExportJob) {
    return {
      id: job.id,
      studyId: job.study_id,
      format: job.format as ExportFormat,
      filters: JSON.parse(job.filters_json) as ExportFilters,
      pseudonymised: job.pseudonymised === 1,
      status: job.status as 'queued' | 'running' | 'done' | 'failed',
      progress: Number(job.progress),
      requestedBy: job.requested_by_name,
      createdAt: job.created_at,
      startedAt: job.started_at,
      finishedAt: job.finished_at,
      error: job.error,
      files: (await jobs.files(job)).map(({ part, name, bytes }) => ({ part, name, bytes })),
    };
  }

  /** The job if the user may see it (its requester, still allowed to export there, or an admin). */
  async function visibleJob(req: FastifyRequest, jobId: string): Promise<ExportJob> {
    const p = principalOf(req);
    const job = await getExportJob(db, jobId).catch(() => undefined);
    if (!job) throw notFoundProblem('export job');
    if (isAdmin(p)) return job;
    if (job.requested_by === p.userId && decide(p, 'study.export', { studyId: job.study_id }) === 'allow')
      return job;
    // Outside the user's studies a job does not exist; inside, it is someone else's.
    if (decide(p, 'study.read', { studyId: job.study_id }) === 'hidden') throw notFoundProblem('export job');
    throw new HttpProblem(
      'MSCT_E_FORBIDDEN',
      'this export job is not yours: only the user who started it, or an admin, may see it and its files',
      { action: 'study.export' },
    );
  }

  app.post('/api/studies/:studyId/exports', { schema: schemaOf(routes.createExport) }, async (req, reply) => {
    const { studyId } = req.params;
    const { format, filters } = req.body;
    const p = enforce(req, 'study.export', { studyId }, 'study');
    // The job's answer holds no subject data, only its own times: not date-shifted.
    req.deid = undefined;
    const { definition } = await studyDefinition(db, studyId);
    // ODM, SDTM and CSV jobs for a blinded role leave the arm-revealing forms and items out
    // (export-jobs.ts); a CSV job that asks for such a form by name is refused, naming it.
    const revealing = armRevealingFilter(p, studyId, definition);
    filters.formCodes?.forEach((f, i) => {
      if (!revealing.form(f))
        throw new HttpProblem(
          'MSCT_E_FORBIDDEN',
          `your role is blinded in this study and the form ${f} reveals the arm (study definition, randomisation.armRevealing): leave it out of the export`,
          {
            rule: 'blinding',
            errors: [
              {
                field: `body.filters.formCodes.${i}`,
                rule: 'blinding',
                message: `form ${f} reveals the arm`,
              },
            ],
          },
        );
    });
    // The job writes the whole analysis, whose results by arm a blinded role may not read (the
    // analysis route leaves them out for it; the job runs later, without the requester's roles).
    if (format === 'analysis' && definition.arms?.length && isBlinded(p, studyId, definition))
      throw new HttpProblem(
        'MSCT_E_FORBIDDEN',
        'your role is blinded in this study and the analysis export holds the results by arm: read the pooled results on the Analysis page',
        { rule: 'blinding' },
      );
    for (const key of Object.keys(filters) as (keyof ExportFilters)[])
      if (filters[key] && !FILTERS[format].includes(key))
        throw invalid(
          `body.filters.${key}`,
          `the ${format} export cannot be filtered by ${key === 'siteIds' ? 'site' : key === 'formCodes' ? 'form' : 'visit'}${FILTERS[format].length ? ` (it can by ${FILTERS[format].map((k) => k.replace('Ids', '').replace('Codes', '')).join(', ')})` : ''}`,
        );
    const sites = await db.kysely.selectFrom('sites').select('id').where('study_id', '=', studyId).execute();
    const studySites = new Set(sites.map((s) => s.id));
    const allowed = sitesFor(p, 'study.export', studyId);
    for (const s of filters.siteIds ?? []) {
      if (!studySites.has(s)) throw invalid('body.filters.siteIds', `site ${s} is not a site of this study`);
      if (allowed && !allowed.includes(s))
        throw new HttpProblem('MSCT_E_FORBIDDEN', `you may not export the data of site ${s}`, {
          action: 'study.export',
        });
    }
    // A site-scoped requester's export holds their sites only.
    const siteIds = filters.siteIds ?? allowed;
    if (format === 'sdtm' && allowed)
      throw new HttpProblem(
        'MSCT_E_FORBIDDEN',
        'the SDTM export holds every site; your role may export some sites only: choose CSV or ODM',
        { action: 'study.export' },
      );
    const meta = await loadMetadata(db, studyId);
    for (const f of filters.formCodes ?? [])
      if (!meta.forms.has(f))
        throw invalid(
          'body.filters.formCodes',
          `form ${f} is not a form of this study with item definitions`,
        );
    const visits = new Set(meta.visits.map((v) => v.code));
    for (const v of filters.visitCodes ?? [])
      if (!visits.has(v)) throw invalid('body.filters.visitCodes', `visit ${v} is not a visit of this study`);
    const job = await createExportJob(
      db,
      { id: p.userId, name: p.username },
      {
        studyId,
        format,
        filters: {
          ...(siteIds ? { siteIds } : {}),
          ...(filters.formCodes ? { formCodes: filters.formCodes } : {}),
          ...(filters.visitCodes ? { visitCodes: filters.visitCodes } : {}),
        },
        pseudonymised: !seesIdentifiers(p, studyId),
      },
    );
    jobs.submit(job.id);
    return reply.code(202).send(await view(job));
  });

  app.get('/api/exports', { schema: schemaOf(routes.listExports) }, async (req) => {
    const p = principalOf(req);
    const rows = await listExportJobs(db, {
      requestedBy: p.userId,
      ...(req.query.studyId ? { studyId: req.query.studyId } : {}),
    });
    return { jobs: await Promise.all(rows.map(view)) };
  });

  app.get('/api/exports/:jobId', { schema: schemaOf(routes.getExport) }, async (req) =>
    view(await visibleJob(req, req.params.jobId)),
  );

  app.get('/api/exports/:jobId/file', { schema: schemaOf(routes.exportFile) }, async (req, reply) => {
    const p = principalOf(req);
    const job = await visibleJob(req, req.params.jobId);
    if (job.status !== 'done')
      throw new HttpProblem(
        'MSCT_E_CONFLICT',
        job.status === 'failed'
          ? `the export failed (${job.error ?? 'no reason recorded'}): start it again`
          : `the export is ${job.status} (${job.progress}%): download it when it is done`,
        { status: job.status },
      );
    const file = (await jobs.files(job)).find((f) => f.part === req.query.part);
    if (!file) throw notFoundProblem(`the ${req.query.part} file of this export`);
    await recordExportDownload(db, { id: p.userId, name: p.username }, job, file);
    return (
      reply
        // One media type for every format (the file's name says what it is): the browser saves it.
        .type('application/octet-stream')
        .header('content-disposition', `attachment; filename="${file.name}"`)
        .header('content-length', String(file.bytes))
        .send(createReadStream(file.path))
    );
  });
}
