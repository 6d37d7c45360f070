// Input fuzzing (issue 9): every JSON route of the OpenAPI document gets malformed, wrong-typed,
// oversized, unicode-edge and injection-shaped bodies, path parameters and query strings from
// fast-check. Always a 4xx with a clear problem+json message, never a 500, never a state change.
import { msctSleTrial } from '@msct/core/protocol';
import { createSubject, createVisit, saveItems, verifyAuditChain } from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  TEST_PASSWORD,
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

// Issue 17, integrity round 2. (1) The text rule on every write route of the OpenAPI document: each
// string a route takes — every string property of its JSON body at any depth, keys of free-form
// objects, path and query parameters — gets a lone surrogate, a C0 control character (NUL among
// them), a non-character or an overlong string, inside otherwise plausible input. (2) Repeated and
// out-of-order state transitions and dangling or foreign references, as random sequences. On both
// databases: never a 5xx; a refusal is problem+json and changes neither the data nor the audit head;
// the audit chain verifies at the end.

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maxLength?: number;
  minItems?: number;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
}
interface OpenApiOperation {
  parameters?: { name: string; in: 'path' | 'query'; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

/** A place a route takes text: a body path (`body.items.0.value`), a key of a free-form object, or a parameter. */
interface Slot {
  in: 'body' | 'body-key' | 'path' | 'query';
  path: (string | number)[];
  maxLength?: number;
}

/** A plausible instance of a schema: real ids by property name, sample values otherwise. */
function sampleOf(s: JsonSchema, name: string, ids: Record<string, string>): unknown {
  if (s.anyOf?.[0]) return sampleOf(s.anyOf[0], name, ids);
  if (s.enum) return s.enum[0];
  switch (s.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, p] of Object.entries(s.properties ?? {})) out[k] = sampleOf(p, k, ids);
      if (typeof s.additionalProperties === 'object' && !s.properties) out.note = 'x';
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sampleOf(s.items ?? {}, name, ids));
    case 'integer':
    case 'number':
      return name === 'version' ? 1 : Math.max(1, s.minimum ?? 1);
    case 'boolean':
      return false;
    default:
      if (s.format === 'uuid') return ids[name] ?? ids.subjectId;
      if (s.format === 'date') return '2013-02-01';
      if (s.format === 'date-time') return '2013-02-01T10:00:00Z';
      if (s.pattern) return 'ok1';
      return 'plausible text';
  }
}

/** Every string place of a body schema. */
function bodySlots(s: JsonSchema, path: (string | number)[] = []): Slot[] {
  if (s.anyOf) return s.anyOf.flatMap((b) => bodySlots(b, path)).slice(0, 1);
  if (s.type === 'object') {
    const out = Object.entries(s.properties ?? {}).flatMap(([k, p]) => bodySlots(p, [...path, k]));
    if (typeof s.additionalProperties === 'object' && !s.properties)
      out.push({ in: 'body', path: [...path, 'note'] }, { in: 'body-key', path });
    return out;
  }
  if (s.type === 'array') return bodySlots(s.items ?? {}, [...path, 0]);
  if (s.type === 'string' || (!s.type && !s.enum))
    return [{ in: 'body', path, ...(s.maxLength ? { maxLength: s.maxLength } : {}) }];
  return [];
}

const fromCp = (cp: number) => String.fromCodePoint(cp);
/** A bad character of each class, with the rule that must name it. */
const badCharacter = fc.oneof(
  fc
    .integer({ min: 0xd800, max: 0xdfff })
    .map((cp) => ({ text: String.fromCharCode(cp), rules: ['unicode'] })),
  fc
    .constantFrom(0, 1, 7, 8, 11, 12, 14, 27, 31)
    .map((cp) => ({ text: fromCp(cp), rules: ['control-character'] })),
  fc
    .oneof(
      fc.integer({ min: 0xfdd0, max: 0xfdef }),
      fc.constantFrom(0xfffe, 0xffff),
      fc
        .integer({ min: 1, max: 16 })
        .chain((p) => fc.constantFrom(p * 0x10000 + 0xfffe, p * 0x10000 + 0xffff)),
    )
    .map((cp) => ({ text: fromCp(cp), rules: ['noncharacter'] })),
);
/** Bad text: a bad character inside printable text (ASCII around it, so no surrogate can pair up), or overlong. */
const badText = (maxLength: number | undefined) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.string({ maxLength: 8 }), badCharacter, fc.string({ maxLength: 8 }))
        .map(([a, b, c]) => ({ text: a + b.text + c, rules: b.rules })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({
        text: 'x'.repeat((maxLength ?? 100_000) + 1),
        rules: maxLength ? ['too_big', 'max-length'] : ['max-length'],
      }),
    },
  );

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  at[path[path.length - 1]!] = value;
  return copy;
}

