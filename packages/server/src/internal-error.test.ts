// An unexpected error (issue 16): whatever MSCT_LOG says, the real server logs it with a request id
// and answers application/problem+json carrying that id. The error is real: a table the route reads
// is renamed under the running server, so the database itself fails the query.

import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@msct/store/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { configFromEnv } from './config.js';
import type { App } from './http/types.js';
import { ApiClient, createTestTrial, type TestTrial } from './testing/test-server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

for (const dialect of TEST_DIALECTS)
  for (const requestLog of [false, true])
    describe(`an unexpected error (${dialect}, request log ${requestLog ? 'on' : 'off'})`, () => {
      let t: TestDatabase;
      let app: App;
      let trial: TestTrial;
      let client: ApiClient;
      const log: string[] = [];

      beforeAll(async () => {
        t = await createTestDatabase(dialect);
        trial = await createTestTrial(t.db);
        app = await buildApp({
          db: t.db,
          config: { ...configFromEnv({}), databaseUrl: t.url, port: 0 },
          logger: requestLog,
          logStream: { write: (line) => void log.push(line) },
        });
        await app.listen({ host: '127.0.0.1', port: 0 });
        const address = app.server.address();
        if (!address || typeof address === 'string') throw new Error('server has no TCP address');
        client = new ApiClient(`http://127.0.0.1:${address.port}`);
        expect((await client.login('admin')).status).toBe(200);
        await sql`alter table queries rename to queries_gone`.execute(t.db.kysely);
      });
      afterAll(async () => {
        await app?.close();
        await t?.drop();
      });

      it('is answered 500 problem+json with a request id, and logged under that id', async () => {
        const res = await client.get<Record<string, unknown>>(`/api/studies/${trial.studyId}/queries`);
        expect(res.status).toBe(500);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        const id = res.body.requestId as string;
        expect(id).toMatch(UUID);
        expect(res.body).toMatchObject({ status: 500, code: 'MSCT_E_INTERNAL', instance: `urn:uuid:${id}` });
        expect(res.body.detail).toContain(id);
        expect(res.headers.get('x-request-id')).toBe(id);
        // The database's message stays in the log, not in the answer.
        expect(JSON.stringify(res.body)).not.toMatch(/queries|relation|table/i);

        const entries = log.map((l) => JSON.parse(l) as Record<string, unknown>);
        const errors = entries.filter((e) => e.level === 50);
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatchObject({ reqId: id, msg: 'unhandled error', method: 'GET' });
        expect((errors[0]!.err as { message: string }).message).toMatch(/queries/);
        // The request log (info) is written only when it is on.
        expect(entries.some((e) => e.level === 30)).toBe(requestLog);

        // Each error gets an id of its own.
        const again = await client.get<Record<string, unknown>>(`/api/studies/${trial.studyId}/queries`);
        expect(again.status).toBe(500);
        expect(again.body.requestId).toMatch(UUID);
        expect(again.body.requestId).not.toBe(id);
      });

      it('an expected error (404) is not logged as an error', async () => {
        const before = log.length;
        const res = await client.get('/api/studies/01890000-0000-7000-8000-000000000000');
        expect(res.status).toBe(404);
        expect(log.slice(before).filter((l) => JSON.parse(l).level >= 50)).toEqual([]);
      });
    });
