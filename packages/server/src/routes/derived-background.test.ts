// Issue 16: the first derivation of a study does not hold the request. With the server told to wait
// 0 ms for it (MSCT_DERIVATION_WAIT_MS), /endpoints and /analysis on data not yet derived answer 202
// "computing" (Retry-After, when it started) at once, run one derivation per study and selection in
// the background however many ask, and give the result to a later request; a derivation that fails
// is reported to the next request as problem+json with a request id (logged under it), and the
// request after that starts it again. Both databases; the failure is real (a table the derivation
// reads is renamed under the running server).
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@msct/store/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { DerivedStudyCache } from '../clinical/derived-study.js';
import { configFromEnv } from '../config.js';
import type { App } from '../http/types.js';
import { ApiClient, createTestTrial, type TestTrial } from '../testing/test-server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Computing {
  status: string;
  startedAt: string;
  retryAfterSeconds: number;
}

for (const dialect of TEST_DIALECTS)
  describe(`derived results in the background (${dialect})`, () => {
    let t: TestDatabase;
    let app: App;
    let trial: TestTrial;
    let admin: ApiClient;
    const log: string[] = [];

    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      trial = await createTestTrial(t.db);
      app = await buildApp({
        db: t.db,
        config: { ...configFromEnv({}), databaseUrl: t.url, port: 0, derivationWaitMs: 0 },
        logger: false,
        logStream: { write: (line) => void log.push(line) },
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      if (!address || typeof address === 'string') throw new Error('server has no TCP address');
      const base = `http://127.0.0.1:${address.port}`;
      admin = new ApiClient(base);
      expect((await admin.login('admin')).status).toBe(200);
      const coord = new ApiClient(base);
      expect((await coord.login('coordinator')).status).toBe(200);
      for (let i = 0; i < 3; i++)
        expect(
          (await coord.post(`/api/studies/${trial.studyId}/subjects`, { siteId: trial.siteA })).status,
        ).toBe(201);
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await t?.drop();
    });

    /** Asks until the answer is not 202; returns it and how many 202s came first. */
    async function until(path: string) {
      for (let computing = 0; ; computing++) {
        const r = await admin.get<Record<string, unknown>>(path);
        if (r.status !== 202) return { ...r, computing };
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }

    it('answers 202 "computing" at once, derives once for every request, then gives the result', async () => {
      const path = `/api/studies/${trial.studyId}/endpoints`;
      const t0 = Date.now();
      const first = await admin.get<Computing>(path);
      expect(first.status).toBe(202);
      expect(first.headers.get('retry-after')).toBe('2');
      expect(first.body).toEqual({
        status: 'computing',
        startedAt: first.body.startedAt,
        retryAfterSeconds: 2,
      });
      const started = Date.parse(first.body.startedAt);
      expect(started).toBeGreaterThanOrEqual(t0 - 1000);
      expect(started).toBeLessThanOrEqual(Date.now());
      // More requests meanwhile join the same derivation (its start time), or get its result.
      for (const r of await Promise.all([1, 2, 3].map(() => admin.get<Computing>(path))))
        if (r.status === 202) expect(r.body.startedAt).toBe(first.body.startedAt);
        else expect(r.status).toBe(200);
      const done = await until(path);
      expect(done.status).toBe(200);
      const body = done.body as { subjects: unknown[]; snapshot: { hash: string } };
      expect(body.subjects).toHaveLength(3);
      expect(body.snapshot.hash).toMatch(/^[0-9a-f]{64}$/);
      // Derived now: the next request answers 200 at once, from the cache, with the same data hash.
      const again = await admin.get<{ snapshot: { hash: string } }>(path);
      expect(again.status).toBe(200);
      expect(again.body.snapshot.hash).toBe(body.snapshot.hash);

      // The analysis of the same (derived) data: computed in the background too, then cached.
      const analysis = `/api/studies/${trial.studyId}/analysis`;
      const a = await admin.get<Computing>(analysis);
      expect(a.status).toBe(202);
      const results = await until(analysis);
      expect(results.status).toBe(200);
      expect((results.body.snapshot as { hash: string }).hash).toBe(body.snapshot.hash);
      expect((results.body.populations as { screened: number }).screened).toBe(3);
      expect((await admin.get(analysis)).status).toBe(200);
    });

    it('a failed derivation is reported once with a request id, logged under it; the next request retries', async () => {
      // A new subject makes the cached view stale; the derivation then fails in the database.
      const coord = new ApiClient(admin.baseUrl);
      expect((await coord.login('coordinator')).status).toBe(200);
      expect(
        (await coord.post(`/api/studies/${trial.studyId}/subjects`, { siteId: trial.siteA })).status,
      ).toBe(201);
      await sql`alter table item_values rename to item_values_gone`.execute(t.db.kysely);
      const path = `/api/studies/${trial.studyId}/endpoints`;
      let failed: Awaited<ReturnType<typeof until>>;
      try {
        failed = await until(path);
      } finally {
        await sql`alter table item_values_gone rename to item_values`.execute(t.db.kysely);
      }
      expect(failed.computing).toBeGreaterThanOrEqual(1);
      expect(failed.status).toBe(500);
      expect(failed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const id = failed.body.requestId as string;
      expect(id).toMatch(UUID);
      expect(failed.body).toMatchObject({ status: 500, code: 'MSCT_E_INTERNAL', instance: `urn:uuid:${id}` });
      const errors = log
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((e) => e.level === 50 && e.reqId === id);
      expect(errors).toHaveLength(1);
      expect((errors[0]!.err as { message: string }).message).toMatch(/item_values/);
      // Reported once: the next request starts the derivation again, which now succeeds.
      const retried = await admin.get<Computing>(path);
      expect(retried.status).toBe(202);
      expect(Date.parse(retried.body.startedAt)).toBeGreaterThan(
        Date.parse(failed.headers.get('date')!) - 1000,
      );
      const done = await until(path);
      expect(done.status).toBe(200);
      expect((done.body.subjects as unknown[]).length).toBe(4);
    });

    it('one derivation per study and selection, however many ask at once (single flight)', async () => {
      const cache = new DerivedStudyCache(t.db);
      const opts = { pseudonymise: false };
      const answers = await Promise.all(
        [1, 2, 3, 4].map(() => cache.endpointsOrComputing(trial.studyId, opts, 0)),
      );
      const started = answers.map((a) => ('computing' in a ? a.computing.startedAt : 'ready'));
      expect(new Set(started).size).toBe(1);
      expect(started[0]).not.toBe('ready');
      // Another selection (site A only) is a derivation of its own; the view underneath is shared.
      const siteA = await cache.endpointsOrComputing(trial.studyId, { ...opts, siteIds: [trial.siteA] }, 0);
      expect('computing' in siteA).toBe(true);
      let ready: Awaited<ReturnType<typeof cache.endpointsOrComputing>>;
      do ready = await cache.endpointsOrComputing(trial.studyId, opts, 50);
      while ('computing' in ready);
      expect(ready.ready.subjects).toHaveLength(4);
      expect(cache.stats.rebuilds).toBe(1);
      // A waiting budget long enough: answered in the request, from the cache, without a new derivation.
      const cached = await cache.endpointsOrComputing(
        trial.studyId,
        { ...opts, siteIds: [trial.siteA] },
        60_000,
      );
      expect('ready' in cached && cached.ready.subjects.length).toBe(4);
      expect(cache.stats.rebuilds).toBe(1);
      // The view is current, the analysis not yet: even with a long waiting budget the request is
      // answered "computing" before the (synchronous) analysis starts, then the analysis is ready.
      const t0 = Date.now();
      const analysis = await cache.analysisOrComputing(trial.studyId, opts, 60_000);
      expect('computing' in analysis).toBe(true);
      expect(Date.now() - t0).toBeLessThan(30_000);
      let results: Awaited<ReturnType<typeof cache.analysisOrComputing>>;
      for (;;) {
        results = await cache.analysisOrComputing(trial.studyId, opts, 50);
        if (!('computing' in results)) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(results.ready.populations.screened).toBe(4);
      expect(cache.stats.rebuilds).toBe(1);
    });

    it('checks access before anything is derived', async () => {
      const safety = new ApiClient(admin.baseUrl);
      expect((await safety.login('safety')).status).toBe(200);
      expect((await safety.get(`/api/studies/${trial.studyId}/analysis`)).status).toBe(403);
      expect((await new ApiClient(admin.baseUrl).get(`/api/studies/${trial.studyId}/endpoints`)).status).toBe(
        401,
      );
    });
  });
