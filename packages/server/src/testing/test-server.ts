// Test support: the real server on a loopback port over a fresh database, plus a small HTTP client
// that keeps the session cookie and sends the CSRF token, as the web app does.
import type { Dialect } from '@msct/store';
import {
  assignRole,
  createSite,
  createStudy,
  createSubject,
  createUser,
  type Db,
  type Role,
} from '@msct/store';
import { createTestDatabase } from '@msct/store/testing';
import { buildApp } from '../app.js';
import { hashPassword } from '../auth/password.js';
import { configFromEnv, type ServerConfig } from '../config.js';
import type { App } from '../http/types.js';

export const TEST_PASSWORD = 'correct-horse-battery-staple';

export interface TestServer {
  baseUrl: string;
  app: App;
  db: Db;
  close(): Promise<void>;
}

export async function startTestServer(
  dialect: Dialect = 'sqlite',
  overrides: Partial<ServerConfig> = {},
): Promise<TestServer> {
  const t = await createTestDatabase(dialect);
  const config: ServerConfig = {
    ...configFromEnv({}),
    databaseUrl: t.url,
    port: 0,
    loginRateLimitPerMinute: 1000,
    // Tests of the derived results read them in one request unless a test asks for the 202 path
    // (derivationWaitMs: 0): a loaded machine must not turn their first request into "computing".
    derivationWaitMs: Number.POSITIVE_INFINITY,
    ...overrides,
  };
  const app = await buildApp({ db: t.db, config });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server has no TCP address');
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    app,
    db: t.db,
    close: async () => {
      await app.close();
      await t.drop();
    },
  };
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** An HTTP client with one session, like one browser. */
export class ApiClient {
  private cookie = '';
  private csrf = '';
  /** Mutable so a client can follow a restarted server to its new port with the same session. */
  constructor(public baseUrl: string) {}

  async login(username: string, password = TEST_PASSWORD): Promise<ApiResponse> {
    const res = await this.request('POST', '/api/auth/login', { username, password });
    if (res.status === 200) this.csrf = (res.body as { csrfToken: string }).csrfToken;
    return res;
  }

  /**
   * Changes this session's password (as the web app's "choose a new password" form does): the
   * server answers with a new session, so the CSRF token is read again from /api/auth/me.
   */
  async changePassword(currentPassword: string, newPassword: string): Promise<ApiResponse> {
    const res = await this.post('/api/auth/password', { currentPassword, newPassword });
    if (res.status === 204) {
      const me = await this.get<{ csrfToken: string }>('/api/auth/me');
      if (me.status === 200) this.csrf = me.body.csrfToken;
    }
    return res;
  }

  get = <T = unknown>(path: string) => this.request<T>('GET', path);

  /** A GET whose answer is binary (a PDF): the body as its bytes. */
  async bytes(path: string): Promise<ApiResponse<Buffer>> {
    const res = await fetch(this.baseUrl + path, { headers: this.cookie ? { cookie: this.cookie } : {} });
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
  }
  post = <T = unknown>(path: string, body?: unknown) => this.request<T>('POST', path, body);
  put = <T = unknown>(path: string, body?: unknown) => this.request<T>('PUT', path, body);
  patch = <T = unknown>(path: string, body?: unknown) => this.request<T>('PATCH', path, body);
  delete = <T = unknown>(path: string) => this.request<T>('DELETE', path);

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf) headers['x-csrf-token'] = this.csrf;
    Object.assign(headers, extraHeaders);
    let payload: string | Buffer | undefined;
    if (body !== undefined) {
      headers['content-type'] ??= 'application/json';
      // A Buffer is sent as its bytes (a file in another encoding than UTF-8).
      payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    }
    const res = await fetch(this.baseUrl + path, { method, headers, body: payload });
    const setCookie = res.headers.getSetCookie();
    for (const c of setCookie) {
      const [pair] = c.split(';');
      if (pair?.startsWith('msct_session=')) this.cookie = pair.endsWith('=') ? '' : pair;
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
}

export interface TestTrial {
  studyId: string;
  siteA: string;
  siteB: string;
  /** username per role at site A, plus the site-B coordinator and the global roles. */
  users: Record<string, { id: string; username: string }>;
}

/**
 * A study with two sites and one user per role: site-scoped roles at site A (and a coordinator at
 * site B), monitor/statistician/safety for every site, and a global admin. All share TEST_PASSWORD,
 * stored as a password the users chose themselves (no change required at login: issue 17).
 */
export async function createTestTrial(db: Db, options: { definition?: unknown } = {}): Promise<TestTrial> {
  const system = { id: null, name: 'test' };
  const study = await createStudy(db, system, {
    code: `T${Math.random().toString(36).slice(2, 8)}`,
    title: 'Test trial',
    definition: options.definition ?? {},
  });
  const siteA = await createSite(db, system, { studyId: study.id, code: 'SA', name: 'Site A' });
  const siteB = await createSite(db, system, { studyId: study.id, code: 'SB', name: 'Site B' });
  const hash = await hashPassword(TEST_PASSWORD);
  const users: TestTrial['users'] = {};
  const plan: [string, Role, string | null, string | null][] = [
    ['admin', 'admin', null, null],
    ['investigator', 'investigator', study.id, siteA.id],
    ['coordinator', 'coordinator', study.id, siteA.id],
    ['coordinator_b', 'coordinator', study.id, siteB.id],
    ['monitor', 'monitor', study.id, null],
    ['statistician', 'statistician', study.id, null],
    ['safety', 'safety', study.id, null],
  ];
  for (const [username, role, studyId, siteId] of plan) {
    const u = await createUser(db, system, {
      username,
      displayName: username,
      passwordHash: hash,
      mustChangePassword: false,
    });
    await assignRole(db, system, { userId: u.id, role, studyId, siteId });
    users[username] = { id: u.id, username };
  }
  return { studyId: study.id, siteA: siteA.id, siteB: siteB.id, users };
}

/** A client per user of the test trial, each logged in (a refused login fails the setup, naming the user). */
export async function loginClients<const U extends string>(
  baseUrl: string,
  usernames: readonly U[],
): Promise<Record<U, ApiClient>> {
  const clients = {} as Record<U, ApiClient>;
  for (const who of usernames) {
    const client = new ApiClient(baseUrl);
    const res = await client.login(who);
    if (res.status !== 200) throw new Error(`login of ${who}: ${res.status}`);
    clients[who] = client;
  }
  return clients;
}

/**
 * A woman enrolled at site A of the test trial by its administrator, with her day 0: the patient a
 * printed record (casebook, CIOMS-I form) starts from.
 */
export async function enrolTestSubject(
  db: Db,
  trial: TestTrial,
  dates: { birth: string; enrolled: string; day0: string },
): Promise<{ id: string; code: string; pseudonym: string }> {
  const s = await createSubject(
    db,
    { id: trial.users.admin!.id, name: 'admin' },
    {
      studyId: trial.studyId,
      siteId: trial.siteA,
      status: 'enrolled',
      sex: 'F',
      birthDate: dates.birth,
      enrolledAt: dates.enrolled,
      day0Date: dates.day0,
    },
  );
  return { id: s.id, code: s.subject_code, pseudonym: s.pseudonym };
}