/** Percent-encodes text, a lone surrogate as the UTF-8-like bytes a broken client would send. */
const encodeLoose = (x: string) =>
  [...x]
    .map((ch) => {
      const cp = ch.codePointAt(0)!;
      if (cp >= 0xd800 && cp <= 0xdfff)
        return `%${(0xe0 | (cp >> 12)).toString(16)}%${(0x80 | ((cp >> 6) & 0x3f)).toString(16)}%${(0x80 | (cp & 0x3f)).toString(16)}`.toUpperCase();
      return encodeURIComponent(ch);
    })
    .join('');

for (const dialect of TEST_DIALECTS)
  describe(`issue 17 fuzz on ${dialect}: text rule on every write route, state transitions, references`, () => {
    let server: TestServer;
    let trial: TestTrial;
    let admin: ApiClient;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      server = await startTestServer(dialect);
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
      const { form, items } = await saveItems(server.db, actor, {
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
        itemId: items[0]!.id,
        userId: trial.users.coordinator!.id,
        formCode: 'labs',
      });
      admin = new ApiClient(server.baseUrl);
      await admin.login('admin');
    });
    afterAll(async () => server?.close());

    it('every string a write route takes, made malformed, is a 400 naming it; nothing changes', async () => {
      const doc = (
        await admin.get<{ paths: Record<string, Record<string, OpenApiOperation>> }>('/api/openapi.json')
      ).body;
      const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.entries(ops)
          .filter(([m]) => m !== 'get')
          .map(([m, op]) => ({ method: m.toUpperCase(), path, op })),
      );
      expect(routes.length).toBeGreaterThan(20);
      const failures: string[] = [];
      let cases = 0;
      let slotsCovered = 0;
      for (const { method, path, op } of routes) {
        const schema = op.requestBody?.content?.['application/json']?.schema;
        const body = schema ? sampleOf(schema, '', ids) : undefined;
        const slots: Slot[] = [
          ...(schema ? bodySlots(schema) : []),
          ...(op.parameters ?? [])
            .filter(
              (p) =>
                p.in === 'path' || (p.in === 'query' && (p.schema?.type === 'string' || !p.schema?.enum)),
            )
            .map((p): Slot => ({ in: p.in, path: [p.name] })),
        ];
        slotsCovered += slots.length;
        for (const slot of slots) {
          await fc.assert(
            fc.asyncProperty(badText(slot.maxLength), async (bad) => {
              cases++;
              const name = String(slot.path[0]);
              const url =
                path.replace(/\{(\w+)\}/g, (_m, p: string) =>
                  slot.in === 'path' && p === name
                    ? encodeLoose(bad.text)
                    : encodeURIComponent(ids[p] ?? ids.subjectId!),
                ) + (slot.in === 'query' ? `?${name}=${encodeLoose(bad.text)}` : '');
              let payload = body;
              if (slot.in === 'body') payload = setAt(body, slot.path, bad.text);
              if (slot.in === 'body-key') payload = setAt(body, slot.path, { [bad.text]: 1 });
              const before = await snapshot(server);
              const res = await admin.request<{
                detail?: string;
                errors?: { field: string; rule: string }[];
              }>(method, url, payload);
              const where = `${method} ${path} ${slot.in}:${slot.path.join('.')} (${JSON.stringify(bad.text.slice(0, 20))}…)`;
              if (res.status >= 500 || res.status < 400 || typeof res.body?.detail !== 'string')
                failures.push(`${where} → ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
              else if (slot.in === 'body' || slot.in === 'body-key') {
                // A body string is refused with 400 naming exactly that field and the rule broken.
                const field = slot.in === 'body' ? ['body', ...slot.path].join('.') : undefined;
                const named = res.body.errors?.some(
                  (e) =>
                    (field ? e.field === field : e.field.startsWith(['body', ...slot.path].join('.'))) &&
                    bad.rules.includes(e.rule),
                );
                if (res.status !== 400 || !named)
                  failures.push(
                    `${where} → ${res.status} not naming it: ${JSON.stringify(res.body.errors)?.slice(0, 200)}`,
                  );
              }
              expect(await snapshot(server)).toEqual(before);
            }),
            { numRuns: 6, seed: 17_2026 },
          );
        }
      }
      console.log(
        `issue 17 text fuzz (${dialect}): ${routes.length} write routes, ${slotsCovered} text slots, ${cases} cases, ${failures.length} failures`,
      );
      expect(failures).toEqual([]);
      expect(cases).toBeGreaterThan(300);
      expect(await verifyAuditChain(server.db)).toMatchObject({ ok: true });
    }, 600_000);

    it('repeated and out-of-order transitions, dangling and foreign references: never a 5xx, a refusal changes nothing', async () => {
      const actor = { id: trial.users.admin!.id, name: 'admin' };
      type Rec = { id: string; subject: number; version: number };
      const subjects: Rec[] = [];
      const visits: Rec[] = [];
      const forms: (Rec & { status: string })[] = [];
      const items: Rec[] = [];
      const infusions: (Rec & { cycle: number; number: number })[] = [];
      const aes: Rec[] = [];
      const queries: (Rec & { status: string })[] = [];
      for (const siteId of [trial.siteA, trial.siteA, trial.siteB]) {
        const s = await createSubject(server.db, actor, {
          studyId: trial.studyId,
          siteId,
          day0Date: '2013-01-10',
        });
        const v = await createVisit(server.db, actor, {
          subjectId: s.id,
          visitCode: 'M3',
          visitDate: '2013-04-10',
        });
        const { form, items: saved } = await saveItems(server.db, actor, {
          visitId: v.id,
          formCode: 'labs',
          items: [{ itemCode: 'c3', value: '0.7', unit: 'g/L' }],
        });
        const n = subjects.length;
        subjects.push({ id: s.id, subject: n, version: Number(s.version) });
        visits.push({ id: v.id, subject: n, version: Number(v.version) });
        forms.push({ id: form.id, subject: n, version: Number(form.version), status: form.status });
        items.push({ id: saved[0]!.id, subject: n, version: Number(saved[0]!.version) });
      }
      const UNKNOWN = '00000000-0000-4000-8000-000000000000';
      const version = fc.constantFrom('current', 'current', 'stale', 'zero', 'future');
      const versionOf = (r: { version: number }, v: string) =>
        v === 'current'
          ? r.version
          : v === 'stale'
            ? Math.max(0, r.version - 1)
            : v === 'zero'
              ? 0
              : r.version + 3;
      const pick = <T>(pool: T[], i: number) => (pool.length === 0 ? undefined : pool[i % pool.length]);
      const op = fc.oneof(
        fc.record({
          kind: fc.constant('raise' as const),
          subject: fc.nat(2),
          target: fc.constantFrom('subject', 'visit', 'form', 'item', 'infusion', 'adverse event'),
          of: fc.nat(8),
        }),
        fc.record({
          kind: fc.constant('transition' as const),
          query: fc.nat(20),
          transition: fc.constantFrom('answer', 'close', 'reopen'),
          version,
        }),
        fc.record({
          kind: fc.constant('formStatus' as const),
          form: fc.nat(2),
          status: fc.constantFrom('incomplete', 'complete', 'signed'),
          version,
          reason: fc.boolean(),
        }),
        fc.record({
          kind: fc.constant('infusion' as const),
          subject: fc.nat(2),
          cycle: fc.integer({ min: 1, max: 2 }),
          number: fc.integer({ min: 1, max: 2 }),
        }),
        fc.record({
          kind: fc.constant('patchInfusion' as const),
          infusion: fc.nat(20),
          cycle: fc.integer({ min: 1, max: 2 }),
          number: fc.integer({ min: 1, max: 2 }),
          version,
        }),
        fc.record({
          kind: fc.constant('ae' as const),
          subject: fc.nat(2),
          link: fc.oneof(fc.nat(20), fc.constantFrom('unknown', 'none')),
        }),
        fc.record({
          kind: fc.constant('patchAe' as const),
          ae: fc.nat(20),
          link: fc.oneof(fc.nat(20), fc.constantFrom('unknown', 'none')),
          version,
        }),
        fc.record({ kind: fc.constant('missed' as const), visit: fc.nat(2), missed: fc.boolean(), version }),
        fc.record({ kind: fc.constant('enrol' as const), subject: fc.nat(2), version }),
        fc.record({
          kind: fc.constant('subjectStatus' as const),
          subject: fc.nat(2),
          status: fc.constantFrom('screening', 'withdrawn', 'completed', 'screen_failed'),
          version,
        }),
        fc.record({
          kind: fc.constant('save' as const),
          item: fc.nat(2),
          value: fc.constantFrom('0.4', '0.9'),
          version,
          reason: fc.boolean(),
        }),
      );
      const failures: string[] = [];
      let steps = 0;
      let refusals = 0;
      const linkOf = (link: number | 'unknown' | 'none') =>
        link === 'none'
          ? { id: null, subject: -1 }
          : link === 'unknown'
            ? { id: UNKNOWN, subject: -1 }
            : (pick(infusions, link) ?? { id: UNKNOWN, subject: -1 });
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 15 }), async (ops) => {
          for (const o of ops) {
            let method = 'POST';
            let url = '';
            let payload: unknown;
            /** The status the model expects, when it knows. */
            let expected: number | undefined;
            let onOk: (b: Record<string, unknown>) => void = () => {};
            switch (o.kind) {
              case 'raise': {
                const pools = {
                  subject: subjects,
                  visit: visits,
                  form: forms,
                  item: items,
                  infusion: infusions,
                  'adverse event': aes,
                };
                const target = pick(pools[o.target] as Rec[], o.of);
                url = `/api/subjects/${subjects[o.subject]!.id}/queries`;
                payload = { entityType: o.target, entityId: target?.id ?? UNKNOWN, text: 'please check' };
                expected = target && target.subject === o.subject ? 201 : 404;
                onOk = (b) =>
                  queries.push({
                    id: String(b.id),
                    subject: o.subject,
                    version: Number(b.version),
                    status: 'open',
                  });
                break;
              }
              case 'transition': {
                const q = pick(queries, o.query);
                if (!q) continue;
                url = `/api/queries/${q.id}/transitions`;
                payload = { transition: o.transition, version: versionOf(q, o.version), text: 'step' };
                const from = {
                  answer: ['open'],
                  close: ['open', 'answered'],
                  reopen: ['answered', 'closed'],
                }[o.transition];
                if (o.version === 'current') expected = from.includes(q.status) ? 200 : 400;
                onOk = (b) => Object.assign(q, { version: Number(b.version), status: String(b.status) });
                break;
              }
              case 'formStatus': {
                const f = forms[o.form]!;
                url = `/api/forms/${f.id}/status`;
                payload = {
                  version: versionOf(f, o.version),
                  status: o.status,
                  ...(o.status === 'signed' ? { password: TEST_PASSWORD } : {}),
                  ...(o.reason ? { reason: 'correction' } : {}),
                };
                if (o.version === 'current' && o.status === 'signed')
                  expected = f.status === 'signed' ? 400 : 200;
                onOk = (b) => Object.assign(f, { version: Number(b.version), status: String(b.status) });
                break;
              }
              case 'infusion': {
                url = `/api/subjects/${subjects[o.subject]!.id}/infusions`;
                payload = { cycle: o.cycle, infusionNumber: o.number };
                expected = infusions.some(
                  (i) => i.subject === o.subject && i.cycle === o.cycle && i.number === o.number,
                )
                  ? 409
                  : 201;
                onOk = (b) =>
                  infusions.push({
                    id: String(b.id),
                    subject: o.subject,
                    version: Number(b.version),
                    cycle: o.cycle,
                    number: o.number,
                  });
                break;
              }
              case 'patchInfusion': {
                const inf = pick(infusions, o.infusion);
                if (!inf) continue;
                method = 'PATCH';
                url = `/api/infusions/${inf.id}`;
                payload = {
                  version: versionOf(inf, o.version),
                  cycle: o.cycle,
                  infusionNumber: o.number,
                  reason: 'renumbered',
                };
                const clash = infusions.some(
                  (i) =>
                    i !== inf && i.subject === inf.subject && i.cycle === o.cycle && i.number === o.number,
                );
                if (o.version === 'current') expected = clash ? 409 : 200;
                onOk = (b) =>
                  Object.assign(inf, { version: Number(b.version), cycle: o.cycle, number: o.number });
                break;
              }
              case 'ae': {
                const link = linkOf(o.link);
                url = `/api/subjects/${subjects[o.subject]!.id}/adverse-events`;
                payload = {
                  term: 'Fever',
                  onsetDate: '2013-01-20',
                  relatedness: 'possible',
                  infusionId: link.id,
                };
                expected = link.id === null || link.subject === o.subject ? 201 : 400;
                onOk = (b) => aes.push({ id: String(b.id), subject: o.subject, version: Number(b.version) });
                break;
              }
              case 'patchAe': {
                const ae = pick(aes, o.ae);
                if (!ae) continue;
                const link = linkOf(o.link);
                method = 'PATCH';
                url = `/api/adverse-events/${ae.id}`;
                payload = { version: versionOf(ae, o.version), infusionId: link.id, reason: 'relinked' };
                if (o.version === 'current' && link.id !== null && link.subject !== ae.subject)
                  expected = 400;
                onOk = (b) => Object.assign(ae, { version: Number(b.version) });
                break;
              }
              case 'missed': {
                const v = visits[o.visit]!;
                url = `/api/visits/${v.id}/missed`;
                payload = { version: versionOf(v, o.version), missed: o.missed, reason: 'not done' };
                onOk = (b) => Object.assign(v, { version: Number(b.version) });
                break;
              }
              case 'enrol': {
                const subj = subjects[o.subject]!;
                url = `/api/subjects/${subj.id}/enrol`;
                payload = { version: versionOf(subj, o.version), day0Date: '2013-01-10' };
                onOk = (b) => Object.assign(subj, { version: Number(b.version) });
                break;
              }
              case 'subjectStatus': {
                const subj = subjects[o.subject]!;
                method = 'PATCH';
                url = `/api/subjects/${subj.id}`;
                payload = { version: versionOf(subj, o.version), status: o.status, reason: 'status review' };
                onOk = (b) => Object.assign(subj, { version: Number(b.version) });
                break;
              }
              case 'save': {
                const it = items[o.item]!;
                method = 'PUT';
                url = `/api/visits/${visits[o.item]!.id}/forms/labs`;
                payload = {
                  items: [{ itemCode: 'c3', value: o.value, unit: 'g/L', version: versionOf(it, o.version) }],
                  ...(o.reason ? { reason: 'lab correction' } : {}),
                };
                onOk = (b) => {
                  const saved = (b.items as { id: string; version: number }[]).find((x) => x.id === it.id);
                  if (saved) it.version = Number(saved.version);
                  forms[o.item]!.version = Number(b.version);
                };
                break;
              }
            }
            steps++;
            const before = await snapshot(server);
            const res = await admin.request<Record<string, unknown>>(method, url, payload);
            const where = `${method} ${url} ${JSON.stringify(payload)}`;
            if (res.status >= 500)
              failures.push(`${where} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
            else if (expected !== undefined && res.status !== expected)
              failures.push(
                `${where} → ${res.status}, expected ${expected}: ${JSON.stringify(res.body).slice(0, 200)}`,
              );
            if (res.status >= 400) {
              refusals++;
              if (
                !res.headers.get('content-type')?.startsWith('application/problem+json') ||
                typeof res.body?.detail !== 'string'
              )
                failures.push(`${where} → ${res.status} without a problem body`);
              expect(await snapshot(server)).toEqual(before);
            } else onOk(res.body);
          }
        }),
        { numRuns: 80, seed: 17_0617 },
      );
      console.log(
        `issue 17 state fuzz (${dialect}): ${steps} requests, ${refusals} refused, ${failures.length} failures`,
      );
      expect(failures).toEqual([]);
      expect(refusals).toBeGreaterThan(20);
      expect(await verifyAuditChain(server.db)).toMatchObject({ ok: true });
    }, 600_000);
  });
