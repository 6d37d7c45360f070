// Export jobs (issue 22, migration 015): an export asked for in the app runs in the server process
// and writes a file under the data directory. The request, the outcome (done with the file's size and
// SHA-256, or failed with why) and every download are audited (entity type 'export'); the progress
// figure alone is written without an audit event (it says how far a job is, not what the data are).
import { type Actor, writeTransaction } from '../audit/writer.js';
import type { Db } from '../database.js';
import { notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { ExportJobTable } from '../schema.js';

export type ExportJob = ExportJobTable;

export interface ExportJobRequest {
  studyId: string;
  format: string;
  filters: Record<string, unknown>;
  pseudonymised: boolean;
}

/** Records a requested export (status queued). The actor is the requester. */
export async function createExportJob(db: Db, actor: Actor, input: ExportJobRequest): Promise<ExportJob> {
  if (!actor.id) throw new Error('an export job is requested by a user');
  const requester = actor.id;
  return writeTransaction(db, actor, async (tx, audit) => {
    const row: ExportJob = {
      id: newId(),
      study_id: input.studyId,
      format: input.format,
      filters_json: JSON.stringify(input.filters),
      pseudonymised: input.pseudonymised ? 1 : 0,
      status: 'queued',
      progress: 0,
      file_path: null,
      file_name: null,
      bytes: null,
      sha256: null,
      requested_by: requester,
      requested_by_name: actor.name,
      created_at: audit.now,
      started_at: null,
      finished_at: null,
      error: null,
    };
    await tx.insertInto('export_jobs').values(row).execute();
    await audit.record({
      action: 'export.request',
      entityType: 'export',
      entityId: row.id,
      studyId: input.studyId,
      newValue: JSON.stringify({
        format: input.format,
        filters: input.filters,
        pseudonymised: input.pseudonymised,
      }),
    });
    return row;
  });
}

export async function getExportJob(db: Db, id: string): Promise<ExportJob> {
  const row = await db.kysely.selectFrom('export_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('export job', id);
  return row;
}

/** A user's jobs (or everyone's: `requestedBy` undefined), newest first. */
export async function listExportJobs(
  db: Db,
  opts: { requestedBy?: string; studyId?: string; limit?: number } = {},
): Promise<ExportJob[]> {
  let q = db.kysely
    .selectFrom('export_jobs')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit ?? 50);
  if (opts.requestedBy) q = q.where('requested_by', '=', opts.requestedBy);
  if (opts.studyId) q = q.where('study_id', '=', opts.studyId);
  return q.execute();
}

/** Marks a queued job running. */
export async function startExportJob(db: Db, id: string): Promise<void> {
  await db.kysely
    .updateTable('export_jobs')
    .set({ status: 'running', started_at: new Date().toISOString(), progress: 0 })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .execute();
}

/** How far a running job is, 0–100. */
export async function setExportProgress(db: Db, id: string, progress: number): Promise<void> {
  await db.kysely
    .updateTable('export_jobs')
    .set({ progress: Math.max(0, Math.min(100, Math.round(progress))) })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .execute();
}

/** A job that wrote its file: done, with the file's place, name, size and SHA-256 (audited). */
export async function finishExportJob(
  db: Db,
  actor: Actor,
  id: string,
  file: { path: string; name: string; bytes: number; sha256: string },
): Promise<void> {
  await writeTransaction(db, actor, async (tx, audit) => {
    const job = await tx.selectFrom('export_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!job) throw notFound('export job', id);
    await tx
      .updateTable('export_jobs')
      .set({
        status: 'done',
        progress: 100,
        file_path: file.path,
        file_name: file.name,
        bytes: file.bytes,
        sha256: file.sha256,
        finished_at: audit.now,
      })
      .where('id', '=', id)
      .execute();
    await audit.record({
      action: 'export.finish',
      entityType: 'export',
      entityId: id,
      studyId: job.study_id,
      oldValue: job.status,
      newValue: JSON.stringify({ status: 'done', file: file.name, bytes: file.bytes, sha256: file.sha256 }),
    });
  });
}

/** A job that failed, with why (audited). */
export async function failExportJob(db: Db, actor: Actor, id: string, error: string): Promise<void> {
  await writeTransaction(db, actor, async (tx, audit) => {
    const job = await tx.selectFrom('export_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!job) throw notFound('export job', id);
    await tx
      .updateTable('export_jobs')
      .set({ status: 'failed', error, finished_at: audit.now })
      .where('id', '=', id)
      .execute();
    await audit.record({
      action: 'export.fail',
      entityType: 'export',
      entityId: id,
      studyId: job.study_id,
      oldValue: job.status,
      newValue: 'failed',
      reason: error,
    });
  });
}

/**
 * Jobs left queued or running by a server that stopped: marked failed (their files, if any, are
 * incomplete). Returns how many. Run at start-up, before any job is started.
 */
export async function failUnfinishedExportJobs(db: Db, actor: Actor): Promise<number> {
  const open = await db.kysely
    .selectFrom('export_jobs')
    .select('id')
    .where('status', 'in', ['queued', 'running'])
    .execute();
  for (const j of open)
    await failExportJob(db, actor, j.id, 'the server stopped before the export finished: start it again');
  return open.length;
}

/** Records a download of a job's file (audited: who fetched which file). */
export async function recordExportDownload(
  db: Db,
  actor: Actor,
  job: ExportJob,
  file: { name: string; bytes: number },
): Promise<void> {
  await writeTransaction(db, actor, async (_tx, audit) => {
    await audit.record({
      action: 'export.download',
      entityType: 'export',
      entityId: job.id,
      studyId: job.study_id,
      newValue: JSON.stringify({ file: file.name, bytes: file.bytes }),
    });
  });
}
