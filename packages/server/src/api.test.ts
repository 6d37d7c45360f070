// The API against the real server on a loopback port, on both databases: the quick-start flow,
// concurrent edits, bad input that changes nothing, and the web-security basics.
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  type TestServer,
  type TestTrial,
} from './testing/test-server.js';

type Item = { id: string; itemCode: string; value: string | null; version: number };
type Form = { id: string; formCode: string; version: number; items: Item[] };

/** Counts of every table and the audit head: equal before and after means nothing changed. */
async function snapshot(server: TestServer) {
  const tables = [
    'studies',
    'sites',
    'users',
    'subjects',
    'visits',
    'form_instances',
    'item_values',
    'infusions',
    'adverse_events',
    'queries',
    'audit_events',
  ] as const;
  const out: Record<string, number | string> = {};
  for (const t of tables) {
    const r = await server.db.kysely
      .selectFrom(t)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    out[t] = Number(r.n);
  }
  const head = await server.db.kysely.selectFrom('audit_head').select(['hash']).executeTakeFirstOrThrow();
  out.head = head.hash;
  return out;
}

for (const dialect of TEST_DIALECTS) {
  describe(`API on ${dialect}`, () => {
    let server: TestServer;
    let trial: TestTrial;
    let coord: ApiClient;
    let subjectId: string;
    let visitId: string;

    beforeAll(async () => {
      server = await startTestServer(dialect);
      trial = await createTestTrial(server.db);
      coord = new ApiClient(server.baseUrl);
      await coord.login('coordinator');
      const s = await coord.post<{ id: string; subjectCode: string }>(
        `/api/studies/${trial.studyId}/subjects`,
        { siteId: trial.siteA, sex: 'female', birthDate: '1990-05-01' },
      );
      expect(s.status).toBe(201);
      subjectId = s.body.id;
      const v = await coord.post<{ id: string }>(`/api/subjects/${subjectId}/visits`, {
        visitCode: 'baseline',
        visitDate: '2013-01-10',
      });
      visitId = v.body.id;
    });
    afterAll(async () => server?.close());

    it('quick start: admin creates a study, sites, a user with a role; the user enrols, records a value and reads its audit history', async () => {
      const admin = new ApiClient(server.baseUrl);
      expect((await admin.login('admin')).status).toBe(200);
      const study = await admin.post<{ id: string }>('/api/studies', {
        code: `QS${dialect}`,
        title: 'Quick start study',
      });
      expect(study.status).toBe(201);
      const site = await admin.post<{ id: string }>(`/api/studies/${study.body.id}/sites`, {
        code: 'NJ',
        name: 'Nanjing',
      });
      expect(site.status).toBe(201);
      const user = await admin.post<{ id: string }>('/api/users', {
        username: 'nurse.li',
        displayName: 'Nurse Li',
        password: 'a-long-enough-password',
      });
      expect(user.status).toBe(201);
      expect(
        (
          await admin.post(`/api/users/${user.body.id}/roles`, {
            role: 'coordinator',
            studyId: study.body.id,
            siteId: site.body.id,
          })
        ).status,
      ).toBe(201);

      const nurse = new ApiClient(server.baseUrl);
      const first = await nurse.login('nurse.li', 'a-long-enough-password');
      expect(first.status).toBe(200);
      // The admin chose the password: the nurse chooses her own before anything else (issue 17).
      expect((first.body as { mustChangePassword: boolean }).mustChangePassword).toBe(true);
      expect(
        (await nurse.changePassword('a-long-enough-password', 'nurse-li-own-passphrase-2013')).status,
      ).toBe(204);
      const subject = await nurse.post<{ id: string; subjectCode: string }>(
        `/api/studies/${study.body.id}/subjects`,
        { siteId: site.body.id },
      );
      expect(subject.body.subjectCode).toBe('NJ-001');
      const visit = await nurse.post<{ id: string }>(`/api/subjects/${subject.body.id}/visits`, {
        visitCode: 'screening',
        visitDate: '2013-01-02',
      });
      const saved = await nurse.put<Form>(`/api/visits/${visit.body.id}/forms/labs`, {
        items: [{ itemCode: 'proteinuria_g24h', value: '2.4', unit: 'g/24h' }],
      });
      expect(saved.status).toBe(200);
      const item = saved.body.items[0]!;
      const changed = await nurse.put<Form>(`/api/visits/${visit.body.id}/forms/labs`, {
        items: [{ itemCode: 'proteinuria_g24h', value: '2.6', unit: 'g/24h', version: item.version }],
        reason: 'lab report corrected',
      });
      expect(changed.status).toBe(200);
      const history = await nurse.get<
        {
          actor: string;
          action: string;
          oldValue: string | null;
          newValue: string;
          reason: string | null;
          at: string;
        }[]
      >(`/api/subjects/${subject.body.id}/audit?entityType=item&entityId=${item.id}`);
      expect(history.body.map((h) => [h.actor, h.action, h.oldValue, h.newValue, h.reason])).toEqual([
        ['nurse.li', 'item.enter', null, '2.4 g/24h', null],
        ['nurse.li', 'item.change', '2.4 g/24h', '2.6 g/24h', 'lab report corrected'],
      ]);
      expect(Date.parse(history.body[1]!.at)).toBeGreaterThan(0);
      const verify = await admin.get<{ ok: boolean }>('/api/audit/verify');
      expect(verify.body.ok).toBe(true);
    });

    it('two clients update the same value from the same version: one wins, one gets 409, nothing lost, one change audited', async () => {
      const other = new ApiClient(server.baseUrl);
      await other.login('investigator');
      const first = await coord.put<Form>(`/api/visits/${visitId}/forms/sledai`, {
        items: [{ itemCode: 'arthritis', value: '1' }],
      });
      const item = first.body.items[0]!;
      const [a, b] = await Promise.all([
        coord.put(`/api/visits/${visitId}/forms/sledai`, {
          items: [{ itemCode: 'arthritis', value: '0', version: item.version }],
          reason: 'coordinator re-examined',
        }),
        other.put(`/api/visits/${visitId}/forms/sledai`, {
          items: [{ itemCode: 'arthritis', value: '2', version: item.version }],
          reason: 'investigator re-examined',
        }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const loser = (a.status === 409 ? a : b).body as {
        code: string;
        detail: string;
        currentVersion: number;
      };
      expect(loser.code).toBe('MSCT_E_CONFLICT');
      expect(loser.currentVersion).toBe(2);
      expect(loser.detail).toMatch(/changed by someone else/);
      const trail = await coord.get<{ action: string }[]>(
        `/api/subjects/${subjectId}/audit?entityType=item&entityId=${item.id}`,
      );
      expect(trail.body.map((e) => e.action)).toEqual(['item.enter', 'item.change']);
    });

    it('bad input gets a 4xx naming the field and the rule, and changes nothing', async () => {
      const before = await snapshot(server);
      const cases: [string, string, unknown, number, RegExp][] = [
        [
          'PUT',
          `/api/visits/${visitId}/forms/labs`,
          { items: [{ itemCode: 'c3', value: 0.5 }] },
          400,
          /items\.0\.value/,
        ],
        [
          'PUT',
          `/api/visits/${visitId}/forms/labs`,
          { items: [{ itemCode: 'c3', value: '0.5', colour: 'red' }] },
          400,
          /items\.0/,
        ],
        ['PUT', `/api/visits/${visitId}/forms/labs`, { items: [] }, 400, /items/],
        [
          'PUT',
          `/api/visits/${visitId}/forms/labs`,
          { items: [{ itemCode: '../etc', value: '1' }] },
          400,
          /itemCode/,
        ],
        ['POST', `/api/studies/${trial.studyId}/subjects`, { siteId: 'not-a-uuid' }, 400, /siteId/],
        [
          'POST',
          `/api/studies/${trial.studyId}/subjects`,
          { siteId: trial.siteA, birthDate: '1990-02-31' },
          400,
          /birthDate/,
        ],
        [
          'POST',
          `/api/subjects/${subjectId}/visits`,
          { visitCode: 'm1', visitDate: '2013-13-01' },
          400,
          /visitDate/,
        ],
        [
          'POST',
          `/api/subjects/${subjectId}/infusions`,
          { cycle: 1, infusionNumber: 1, viabilityPct: 140 },
          400,
          /viabilityPct/,
        ],
        [
          'POST',
          `/api/subjects/${subjectId}/adverse-events`,
          { term: 'x', onsetDate: '2013-01-01', relatedness: 'maybe' },
          400,
          /relatedness/,
        ],
        [
          'POST',
          `/api/subjects/${subjectId}/adverse-events`,
          { term: 'x', onsetDate: '2013-01-01', relatedness: 'possible', ctcaeGrade: 6 },
          400,
          /ctcaeGrade/,
        ],
        ['PATCH', `/api/subjects/${subjectId}`, { version: 1, sex: 'male' }, 400, /reason/],
        ['PUT', `/api/visits/${visitId}/forms/labs`, '{"items": [', 400, /JSON|body/i],
        [
          'PUT',
          `/api/visits/${visitId}/forms/labs`,
          { items: [{ itemCode: 'note', value: 'x'.repeat(2001) }] },
          400,
          /value/,
        ],
        [
          'PUT',
          `/api/visits/${visitId}/forms/labs`,
          { items: Array.from({ length: 600 }, (_, i) => ({ itemCode: `i${i}`, value: '1' })) },
          400,
          /items/,
        ],
        [
          'PUT',
          `/api/visits/${visitId}/forms/labs`,
          { items: [{ itemCode: 'big', value: 'y'.repeat(1_200_000) }] },
          413,
          /larger than/,
        ],
      ];
      for (const [method, path, body, status, pattern] of cases) {
        const res = await coord.request<{ code: string; detail: string }>(method, path, body);
        expect({ path, body: JSON.stringify(body).slice(0, 80), status: res.status }).toEqual({
          path,
          body: JSON.stringify(body).slice(0, 80),
          status,
        });
        expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
        expect(res.body.detail).toMatch(pattern);
      }
      expect(await snapshot(server)).toEqual(before);
    });

    it('refuses a state change without the CSRF token', async () => {
      const res = await coord.request(
        'PUT',
        `/api/visits/${visitId}/forms/labs`,
        { items: [{ itemCode: 'c4', value: '0.1' }] },
        { 'x-csrf-token': 'forged' },
      );
      expect(res.status).toBe(403);
      expect((res.body as { code: string }).code).toBe('MSCT_E_CSRF');
    });

    it('sends security headers and an httpOnly SameSite session cookie', async () => {
      const res = await fetch(`${server.baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'monitor', password: 'correct-horse-battery-staple' }),
      });
      const cookie = res.headers.getSetCookie()[0]!;
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('locks an account after repeated failed logins, without revealing whether a username exists', async () => {
      const c = new ApiClient(server.baseUrl);
      const unknown = await c.login('no-such-user', 'whatever-password');
      const wrong = await c.login('statistician', 'wrong-password-1');
      expect(unknown.status).toBe(401);
      expect((unknown.body as { detail: string }).detail).toBe((wrong.body as { detail: string }).detail);
      for (let i = 0; i < 4; i++) await c.login('statistician', 'wrong-password-1');
      const locked = await c.login('statistician');
      expect(locked.status).toBe(401);
      expect((locked.body as { detail: string }).detail).toMatch(/locked/);
    });
  });
}

describe('query lists say who raised them and where', () => {
  it('names the raiser and the visit and form of a query on an item', async () => {
    const server = await startTestServer('sqlite');
    try {
      const trial = await createTestTrial(server.db);
      const coord = new ApiClient(server.baseUrl);
      await coord.login('coordinator');
      const s = await coord.post<{ id: string }>(`/api/studies/${trial.studyId}/subjects`, {
        siteId: trial.siteA,
      });
      const v = await coord.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, { visitCode: 'M1' });
      const form = await coord.put<Form>(`/api/visits/${v.body.id}/forms/labs`, {
        items: [{ itemCode: 'c3', value: '0.3' }],
      });
      const monitor = new ApiClient(server.baseUrl);
      await monitor.login('monitor');
      const q = await monitor.post<{ id: string }>(`/api/subjects/${s.body.id}/queries`, {
        entityType: 'item',
        entityId: form.body.items[0]!.id,
        field: 'labs.c3',
        text: 'Unit?',
      });
      expect(q.status).toBe(201);
      const list = await coord.get<{
        queries: { id: string; raisedByName: string; visitId: string; formCode: string }[];
      }>(`/api/studies/${trial.studyId}/queries`);
      expect(list.body.queries.find((x) => x.id === q.body.id)).toMatchObject({
        raisedByName: 'monitor',
        visitId: v.body.id,
        formCode: 'labs',
      });
      const thread = await coord.get<{ messages: { authorName: string }[] }>(`/api/queries/${q.body.id}`);
      expect(thread.body.messages[0]!.authorName).toBe('monitor');
      const visit = await coord.get<{ signatureMeaning: string }>(`/api/visits/${v.body.id}`);
      expect(visit.body.signatureMeaning).toMatch(/investigator/);
    } finally {
      await server.close();
    }
  });
});

describe('visit overview and enrolment by hand', () => {
  it('gives the visits of the subjects asked for with form states, site-scoped; refuses status enrolled by PATCH', async () => {
    const server = await startTestServer('sqlite');
    try {
      const trial = await createTestTrial(server.db);
      const a = new ApiClient(server.baseUrl);
      await a.login('coordinator');
      const b = new ApiClient(server.baseUrl);
      await b.login('coordinator_b');
      const sa = await a.post<{ id: string; version: number }>(`/api/studies/${trial.studyId}/subjects`, {
        siteId: trial.siteA,
      });
      const va = await a.post<{ id: string }>(`/api/subjects/${sa.body.id}/visits`, {
        visitCode: 'M1',
        visitDate: '2013-02-09',
      });
      await a.put(`/api/visits/${va.body.id}/forms/labs`, { items: [{ itemCode: 'c3', value: '0.4' }] });
      const sb = await b.post<{ id: string }>(`/api/studies/${trial.studyId}/subjects`, {
        siteId: trial.siteB,
      });
      await b.post(`/api/subjects/${sb.body.id}/visits`, { visitCode: 'M1' });
      const ov = await a.get<
        { subjectId: string; visitCode: string; forms: { formCode: string; status: string }[] }[]
      >(`/api/studies/${trial.studyId}/visit-overview?subjectIds=${sa.body.id},${sb.body.id}`);
      expect(ov.body.map((v) => v.subjectId)).toEqual([sa.body.id]);
      // Never every visit of the trial: the subjects must be named (at most 200).
      const all = await a.get<{ errors: { field: string }[] }>(
        `/api/studies/${trial.studyId}/visit-overview`,
      );
      expect(all.status).toBe(400);
      expect(all.body.errors[0]!.field).toBe('querystring.subjectIds');
      expect(ov.body[0]!.forms).toMatchObject([{ formCode: 'labs', status: 'incomplete' }]);
      const patched = await a.patch<{ code: string; errors: { field: string }[] }>(
        `/api/subjects/${sa.body.id}`,
        { version: sa.body.version, status: 'enrolled', reason: 'shortcut' },
      );
      expect(patched.status).toBe(400);
      expect(patched.body.errors[0]!.field).toBe('body.status');
    } finally {
      await server.close();
    }
  });
});
