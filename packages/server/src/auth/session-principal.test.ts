// The cached principal (auth/session-principal.ts) must never outlive a change that ends or narrows
// it: each case warms the cache with a request, changes the user, and checks the very next request.
import { type Db, getUser, listRoles, openDatabase, revokeRole, setUserActive } from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  TEST_PASSWORD,
  type TestServer,
  type TestTrial,
} from '../testing/test-server.js';

const admin = { id: null, name: 'test' };

for (const dialect of TEST_DIALECTS) {
  describe(`session principal cache on ${dialect}`, () => {
    let server: TestServer;
    let trial: TestTrial;
    let subjectId: string;

    beforeAll(async () => {
      server = await startTestServer(dialect);
      trial = await createTestTrial(server.db);
      const c = new ApiClient(server.baseUrl);
      await c.login('coordinator');
      subjectId = (
        await c.post<{ id: string }>(`/api/studies/${trial.studyId}/subjects`, { siteId: trial.siteA })
      ).body.id;
    });
    afterAll(() => server.close());

    it('a revoked role takes effect on the next request', async () => {
      const c = new ApiClient(server.baseUrl);
      await c.login('investigator');
      expect((await c.get(`/api/subjects/${subjectId}`)).status).toBe(200);
      expect((await c.get(`/api/subjects/${subjectId}`)).status).toBe(200);
      const [role] = await listRoles(server.db, trial.users.investigator!.id);
      await revokeRole(server.db, admin, role!.id, 'left the trial');
      expect((await c.get(`/api/subjects/${subjectId}`)).status).toBe(404);
    });

    it('a granted role takes effect on the next request', async () => {
      const c = new ApiClient(server.baseUrl);
      await c.login('coordinator_b');
      expect((await c.get(`/api/subjects/${subjectId}`)).status).toBe(404);
      const a = new ApiClient(server.baseUrl);
      await a.login('admin');
      const granted = await a.post(`/api/users/${trial.users.coordinator_b!.id}/roles`, {
        role: 'coordinator',
        studyId: trial.studyId,
        siteId: trial.siteA,
      });
      expect(granted.status).toBe(201);
      expect((await c.get(`/api/subjects/${subjectId}`)).status).toBe(200);
    });

    it('logout-everywhere ends every session at its next request', async () => {
      const a = new ApiClient(server.baseUrl);
      const b = new ApiClient(server.baseUrl);
      await a.login('monitor');
      await b.login('monitor');
      expect((await a.get('/api/auth/me')).status).toBe(200);
      expect((await b.get('/api/auth/me')).status).toBe(200);
      expect((await a.post('/api/auth/logout-everywhere')).status).toBe(204);
      expect((await b.get('/api/auth/me')).status).toBe(401);
      expect((await a.get('/api/auth/me')).status).toBe(401);
    });

    it('a password change ends the other sessions at their next request', async () => {
      const a = new ApiClient(server.baseUrl);
      const b = new ApiClient(server.baseUrl);
      await a.login('statistician');
      await b.login('statistician');
      expect((await b.get('/api/auth/me')).status).toBe(200);
      const changed = await a.post('/api/auth/password', {
        currentPassword: TEST_PASSWORD,
        newPassword: 'another-long-passphrase-2026',
      });
      expect(changed.status).toBe(204);
      expect((await b.get('/api/auth/me')).status).toBe(401);
      expect((await a.get('/api/auth/me')).status).toBe(200);
    });

    it('a deactivated user is refused at the next request; reactivated, they log in again', async () => {
      const c = new ApiClient(server.baseUrl);
      await c.login('safety');
      expect((await c.get('/api/auth/me')).status).toBe(200);
      const user = await getUser(server.db, trial.users.safety!.id);
      await setUserActive(server.db, admin, user.id, user.version, false, 'left the trial');
      expect((await c.get('/api/auth/me')).status).toBe(401);
      await setUserActive(server.db, admin, user.id, user.version + 1, true, 'back');
      // Deactivation deleted the sessions (issue 17): the old one stays ended, a new login works.
      expect((await c.get('/api/auth/me')).status).toBe(401);
      expect((await c.login('safety')).status).toBe(200);
      expect((await c.get('/api/auth/me')).status).toBe(200);
    });

    if (dialect === 'sqlite') {
      it('a change made by another connection to the same file is seen at the next request', async () => {
        const c = new ApiClient(server.baseUrl);
        await c.login('admin');
        expect((await c.get('/api/auth/me')).status).toBe(200);
        // Another process (the CLI, a second server) writes through its own connection.
        const other: Db = openDatabase(server.db.url);
        try {
          await other.kysely.deleteFrom('sessions').execute();
        } finally {
          await other.close();
        }
        expect((await c.get('/api/auth/me')).status).toBe(401);
      });

      it('an idle session still expires with a warm cache', async () => {
        const short = await startTestServer('sqlite', { sessionTtlMinutes: 0.02 });
        try {
          await createTestTrial(short.db);
          const c = new ApiClient(short.baseUrl);
          await c.login('monitor');
          expect((await c.get('/api/auth/me')).status).toBe(200);
          await new Promise((r) => setTimeout(r, 1500));
          expect((await c.get('/api/auth/me')).status).toBe(401);
        } finally {
          await short.close();
        }
      });
    }
  });
}
