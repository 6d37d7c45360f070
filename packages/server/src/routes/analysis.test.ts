// GET /api/studies/:studyId/analysis and …/report.html over the real server: who may read them,
// and that a study with no data yet still analyses (every statistic refuses, nothing throws).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createTestTrial, startTestServer, type TestTrial } from '../testing/test-server.js';

let baseUrl = '';
let trial: TestTrial;
let close: () => Promise<void>;

beforeAll(async () => {
  const server = await startTestServer('sqlite');
  baseUrl = server.baseUrl;
  trial = await createTestTrial(server.db);
  close = server.close;
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
      const r = await (await as(user)).get<{
        study: { id: string };
        populations: { enrolled: number };
        software: { version: string; contentHash: string };
      }>(`/api/studies/${trial.studyId}/analysis`);
      expect(r.status, user).toBe(200);
      expect(r.body.study.id).toBe(trial.studyId);
      // Issue #18 item 11: the software that computed the results, beside the snapshot.
      expect(Object.keys(r.body).slice(0, 3)).toEqual(['study', 'snapshot', 'software']);
      expect(r.body.software.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
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
    expect(r.body).toContain('<td id="software-build">');
  });
});
