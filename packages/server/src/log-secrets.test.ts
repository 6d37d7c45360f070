// The request log keeps no secret (issue 9): the real server, its logger on and writing to a stream
// we read, goes through login, a password change, authenticated reads and writes with the session
// cookie and CSRF header, a failed login, a forged CSRF header and logout, on a database URL that
// carries a password. Not one password, session token, cookie value, CSRF token or the database
// password may appear in what it logged.
import { openDatabase } from '@msct/store';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { configFromEnv, type ServerConfig } from './config.js';
import type { App } from './http/types.js';
import { createTestTrial, TEST_PASSWORD, type TestTrial } from './testing/test-server.js';

const DB_PASSWORD = 'Db-Pa55word-never-logged';
const NEW_PASSWORD = 'a-brand-new-passphrase-42';
const WRONG_PASSWORD = 'wrong-but-still-secret-17';

describe('the request log', () => {
  let t: TestDatabase;
  let db: ReturnType<typeof openDatabase>;
  let app: App;
  let base: string;
  let trial: TestTrial;
  const log: string[] = [];
  // Every secret the session sees, to look for in the log afterwards.
  const secrets = new Map<string, string>([
    ['the test password', TEST_PASSWORD],
    ['the new password', NEW_PASSWORD],
    ['a wrong password', WRONG_PASSWORD],
    ['the database password', DB_PASSWORD],
  ]);

  beforeAll(async () => {
    // PostgreSQL (trust auth on the test machine accepts the URL's password) when it is in the run,
    // so the server really connects with a URL that has a password; SQLite otherwise, the URL in config.
    const dialect = TEST_DIALECTS.includes('postgres') ? 'postgres' : 'sqlite';
    t = await createTestDatabase(dialect);
    let databaseUrl = `postgres://msct:${DB_PASSWORD}@127.0.0.1:5432/msct`;
    if (dialect === 'postgres') {
      const url = new URL(t.url);
      url.username = 'postgres';
      url.password = DB_PASSWORD;
      databaseUrl = url.toString();
    }
    db = dialect === 'postgres' ? openDatabase(databaseUrl) : t.db;
    trial = await createTestTrial(db);
    const config: ServerConfig = { ...configFromEnv({}), databaseUrl, port: 0 };
    app = await buildApp({ db, config, logger: true, logStream: { write: (line) => void log.push(line) } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('server has no TCP address');
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await app?.close();
    if (db && db !== t?.db) await db.close();
    await t?.drop();
  });

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(base + path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .find((c) => c.startsWith('msct_session=') && !c.endsWith('='));
    return { status: res.status, json: text ? JSON.parse(text) : undefined, cookie };
  }

  it('holds no password, session token, cookie, CSRF token or database password', async () => {
    const login = await call('POST', '/api/auth/login', { username: 'coordinator', password: TEST_PASSWORD });
    expect(login.status).toBe(200);
    let cookie = login.cookie!;
    let csrf = login.json.csrfToken as string;
    secrets.set('the session cookie', cookie);
    secrets.set('the session token', cookie.slice('msct_session='.length));
    secrets.set('the CSRF token', csrf);
    const auth = () => ({ cookie, 'x-csrf-token': csrf });

    expect((await call('GET', '/api/auth/me', undefined, auth())).status).toBe(200);
    const subject = await call(
      'POST',
      `/api/studies/${trial.studyId}/subjects`,
      { siteId: trial.siteA },
      auth(),
    );
    expect(subject.status).toBe(201);
    // A forged CSRF header and a bad body: refused, and the refusals are logged too.
    expect(
      (await call('POST', `/api/studies/${trial.studyId}/subjects`, {}, { cookie, 'x-csrf-token': 'forged' }))
        .status,
    ).toBe(403);
    expect((await call('POST', `/api/studies/${trial.studyId}/subjects`, { nope: 1 }, auth())).status).toBe(
      400,
    );
    // A wrong current password, a too-weak new one, then the change itself (which issues a new session).
    expect(
      (
        await call(
          'POST',
          '/api/auth/password',
          { currentPassword: WRONG_PASSWORD, newPassword: NEW_PASSWORD },
          auth(),
        )
      ).status,
    ).toBe(401);
    expect(
      (
        await call(
          'POST',
          '/api/auth/password',
          { currentPassword: TEST_PASSWORD, newPassword: 'short' },
          auth(),
        )
      ).status,
    ).toBe(400);
    const changed = await call(
      'POST',
      '/api/auth/password',
      { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD },
      auth(),
    );
    expect(changed.status).toBe(204);
    cookie = changed.cookie!;
    csrf = (await call('GET', '/api/auth/me', undefined, { cookie })).json.csrfToken;
    secrets.set('the session cookie after the change', cookie);
    secrets.set('the session token after the change', cookie.slice('msct_session='.length));
    secrets.set('the CSRF token after the change', csrf);
    expect((await call('GET', `/api/studies/${trial.studyId}/subjects`, undefined, auth())).status).toBe(200);
    expect((await call('GET', '/api/no-such-route', undefined, auth())).status).toBe(404);
    // A failed login with a wrong password, and a login with the new one.
    expect(
      (await call('POST', '/api/auth/login', { username: 'coordinator', password: WRONG_PASSWORD })).status,
    ).toBe(401);
    const again = await call('POST', '/api/auth/login', { username: 'coordinator', password: NEW_PASSWORD });
    expect(again.status).toBe(200);
    secrets.set('the session cookie of the second login', again.cookie!);
    secrets.set('the CSRF token of the second login', again.json.csrfToken);
    expect(
      (
        await call('POST', '/api/auth/logout', undefined, {
          cookie: again.cookie!,
          'x-csrf-token': again.json.csrfToken,
        })
      ).status,
    ).toBe(204);

    // The log did record the session: one line per request and response at least.
    const text = log.join('');
    const lines = log.join('').split('\n').filter(Boolean);
    expect(lines.filter((l) => l.includes('"incoming request"')).length).toBeGreaterThanOrEqual(14);
    expect(text).toContain('/api/auth/password');
    for (const [what, secret] of secrets) {
      expect(secret.length, what).toBeGreaterThan(8);
      expect(text.includes(secret), `${what} is in the log`).toBe(false);
    }
  });
});
