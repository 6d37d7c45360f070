// Issue 17: the demo trial must never make an install reachable with a known password. Its logins
// used to be derived from the public source and the default seed (the same on every install); now
// each load draws them from a cryptographic random source, prints them once, and each must be
// changed at the first login. Checked against the real server on both dialects.
import { createHash } from 'node:crypto';
import { passwordProblems } from '@msct/server';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../../../server/src/testing/test-server.js';
import { formatDemoReport } from '../commands/demo.js';
import { type LoadDemoResult, loadDemoTrial } from './load-demo.js';

/** The password the demo gave a user before issue 17 (public source + seed): it must not work. */
function formerSeedDerivedPassword(seed: number, username: string): string {
  for (let salt = 0; ; salt++) {
    const pw = createHash('sha256')
      .update(`msct-demo/${seed}/${username}/${salt}`)
      .digest('base64url')
      .slice(0, 16);
    if (passwordProblems(pw, username).length === 0) return pw;
  }
}

const loads: LoadDemoResult[] = [];

for (const dialect of TEST_DIALECTS) {
  describe(`demo logins on ${dialect}`, () => {
    let server: TestServer;
    let demo: LoadDemoResult;
    afterAll(async () => server?.close());

    it('loads the demo with random passwords: the seed-derived ones are refused', async () => {
      server = await startTestServer(dialect);
      demo = await loadDemoTrial(server.db, { seed: 2014 });
      loads.push(demo);
      expect(demo.users.length).toBe(23);
      expect(demo.users.filter((u) => u.role === 'admin')).toHaveLength(1);
      for (const u of demo.users) {
        expect(u.password).not.toBe(formerSeedDerivedPassword(2014, u.username));
        const r = await new ApiClient(server.baseUrl).login(
          u.username,
          formerSeedDerivedPassword(2014, u.username),
        );
        expect(r.status, u.username).toBe(401);
      }
      // The report prints each password once and says it must be changed.
      const report = formatDemoReport(demo, server.db.location);
      for (const u of demo.users) expect(report).toContain(u.password);
      expect(report).toContain('must be changed at the first login');
    }, 180_000);

    it("the printed demo admin's password opens only a password change", async () => {
      const admin = demo.users.find((u) => u.role === 'admin')!;
      const c = new ApiClient(server.baseUrl);
      const login = await c.login(admin.username, admin.password);
      expect(login.status).toBe(200);
      expect((login.body as { mustChangePassword: boolean }).mustChangePassword).toBe(true);
      const studies = await c.get<{ code: string }>('/api/studies');
      expect(studies.status).toBe(403);
      expect(studies.body.code).toBe('MSCT_E_PASSWORD_CHANGE_REQUIRED');
      expect((await c.get('/api/users')).status).toBe(403);
      expect((await c.changePassword(admin.password, 'demo-admin-own-phrase-2026')).status).toBe(204);
      expect((await c.get('/api/studies')).status).toBe(200);
    });
  });
}

it('gives every install its own passwords for the same seed', () => {
  if (loads.length < 2) return;
  const [a, b] = loads as [LoadDemoResult, LoadDemoResult];
  const other = new Map(b.users.map((u) => [u.username, u.password]));
  for (const u of a.users) expect(other.get(u.username)).not.toBe(u.password);
});
