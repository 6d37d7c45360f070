// Login limits (issue 9) against the real HTTP server with the shipped defaults of config.ts:
// MSCT_LOCKOUT_AFTER = 5 failed logins lock an account for MSCT_LOCKOUT_MINUTES = 15 minutes, and
// MSCT_LOGIN_RATE_LIMIT = 20 login attempts per IP per minute. api.test.ts already shows that an
// unknown username and a wrong password get the same answer and that an account locks; this file
// pins the exact count, the duration, the reset on success, the expiry, the audit record, that a
// correct password is refused while locked, the shape of the answers for unknown users, and the
// 429 problem+json with Retry-After.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  TEST_PASSWORD,
  type TestServer,
} from './testing/test-server.js';

const DEFAULTS = configFromEnv({});

type Problem = { type: string; title: string; status: number; code: string; detail: string };

/** The one answer to every refused login (routes/auth.ts). */
const REFUSED = `wrong username or password (after ${DEFAULTS.lockoutAfter} failed logins an account is locked for ${DEFAULTS.lockoutMinutes} minutes)`;

it('ships the documented defaults (config.ts)', () => {
  expect(DEFAULTS.lockoutAfter).toBe(5);
  expect(DEFAULTS.lockoutMinutes).toBe(15);
  expect(DEFAULTS.loginRateLimitPerMinute).toBe(20);
});

