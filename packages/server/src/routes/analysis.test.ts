// GET /api/studies/:studyId/analysis and …/report.html over the real server: who may read them,
// and that a study with no data yet still analyses (every statistic refuses, nothing throws).
import { createTestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { configFromEnv } from '../config.js';
import { ApiClient, createTestTrial, type TestTrial } from '../testing/test-server.js';
import { registerAnalysisRoutes } from './analysis.js';

let baseUrl = '';
let trial: TestTrial;
let close: () => Promise<void>;

beforeAll(async () => {
  const t = await createTestDatabase('sqlite');
  const config = { ...configFromEnv({}), databaseUrl: t.url, port: 0, loginRateLimitPerMinute: 1000 };
  const app = await buildApp({ db: t.db, config });
  // Until app.ts wires it, register the route file on the built app before it starts.
  registerAnalysisRoutes(app, { db: t.db, config });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  baseUrl = `http://127.0.0.1:${address.port}`;
  trial = await createTestTrial(t.db);
  close = async () => {
    await app.close();
    await t.drop();
  };
}, 30_000);
afterAll(async () => close?.());

async function as(username: string) {
  const c = new ApiClient(baseUrl);
  expect((await c.login(username)).status).toBe(200);
  return c;
}

describe('analysis routes', () => {
  it('admin, investigator, monitor and statistician read the results; coordinator and safety may not', async () => {
    for (const user of ['admin', 'investigator', 'monitor', 'statistician']) {
      const r = await (await as(user)).get<{ study: { id: string }; populations: { enrolled: number } }>(
        `/api/studies/${trial.studyId}/analysis`,
      );
      expect(r.status, user).toBe(200);
      expect(r.body.study.id).toBe(trial.studyId);
      expect(r.body.populations.enrolled).toBe(0);
    }
    for (const user of ['coordinator', 'safety']) {
      const r = await (await as(user)).get(`/api/studies/${trial.studyId}/analysis`);
      expect(r.status, user).toBe(403);
    }
  });

  it('refuses anonymous requests and hides unknown studies', async () => {
    expect((await new ApiClient(baseUrl).get(`/api/studies/${trial.studyId}/analysis`)).status).toBe(401);
    const admin = await as('investigator');
    expect((await admin.get('/api/studies/00000000-0000-0000-0000-000000000000/analysis')).status).toBe(404);
  });

  it('serves the report as a self-contained HTML page', async () => {
    const r = await (await as('statistician')).get<string>(
      `/api/studies/${trial.studyId}/analysis/report.html`,
    );
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/html');
    expect(r.body).toContain('<!doctype html>');
    expect(r.body).toContain('msct-sle-bilag-2014');
  });
});
