// Export jobs (issue 22): an export asked for in the app runs here, in the server process, at most
// `concurrency` at a time (the rest wait in order), and writes its files under the data directory:
// `<dataDir>/exports/<jobId>/`, the directory 0700 and every file 0600 (only the server's user reads
// them; the API hands them to the requester or an admin). The job row (store export-jobs.ts) holds
// everything a job needs (study, format, effective filters, pseudonymised or not), so a job runs the
// same whoever asks about it later. A server that stops leaves no job "running": at start-up every
// unfinished job is marked failed (its files may be incomplete) and its directory removed.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ExportFilters, ExportFormat } from '@msct/contract';
import {
  csvDictionary,
  csvDictionaryText,
  exportCsv,
  exportOdm,
  exportSdtm,
  loadMetadata,
  wideMappingFromDictionary,
} from '@msct/exchange';
import {
  type Actor,
  type Db,
  type ExportJob,
  failExportJob,
  failUnfinishedExportJobs,
  finishExportJob,
  getExportJob,
  getStudy,
  listExportJobs,
  listRoles,
  setExportProgress,
  startExportJob,
} from '@msct/store';
import { exportBlinding } from '../access/blinding.js';
import type { DerivedStudyCache } from '../clinical/derived-study.js';
import { studyDefinition } from '../clinical/study-definition.js';
import { deidentifyDates } from '../deid/date-shift.js';
import { withSoftware } from '../report/software-version.js';
import { zipDirectory } from './zip.js';

export type ExportPart = 'data' | 'dictionary' | 'mapping';

/** The files a job writes, by part: the export, and for CSV its dictionary and (wide) the mapping. */
export function jobFileNames(
  job: Pick<ExportJob, 'format' | 'pseudonymised'>,
  studyCode: string,
): { data: string; dictionary?: string; mapping?: string } {
  const base = `${studyCode}${job.pseudonymised ? '-deid' : ''}`;
  const format = job.format as ExportFormat;
  switch (format) {
    case 'odm':
      return { data: `${base}.odm.xml` };
    case 'sdtm':
      return { data: `${base}-sdtm.zip` };
    case 'analysis':
      return { data: `${base}-results.json` };
    case 'csv-long':
      return { data: `${base}-long.csv`, dictionary: `${base}-long-dictionary.csv` };
    case 'csv-wide':
      return {
        data: `${base}-wide.csv`,
        dictionary: `${base}-wide-dictionary.csv`,
        // A pseudonymised file has no subject codes and no dates: it cannot be imported.
        ...(job.pseudonymised ? {} : { mapping: `${base}-wide-mapping.json` }),
      };
  }
}

