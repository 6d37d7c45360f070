// Export jobs over the real server, on both dialects (issue 22): who may start one, the job's
// progress and files, pseudonymised files for the statistician (no subject code, no date), the wide
// CSV with its dictionary and mapping re-imported unchanged by an admin, files 0600 under the data
// directory, only the requester or an admin sees a job (403 for others in the study), downloads audited, filters checked, and a
// restart fails the jobs it left unfinished.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExportJob } from '@msct/contract';
import { msctSleTrial } from '@msct/core/protocol';
import { databaseFingerprint } from '@msct/exchange/testing';
import {
  createExportJob,
  createSubject,
  createVisit,
  getExportJob,
  saveItems,
  startExportJob,
} from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DerivedStudyCache } from '../clinical/derived-study.js';
import { ExportJobs } from '../exports/export-jobs.js';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  type TestServer,
  type TestTrial,
} from '../testing/test-server.js';

for (const dialect of TEST_DIALECTS)
  describe(`export jobs on ${dialect}`, () => {
    let server: TestServer;
    let trial: TestTrial;
    let dataDir: string;
    const codes: string[] = [];
    let values = 0;

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'msct-exports-test-'));
      server = await startTestServer(dialect, { dataDir });
      trial = await createTestTrial(server.db, { definition: msctSleTrial });
      const actor = { id: trial.users.admin!.id, name: 'admin' };
      for (const [n, siteId] of [trial.siteA, trial.siteB, trial.siteA].entries()) {
        const s = await createSubject(server.db, actor, { studyId: trial.studyId, siteId });
        codes.push(s.subject_code);
        for (const [visitCode, date] of [
          ['M1', '2024-02-10'],
          ['M3', '2024-04-10'],
        ] as const) {
          const v = await createVisit(server.db, actor, { subjectId: s.id, visitCode, visitDate: date });
          await saveItems(server.db, actor, {
            visitId: v.id,
            formCode: 'labs',
            items: [
              { itemCode: 'creatinine', value: String(80 + n), unit: 'µmol/L' },
              { itemCode: 'c3', value: '0.62', unit: 'g/L' },
            ],
          });
          values += 2;
        }
      }
    }, 60_000);
    afterAll(async () => {
      await server?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    async function as(username: string) {
      const c = new ApiClient(server.baseUrl);
      expect((await c.login(username)).status).toBe(200);
      return c;
    }
    const start = (c: ApiClient, body: unknown) =>
      c.post<ExportJob>(`/api/studies/${trial.studyId}/exports`, body);
    async function finished(c: ApiClient, id: string): Promise<ExportJob> {
      for (let i = 0; i < 200; i++) {
        const r = await c.get<ExportJob>(`/api/exports/${id}`);
        expect(r.status).toBe(200);
        if (r.body.status === 'done' || r.body.status === 'failed') return r.body;
        await new Promise((ok) => setTimeout(ok, 50));
      }
      throw new Error('the job did not finish');
    }
    const download = (c: ApiClient, id: string, part = 'data') =>
      c.get<string>(`/api/exports/${id}/file?part=${part}`);

    it('the statistician gets a pseudonymised wide CSV with its dictionary: no subject code, no date', async () => {
      const stat = await as('statistician');
      const r = await start(stat, { format: 'csv-wide' });
      expect(r.status).toBe(202);
      expect(r.body).toMatchObject({ format: 'csv-wide', pseudonymised: true, requestedBy: 'statistician' });
      const job = await finished(stat, r.body.id);
      expect(job.status).toBe('done');
      expect(job.progress).toBe(100);
      expect(job.files.map((f) => f.part)).toEqual(['data', 'dictionary']);
      const data = await download(stat, job.id);
      expect(data.status).toBe(200);
      expect(data.headers.get('content-type')).toBe('application/octet-stream');
      expect(data.headers.get('content-disposition')).toMatch(/-deid-wide\.csv"$/);
      const text = String(data.body);
      for (const code of codes) expect(text).not.toContain(code);
      expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
      expect(text.split('\r\n')[0]).toContain('study_day');
      const dict = String((await download(stat, job.id, 'dictionary')).body);
      expect(dict).toContain('labs.creatinine,labs,creatinine');
      expect((await download(stat, job.id, 'mapping')).status).toBe(404);
      // The job's times are not shifted (they are no subject's data).
      expect(Date.parse(job.createdAt)).toBeGreaterThan(Date.now() - 600_000);
    });

    it('an admin exports the wide CSV with dictionary and mapping and re-imports it unchanged', async () => {
      const admin = await as('admin');
      const r = await start(admin, { format: 'csv-wide' });
      const job = await finished(admin, r.body.id);
      expect(job.status).toBe('done');
      expect(job.pseudonymised).toBe(false);
      expect(job.files.map((f) => f.part)).toEqual(['data', 'dictionary', 'mapping']);
      const data = String((await download(admin, job.id)).body);
      expect(data.split('\r\n').filter(Boolean).length - 1).toBe(codes.length * 2);
      const mapping = (await download(admin, job.id, 'mapping')).body;
      const before = await databaseFingerprint(server.db);
      const back = await admin.request<Record<string, number>>(
        'POST',
        `/api/studies/${trial.studyId}/import.csv?format=wide&mapping=${encodeURIComponent(JSON.stringify(mapping))}`,
        data,
        { 'content-type': 'text/csv' },
      );
      expect(back.status).toBe(200);
      expect(back.body).toMatchObject({
        rows: codes.length * 2,
        values,
        entered: 0,
        changed: 0,
        unchanged: values,
      });
      // Unchanged: no value, visit, form or audit event more (the download was audited before).
      expect(await databaseFingerprint(server.db)).toBe(before);
    });

    it('files are 0600 in a 0700 directory under the data directory; downloads are audited', async () => {
      const admin = await as('admin');
      const job = await finished(admin, (await start(admin, { format: 'csv-long' })).body.id);
      const dir = join(dataDir, 'exports', job.id);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      for (const f of job.files) expect(statSync(join(dir, f.name)).mode & 0o777, f.name).toBe(0o600);
      await download(admin, job.id);
      const events = await server.db.kysely
        .selectFrom('audit_events')
        .select(['action', 'actor_name', 'new_value'])
        .where('entity_type', '=', 'export')
        .where('entity_id', '=', job.id)
        .orderBy('seq')
        .execute();
      expect(events.map((e) => e.action)).toEqual(['export.request', 'export.finish', 'export.download']);
      expect(events[2]!.actor_name).toBe('admin');
    });

    it('ODM, SDTM (a zip) and the analysis results run as jobs too', async () => {
      const admin = await as('admin');
      for (const format of ['odm', 'sdtm', 'analysis'] as const) {
        const job = await finished(admin, (await start(admin, { format })).body.id);
        expect(job.status, `${format}: ${job.error}`).toBe('done');
        const file = await admin.request('GET', `/api/exports/${job.id}/file`);
        expect(file.status).toBe(200);
        if (format === 'odm') expect(String(file.body)).toContain('<ODM');
        if (format === 'analysis') expect(file.body).toHaveProperty('snapshot');
        if (format === 'sdtm') {
          const path = join(dataDir, 'exports', job.id, job.files[0]!.name);
          const listing = execFileSync('unzip', ['-t', path], { encoding: 'utf8' });
          expect(listing).toContain('No errors detected');
          expect(listing).toMatch(/dm\.csv/i);
        }
      }
    });

    it('only roles that may export start a job; only the requester or an admin sees it', async () => {
      for (const user of ['investigator', 'coordinator', 'safety'])
        expect((await start(await as(user), { format: 'csv-long' })).status, user).toBe(403);
      expect((await start(new ApiClient(server.baseUrl), { format: 'csv-long' })).status).toBe(401);
      const stat = await as('statistician');
      const job = await finished(stat, (await start(stat, { format: 'csv-long' })).body.id);
      const monitor = await as('monitor');
      expect((await monitor.get(`/api/exports/${job.id}`)).status).toBe(403);
      expect((await download(monitor, job.id)).status).toBe(403);
      expect(
        (await monitor.get<{ jobs: ExportJob[] }>('/api/exports')).body.jobs.map((j) => j.id),
      ).not.toContain(job.id);
      expect((await stat.get<{ jobs: ExportJob[] }>('/api/exports')).body.jobs.map((j) => j.id)).toContain(
        job.id,
      );
      expect((await (await as('admin')).get(`/api/exports/${job.id}`)).status).toBe(200);
    });

    it('filters: by site, form and visit for CSV; refused where a format cannot apply them', async () => {
      const admin = await as('admin');
      const job = await finished(
        admin,
        (
          await start(admin, {
            format: 'csv-long',
            filters: { siteIds: [trial.siteB], formCodes: ['labs'], visitCodes: ['M3'] },
          })
        ).body.id,
      );
      const rows = String((await download(admin, job.id)).body)
        .split('\r\n')
        .filter(Boolean)
        .slice(1);
      expect(rows.length).toBe(2);
      for (const r of rows) expect(r).toMatch(/^[^,]+,SB,M3,1,2024-04-10,labs,/);
      const bad = async (body: unknown, field: string) => {
        const r = await start(admin, body);
        expect(r.status).toBe(400);
        expect(JSON.stringify(r.body)).toContain(field);
      };
      await bad({ format: 'sdtm', filters: { formCodes: ['labs'] } }, 'body.filters.formCodes');
      await bad({ format: 'csv-wide', filters: { formCodes: ['nope'] } }, 'form nope');
      await bad({ format: 'csv-wide', filters: { visitCodes: ['NOPE'] } }, 'visit NOPE');
      await bad({ format: 'csv-wide', filters: { siteIds: [trial.users.admin!.id] } }, 'is not a site');
      await bad({ format: 'xlsx' }, 'body.format');
    });

    it('a restart fails the jobs left queued or running', async () => {
      const actor = { id: trial.users.admin!.id, name: 'admin' };
      const job = await createExportJob(server.db, actor, {
        studyId: trial.studyId,
        format: 'csv-long',
        filters: {},
        pseudonymised: false,
      });
      await startExportJob(server.db, job.id);
      const other = mkdtempSync(join(tmpdir(), 'msct-exports-restart-'));
      writeFileSync(join(other, 'marker'), '');
      const jobs = new ExportJobs(server.db, join(other, 'exports'), new DerivedStudyCache(server.db));
      expect(await jobs.recover()).toBe(1);
      const after = await getExportJob(server.db, job.id);
      expect(after.status).toBe('failed');
      expect(after.error).toMatch(/server stopped/);
      rmSync(other, { recursive: true, force: true });
    });
  });
