// Issue 17: the demo trial must never make an install reachable with a known password. Its logins
// used to be derived from the public source and the default seed (the same on every install); now
// each load draws them from a cryptographic random source, prints them once, and each must be
// changed at the first login. Checked against the real server on both dialects.
import { hashPassword } from '@msct/server';
import { ApiClient, startTestServer, type TestServer } from '@msct/server/testing';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDemoReport } from '../commands/demo.js';
import { formerDemoPassword, replaceFormerDemoPasswords } from './former-demo-logins.js';
import { type LoadDemoResult, loadDemoTrial } from './load-demo.js';

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
        expect(u.password).not.toBe(formerDemoPassword(2014, u.username));
        const r = await new ApiClient(server.baseUrl).login(u.username, formerDemoPassword(2014, u.username));
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

    it('an install upgraded with the former seed-derived demo passwords gets them replaced at start', async () => {
      // As a demo loaded before issue 17 left them: the seed-derived password, no change required.
      const [kept, untouched] = demo.users.filter((u) => u.role === 'coordinator');
      for (const u of [kept!, untouched!])
        await server.db.kysely
          .updateTable('users')
          .set({
            password_hash: await hashPassword(formerDemoPassword(2014, u.username)),
            must_change_password: 0,
          })
          .where('username', '=', u.username)
          .execute();
      // One owner had changed theirs since (a later password_changed_at): left alone.
      await server.db.kysely
        .updateTable('users')
        .set({ password_changed_at: new Date().toISOString() })
        .where('username', '=', untouched!.username)
        .execute();
      const replaced = await replaceFormerDemoPasswords(server.db);
      expect(replaced.map((r) => r.username)).toEqual([kept!.username]);
      const c = new ApiClient(server.baseUrl);
      expect((await c.login(kept!.username, formerDemoPassword(2014, kept!.username))).status).toBe(401);
      const fresh = await c.login(kept!.username, replaced[0]!.password);
      expect(fresh.status).toBe(200);
      expect((fresh.body as { mustChangePassword: boolean }).mustChangePassword).toBe(true);
      // Idempotent: nothing left to replace at the next start.
      expect(await replaceFormerDemoPasswords(server.db)).toEqual([]);
    });
  });
}

it('gives every install its own passwords for the same seed', () => {
  if (loads.length < 2) return;
  const [a, b] = loads as [LoadDemoResult, LoadDemoResult];
  const other = new Map(b.users.map((u) => [u.username, u.password]));
  for (const u of a.users) expect(other.get(u.username)).not.toBe(u.password);
});