export class ExportJobs {
  private readonly queue: string[] = [];
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly db: Db,
    /** `<dataDir>/exports` */
    readonly root: string,
    private readonly derived: DerivedStudyCache,
    private readonly concurrency = 2,
  ) {}

  /** At start-up: jobs a stopped server left unfinished are failed and their files removed. */
  async recover(): Promise<number> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    await chmod(this.root, 0o700);
    const open = (await listExportJobs(this.db, { limit: 100_000 })).filter(
      (j) => j.status === 'queued' || j.status === 'running',
    );
    const n = await failUnfinishedExportJobs(this.db, { id: null, name: 'system' });
    for (const j of open) await rm(this.dirOf(j.id), { recursive: true, force: true });
    return n;
  }

  dirOf(jobId: string): string {
    return join(this.root, jobId);
  }

  /** The finished files of a job, with their sizes. */
  async files(job: ExportJob): Promise<{ part: ExportPart; name: string; path: string; bytes: number }[]> {
    if (job.status !== 'done' || !job.file_path) return [];
    const study = await getStudy(this.db, job.study_id);
    const names = jobFileNames(job, study.code);
    const out = [];
    for (const [part, name] of Object.entries(names) as [ExportPart, string][]) {
      const path = join(job.file_path, name);
      const s = await stat(path).catch(() => undefined);
      if (s) out.push({ part, name, path, bytes: s.size });
    }
    return out;
  }

  submit(jobId: string): void {
    if (this.closed) return;
    this.queue.push(jobId);
    this.pump();
  }

  /** Stops taking jobs and waits for the running ones. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await Promise.allSettled([...this.running]);
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.concurrency && this.queue.length > 0) {
      const id = this.queue.shift()!;
      const p: Promise<void> = this.run(id).finally(() => {
        this.running.delete(p);
        this.pump();
      });
      this.running.add(p);
    }
  }

  private async run(id: string): Promise<void> {
    const job = await getExportJob(this.db, id);
    const actor: Actor = { id: job.requested_by, name: job.requested_by_name };
    const dir = this.dirOf(id);
    try {
      await startExportJob(this.db, id);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const main = await this.write(job, dir);
      const sha256 = createHash('sha256');
      await pipeline(createReadStream(join(dir, main)), sha256);
      const s = await stat(join(dir, main));
      await finishExportJob(this.db, actor, id, {
        path: dir,
        name: main,
        bytes: s.size,
        sha256: sha256.digest('hex'),
      });
    } catch (e) {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      const why = e instanceof Error ? e.message : String(e);
      await failExportJob(this.db, actor, id, why.slice(0, 2000)).catch(() => undefined);
    }
  }

  /** Writes the job's files into `dir`; returns the name of the main one. */
  private async write(job: ExportJob, dir: string): Promise<string> {
    const filters = JSON.parse(job.filters_json) as ExportFilters;
    const pseudonymise = job.pseudonymised === 1;
    const study = await getStudy(this.db, job.study_id);
    const names = jobFileNames(job, study.code);
    let progress = Promise.resolve();
    const onProgress = (done: number, total: number) => {
      progress = progress.then(() => setExportProgress(this.db, job.id, total ? (99 * done) / total : 99));
    };
    const file = (name: string) => createWriteStream(join(dir, name), { mode: 0o600 });
    const ended = (out: ReturnType<typeof file>) =>
      new Promise<void>((resolve, reject) => {
        out.on('error', reject);
        out.end(resolve);
      });
    const format = job.format as ExportFormat;
    // A job for a role the study blinds (its requester's roles now) is blinded (issue 24).
    const blind = exportBlinding(
      { assignments: await listRoles(this.db, job.requested_by) },
      job.study_id,
      (await studyDefinition(this.db, job.study_id)).definition,
    );
    switch (format) {
      case 'csv-long':
      case 'csv-wide': {
        const opts = {
          layout: format === 'csv-long' ? ('long' as const) : ('wide' as const),
          pseudonymise,
          ...(filters.siteIds ? { siteIds: filters.siteIds } : {}),
          ...(filters.formCodes ? { formCodes: filters.formCodes } : {}),
          ...(filters.visitCodes ? { visitCodes: filters.visitCodes } : {}),
          ...(blind ? { blind } : {}),
          onProgress,
        };
        const out = file(names.data);
        await exportCsv(this.db, job.study_id, out, opts);
        await ended(out);
        const dictionary = csvDictionaryText(
          csvDictionary(await loadMetadata(this.db, job.study_id), opts),
          opts,
        );
        const d = file(names.dictionary!);
        d.write(dictionary);
        await ended(d);
        if (names.mapping) {
          const m = file(names.mapping);
          m.write(`${JSON.stringify(await wideMappingFromDictionary(dictionary), null, 2)}\n`);
          await ended(m);
        }
        break;
      }
      case 'odm': {
        const out = file(names.data);
        await exportOdm(this.db, job.study_id, out, {
          pseudonymise,
          ...(pseudonymise ? { shiftDates: 'study-day' as const } : {}),
          ...(filters.siteIds ? { siteIds: filters.siteIds } : {}),
          ...(blind ? { blind } : {}),
          onProgress,
        });
        await ended(out);
        break;
      }
      case 'sdtm': {
        const parts = join(dir, 'sdtm');
        await mkdir(parts, { mode: 0o700 });
        await exportSdtm(this.db, job.study_id, parts, {
          ...(pseudonymise ? { pseudonymise, shiftDates: 'study-day' as const } : {}),
          ...(blind ? { blind } : {}),
        });
        for (const f of await readdir(parts)) await chmod(join(parts, f), 0o600);
        await zipDirectory(parts, join(dir, names.data));
        await rm(parts, { recursive: true, force: true });
        break;
      }
      case 'analysis': {
        const selection = await this.derived.select(job.study_id, {
          pseudonymise,
          siteIds: filters.siteIds,
        });
        const computed = withSoftware(selection.analysis());
        // As the analysis route answers a reader without identifiers: dates shifted per subject.
        const results = pseudonymise
          ? await deidentifyDates(this.db, computed, { studyId: job.study_id })
          : computed;
        const out = file(names.data);
        out.write(JSON.stringify(results, null, 2));
        await ended(out);
        break;
      }
    }
    await progress;
    return names.data;
  }
}