describe('account lockout', () => {
  let server: TestServer;
  const { lockoutAfter, lockoutMinutes } = DEFAULTS;

  beforeAll(async () => {
    // The lockout numbers are the defaults; only the per-IP rate limit is raised (as in every API
    // test) so that it does not stand in front of the lockout here.
    server = await startTestServer('sqlite', { lockoutAfter, lockoutMinutes });
    await createTestTrial(server.db);
  });
  afterAll(async () => server?.close());

  const userRow = (username: string) =>
    server.db.kysely
      .selectFrom('users')
      .select(['id', 'failed_logins', 'locked_until'])
      .where('username', '=', username)
      .executeTakeFirstOrThrow();

  it(`locks at the ${lockoutAfter}th consecutive failure, not before, and a success resets the count`, async () => {
    const c = new ApiClient(server.baseUrl);
    for (let i = 0; i < lockoutAfter - 1; i++)
      expect((await c.login('monitor', 'wrong-password')).status).toBe(401);
    expect((await userRow('monitor')).failed_logins).toBe(lockoutAfter - 1);
    expect((await c.login('monitor')).status).toBe(200);
    expect((await userRow('monitor')).failed_logins).toBe(0);
    // After the reset, another lockoutAfter - 1 failures still do not lock.
    for (let i = 0; i < lockoutAfter - 1; i++) await c.login('monitor', 'wrong-password');
    expect((await c.login('monitor')).status).toBe(200);
    expect((await userRow('monitor')).locked_until).toBeNull();
  });

  it(`refuses even the correct password for ${lockoutMinutes} minutes, audits it, and lets the account in after`, async () => {
    const c = new ApiClient(server.baseUrl);
    const before = Date.now();
    for (let i = 0; i < lockoutAfter; i++) {
      const r = await c.login('safety', 'wrong-password');
      expect(r.status).toBe(401);
      expect((r.body as Problem).detail).toBe(REFUSED);
    }
    const row = await userRow('safety');
    expect(row.locked_until).not.toBeNull();
    const until = Date.parse(row.locked_until!);
    expect(until).toBeGreaterThanOrEqual(before + lockoutMinutes * 60_000 - 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + lockoutMinutes * 60_000 + 1000);

    const correct = await c.login('safety', TEST_PASSWORD);
    expect(correct.status).toBe(401);
    expect(correct.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((correct.body as Problem).code).toBe('MSCT_E_UNAUTHENTICATED');
    // The same answer as a wrong password: a locked account is not told apart (no enumeration).
    expect((correct.body as Problem).detail).toBe(REFUSED);
    expect(correct.headers.getSetCookie()).toEqual([]);
    // Wrong passwords during the lockout are refused alike and do not extend it.
    expect((await c.login('safety', 'wrong-password')).status).toBe(401);
    expect((await userRow('safety')).locked_until).toBe(row.locked_until);

    const audit = await server.db.kysely
      .selectFrom('audit_events')
      .select(['action', 'entity_id'])
      .where('action', '=', 'user.lockout')
      .where('entity_id', '=', row.id)
      .execute();
    expect(audit).toHaveLength(1);

    // Other accounts are not affected.
    expect((await new ApiClient(server.baseUrl).login('statistician')).status).toBe(200);

    // Once the lock has run out (moved into the past here rather than waiting 15 minutes), the
    // correct password works again.
    await server.db.kysely
      .updateTable('users')
      .set({ locked_until: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', row.id)
      .execute();
    expect((await c.login('safety', TEST_PASSWORD)).status).toBe(200);
  });

  it('answers unknown usernames with the same status, media type and problem shape, however often tried', async () => {
    const c = new ApiClient(server.baseUrl);
    for (let i = 0; i < lockoutAfter; i++) await c.login('coordinator_b', 'wrong-password');
    const locked = await c.login('coordinator_b', 'wrong-password');
    expect((locked.body as Problem).detail).toBe(REFUSED);
    for (let i = 0; i <= lockoutAfter + 1; i++) {
      const unknown = await c.login('no-such-user', 'wrong-password');
      expect(unknown.status).toBe(locked.status);
      expect(unknown.headers.get('content-type')).toBe(locked.headers.get('content-type'));
      const [u, l] = [unknown.body as Problem, locked.body as Problem];
      expect(Object.keys(u).sort()).toEqual(Object.keys(l).sort());
      expect([u.type, u.title, u.status, u.code]).toEqual([l.type, l.title, l.status, l.code]);
      // The unknown name is answered exactly as a wrong password or a locked account.
      expect(u).toEqual(l);
    }
    // Nothing is created or counted for a name that does not exist.
    const n = await server.db.kysely
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('username', '=', 'no-such-user')
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0);
  });
});

describe('login rate limit', () => {
  let server: TestServer;
  const perMinute = DEFAULTS.loginRateLimitPerMinute;

  beforeAll(async () => {
    // The shipped rate limit; lockout raised so that it does not stand in front of the rate limit.
    server = await startTestServer('sqlite', { loginRateLimitPerMinute: perMinute, lockoutAfter: 1000 });
    await createTestTrial(server.db);
  });
  afterAll(async () => server?.close());

  it(`answers 429 problem+json with Retry-After after ${perMinute} attempts in a minute, even to the right password`, async () => {
    const c = new ApiClient(server.baseUrl);
    const names = ['admin', 'no-such-user', 'monitor', 'x'];
    for (let i = 0; i < perMinute; i++) {
      const r = await c.login(names[i % names.length]!, 'wrong-password');
      expect(r.status, `attempt ${i + 1}`).toBe(401);
    }
    const failedBefore = await server.db.kysely
      .selectFrom('users')
      .select('failed_logins')
      .where('username', '=', 'admin')
      .executeTakeFirstOrThrow();

    for (const [username, password] of [
      ['admin', TEST_PASSWORD],
      ['admin', 'wrong-password'],
      ['no-such-user', 'wrong-password'],
    ] as const) {
      const limited = await new ApiClient(server.baseUrl).login(username, password);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const body = limited.body as Problem;
      expect(body.code).toBe('MSCT_E_RATE_LIMITED');
      expect(body.status).toBe(429);
      expect(body.detail).toMatch(/too many attempts/);
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(limited.headers.getSetCookie()).toEqual([]);
    }
    // A refused attempt never reaches the password check: it does not count towards the lockout.
    const failedAfter = await server.db.kysely
      .selectFrom('users')
      .select('failed_logins')
      .where('username', '=', 'admin')
      .executeTakeFirstOrThrow();
    expect(failedAfter.failed_logins).toBe(failedBefore.failed_logins);
    // Only login is limited: other routes still answer.
    expect((await c.get('/api/health')).status).toBe(200);
  });
});
