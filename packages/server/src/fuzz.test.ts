// Input fuzzing (issue 9): every JSON route of the OpenAPI document gets malformed, wrong-typed,
// oversized, unicode-edge and injection-shaped bodies, path parameters and query strings from
// fast-check. Always a 4xx with a clear problem+json message, never a 500, never a state change.
import { msctSleTrial } from '@msct/core/protocol';
import { createSubject, createVisit, saveItems } from '@msct/store';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  type TestServer,
  type TestTrial,
} from './testing/test-server.js';

const NASTY_STRINGS = [
  "'; DROP TABLE subjects; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '\u0000',
  '\ud800',
  '\u202e\u200b\ufeff',
  '𝕏'.repeat(300),
  'x'.repeat(70_000),
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose.
  '${7*7}',
  '{{constructor.constructor("return process")()}}',
  '__proto__',
];

const nasty = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
);
const scalar = fc.oneof(
  nasty,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.bigInt().map(String),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('node'), { maxLength: 5 }),
    fc.dictionary(
      fc.oneof(
        nasty,
        fc.constantFrom('items', 'version', 'reason', 'value', 'siteId', '__proto__', 'constructor'),
      ),
      tie('node'),
      { maxKeys: 6 },
    ),
  ),
})).node;
/** A body: structured junk, or raw text that is not JSON at all. */
const body = fc.oneof(
  value.map((v) => JSON.stringify(v)),
  fc.constantFrom('{', '{"items": [', 'null', '[]', '"x"', '{"a":1}}', '\u0000'),
  nasty,
);

/** Percent-encodes, sending raw invalid UTF-8 for a lone surrogate (itself a good probe). */
const enc = (x: string) => {
  try {
    return encodeURIComponent(x);
  } catch {
    return '%ED%A0%80';
  }
};

async function snapshot(server: TestServer) {
  const out: Record<string, number | string> = {};
  for (const t of [
    'studies',
    'sites',
    'users',
    'role_assignments',
    'subjects',
    'visits',
    'form_instances',
    'item_values',
    'infusions',
    'adverse_events',
    'queries',
    'audit_events',
  ] as const) {
    const r = await server.db.kysely
      .selectFrom(t)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    out[t] = Number(r.n);
  }
  out.head = (await server.db.kysely.selectFrom('audit_head').select('hash').executeTakeFirstOrThrow()).hash;
  return out;
}

describe('fuzzing every JSON route', () => {
  let server: TestServer;
  let trial: TestTrial;
  let admin: ApiClient;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    trial = await createTestTrial(server.db, { definition: msctSleTrial });
    const actor = { id: trial.users.admin!.id, name: 'admin' };
    const s = await createSubject(server.db, actor, {
      studyId: trial.studyId,
      siteId: trial.siteA,
      day0Date: '2013-01-10',
    });
    const v = await createVisit(server.db, actor, {
      subjectId: s.id,
      visitCode: 'M1',
      visitDate: '2013-02-09',
    });
    const { form } = await saveItems(server.db, actor, {
      visitId: v.id,
      formCode: 'labs',
      items: [{ itemCode: 'c3', value: '0.5', unit: 'g/L' }],
    });
    Object.assign(ids, {
      studyId: trial.studyId,
      siteId: trial.siteA,
      subjectId: s.id,
      visitId: v.id,
      formId: form.id,
      userId: actor.id,
      formCode: 'labs',
    });
    admin = new ApiClient(server.baseUrl);
    await admin.login('admin');
  });
  afterAll(async () => server?.close());

  it('answers 4xx with a problem body and changes nothing, for every write route and any input', async () => {
    const doc = (await admin.get<{ paths: Record<string, Record<string, unknown>> }>('/api/openapi.json'))
      .body;
    // Routes whose purpose is to end the session are left out: they take no input to fuzz.
    const skip = new Set(['POST /api/auth/logout', 'POST /api/auth/logout-everywhere']);
    const routes = Object.entries(doc.paths)
      .flatMap(([path, ops]) =>
        Object.keys(ops)
          .filter((m) => m !== 'get')
          .map((m) => ({ method: m.toUpperCase(), path })),
      )
      .filter((r) => !skip.has(`${r.method} ${r.path}`));
    expect(routes.length).toBeGreaterThan(15);
    const failures: string[] = [];
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(body, fc.boolean(), nasty, async (payload, realIds, junkId) => {
          const before = await snapshot(server);
          const url = route.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
            enc(realIds ? (ids[name] ?? junkId) : junkId),
          );
          const res = await admin.request<{ detail?: string; code?: string }>(route.method, url, payload);
          const ok =
            res.status >= 400 &&
            res.status < 500 &&
            typeof res.body?.detail === 'string' &&
            res.body.detail.length > 0;
          if (!ok)
            failures.push(
              `${route.method} ${route.path} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)} for ${payload.slice(0, 80)}`,
            );
          expect(await snapshot(server)).toEqual(before);
        }),
        { numRuns: 25, seed: 20140426 },
      );
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('query strings of every read route: junk never gives a 500', async () => {
    const doc = (await admin.get<{ paths: Record<string, Record<string, unknown>> }>('/api/openapi.json'))
      .body;
    const reads = Object.entries(doc.paths)
      .filter(([, ops]) => 'get' in ops)
      .map(([path]) => path);
    const failures: string[] = [];
    for (const path of reads) {
      await fc.assert(
        fc.asyncProperty(nasty, nasty, fc.boolean(), async (k, v, realIds) => {
          const url = `${path.replace(/\{(\w+)\}/g, (_m, name: string) => enc(realIds ? (ids[name] ?? v) : v))}?${enc(k)}=${enc(v)}`;
          const res = await admin.get(url);
          if (res.status >= 500) failures.push(`GET ${url.slice(0, 120)} → ${res.status}`);
        }),
        { numRuns: 15, seed: 16079 },
      );
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('a URL or headers over 16 KB, refused by the HTTP parser before routing, is still problem+json', async () => {
    const res = await fetch(`${server.baseUrl}/api/studies?q=${'x'.repeat(20_000)}`);
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 431, code: 'MSCT_E_HEADERS_TOO_LARGE' });
    // The server goes on answering.
    expect((await fetch(`${server.baseUrl}/api/health`)).status).toBe(200);
  });
});
