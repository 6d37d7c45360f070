// Issue 19 item 2: the server's live answers are what the contract declares. On both databases the
// real server is driven through every GET route and the main write routes, as authorised users of a
// test study, and checked twice: each body as it leaves (the wire) against its route's schema for its
// status, and each value a handler returned before serialisation against the same schema made strict
// at every depth — so a field a handler adds without declaring it (which the serialiser would drop)
// fails here instead of silently changing an answer.
import { allRoutes } from '@msct/contract';
import { msctSleTrial } from '@msct/core/protocol';
import { randomisedLnTrial } from '@msct/core/testing';
import { assignRole, createSite, createStudy, type Db } from '@msct/store';
import { createTestDatabase, TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { configFromEnv } from './config.js';
import type { App } from './http/types.js';
import { contractIssues, routeFor } from './testing/contract-check.js';
import {
  ApiClient,
  type ApiResponse,
  createTestTrial,
  TEST_PASSWORD,
  type TestTrial,
} from './testing/test-server.js';

/** The write routes the scenario must reach with a success answer (besides every GET). */
const MAIN_WRITES = [
  'POST /api/auth/login',
  'POST /api/auth/logout',
  'POST /api/auth/logout-everywhere',
  'POST /api/auth/password',
  'POST /api/users',
  'POST /api/users/:userId/active',
  'POST /api/users/:userId/password',
  'POST /api/users/:userId/roles',
  'DELETE /api/users/:userId/roles/:assignmentId',
  'POST /api/studies',
  'POST /api/studies/from-file',
  'POST /api/studies/:studyId/sites',
  'POST /api/studies/:studyId/definition/amendments',
  'POST /api/studies/:studyId/subjects',
  'PATCH /api/subjects/:subjectId',
  'POST /api/subjects/:subjectId/visits',
  'PATCH /api/visits/:visitId',
  'POST /api/visits/:visitId/missed',
  'PUT /api/visits/:visitId/forms/:formCode',
  'POST /api/forms/:formId/status',
  'POST /api/subjects/:subjectId/infusions',
  'PATCH /api/infusions/:infusionId',
  'POST /api/subjects/:subjectId/adverse-events',
  'PATCH /api/adverse-events/:aeId',
  'POST /api/adverse-events/:aeId/follow-ups',
  'PATCH /api/adverse-events/:aeId/sponsor-assessment',
  'POST /api/subjects/:subjectId/queries',
  'POST /api/queries/:queryId/transitions',
  'POST /api/forms/:formId/review',
  'POST /api/forms/:formId/items/:itemCode/verify',
  'POST /api/subjects/:subjectId/verifications',
  'PUT /api/studies/:studyId/sdv-plan',
  'POST /api/studies/:studyId/import.csv',
  'POST /api/subjects/:subjectId/randomise',
  'POST /api/subjects/:subjectId/unblind',
  'POST /api/subjects/:subjectId/randomisation/corrections',
  'POST /api/studies/:studyId/import.odm',
  'POST /api/studies/:studyId/import.fhir',
  'POST /api/studies/:studyId/exports',
  'POST /api/subjects/:subjectId/signatures',
  'POST /api/unlock-requests',
  'POST /api/unlock-requests/:requestId/decline',
  'POST /api/studies/:studyId/locks',
  'POST /api/locks/:lockId/release',
  'POST /api/subjects/:subjectId/attachments',
  'POST /api/attachments/:attachmentId/retract',
];

interface Seen {
  method: string;
  url: string;
  status: number;
  payload: unknown;
}

for (const dialect of TEST_DIALECTS) {
  describe(`live answers match the contract on ${dialect}`, () => {
    let app: App;
    let drop: () => Promise<void>;
    let baseUrl: string;
    let trial: TestTrial;
    let db: Db;
    /** What each handler returned, before serialisation (a hook added for this test). */
    const returned: Seen[] = [];
    /** Every answer on the wire, and the routes answered with success. */
    const wireIssues: string[] = [];
    const succeeded = new Set<string>();
    const clients: Record<string, ApiClient> = {};

    async function call<T = Record<string, unknown>>(
      who: string,
      method: string,
      url: string,
      body?: unknown,
      headers?: Record<string, string>,
    ): Promise<ApiResponse<T>> {
      const res = await clients[who]!.request<T>(method, url, body, headers);
      const route = routeFor(method, url);
      const type = res.headers.get('content-type') ?? '';
      if (!route) wireIssues.push(`${method} ${url}: not a route of the contract`);
      else if (route.produces && res.status < 300) {
        if (!type.startsWith(route.produces))
          wireIssues.push(`${method} ${url}: ${type}, not ${route.produces}`);
      } else if (res.status === 204) {
        if (res.body !== undefined) wireIssues.push(`${method} ${url}: 204 with a body`);
      } else {
        if (res.status >= 400 && !type.startsWith('application/problem+json'))
          wireIssues.push(`${method} ${url}: ${res.status} is ${type}, not problem+json`);
        wireIssues.push(...contractIssues(method, url, res.status, res.body));
      }
      if (route && res.status < 300) succeeded.add(`${route.method} ${route.path}`);
      return res;
    }
    const ok = async <T = Record<string, unknown>>(...args: Parameters<typeof call>) => {
      const res = await call<T>(...args);
      expect(res.status, `${args[1]} ${args[2]}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
      return res.body;
    };

    beforeAll(async () => {
      const t = await createTestDatabase(dialect);
      drop = t.drop;
      db = t.db;
      app = await buildApp({
        db: t.db,
        config: { ...configFromEnv({}), databaseUrl: t.url, port: 0, loginRateLimitPerMinute: 1000 },
      });
      app.addHook('preSerialization', async (req, reply, payload) => {
        returned.push({
          method: req.method,
          url: req.url,
          status: reply.statusCode,
          payload: JSON.parse(JSON.stringify(payload)) as unknown,
        });
        return payload;
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      if (!address || typeof address === 'string') throw new Error('no TCP address');
      baseUrl = `http://127.0.0.1:${address.port}`;
      trial = await createTestTrial(t.db, { definition: msctSleTrial });
      for (const who of ['admin', 'investigator', 'coordinator', 'monitor', 'statistician', 'safety'])
        clients[who] = new ApiClient(baseUrl);
      clients.anonymous = new ApiClient(baseUrl);
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await drop?.();
    });

    it('every GET route and the main writes answer as declared', async () => {
      for (const who of ['admin', 'investigator', 'coordinator', 'monitor', 'statistician', 'safety']) {
        // The login answer is checked; the client's own login then keeps the session and CSRF token.
        await ok(who, 'POST', '/api/auth/login', { username: who, password: TEST_PASSWORD });
        await clients[who]!.login(who);
      }
      const s = `/api/studies/${trial.studyId}`;
      await ok('anonymous', 'GET', '/api/health');
      await ok('admin', 'GET', '/api/auth/me');

      // Administration.
      await ok('admin', 'GET', '/api/users');
      const username = `u${Date.now().toString(36)}`;
      const user = await ok<{ id: string; version: number }>('admin', 'POST', '/api/users', {
        username,
        displayName: 'New user',
        password: 'a-long-enough-passphrase-42',
      });
      const role = await ok<{ id: string }>('admin', 'POST', `/api/users/${user.id}/roles`, {
        role: 'monitor',
        studyId: trial.studyId,
        siteId: null,
      });
      await ok('admin', 'DELETE', `/api/users/${user.id}/roles/${role.id}?reason=no%20longer%20needed`);
      const off = await ok<{ version: number }>('admin', 'POST', `/api/users/${user.id}/active`, {
        active: false,
        version: user.version,
        reason: 'left the trial',
      });
      const on = await ok<{ version: number }>('admin', 'POST', `/api/users/${user.id}/active`, {
        active: true,
        version: off.version,
        reason: 'came back',
      });
      await ok('admin', 'POST', `/api/users/${user.id}/password`, {
        password: 'another-long-passphrase-43',
        version: on.version,
      });
      const study = await ok<{ id: string; version: number }>('admin', 'POST', '/api/studies', {
        code: `C${Date.now() % 100000}`,
        title: 'Contract study',
      });
      await ok('admin', 'POST', `/api/studies/${study.id}/sites`, { code: 'S1', name: 'Site one' });
      // A study from a definition file (issue #20): a dry run, then created.
      const fromFile = { format: 'msct', file: JSON.stringify(msctSleTrial) };
      await ok('admin', 'POST', '/api/studies/from-file', { ...fromFile, dryRun: true });
      await ok('admin', 'POST', '/api/studies/from-file', { ...fromFile, code: `F${Date.now() % 100000}` });
      // The ad-hoc study amended to a full definition: checked (dry run), then applied.
      const amendments = `/api/studies/${study.id}/definition/amendments`;
      await ok('admin', 'POST', amendments, {
        definition: msctSleTrial,
        version: study.version,
        dryRun: true,
      });
      await ok('admin', 'POST', amendments, {
        definition: msctSleTrial,
        version: study.version,
        reason: 'the protocol as data',
      });
      await ok('admin', 'GET', `/api/studies/${study.id}/definition/versions`);
      await ok('admin', 'GET', '/api/audit/verify');

      // A subject through screening, visits, forms, infusions and adverse events.
      await ok('coordinator', 'GET', '/api/studies');
      await ok('coordinator', 'GET', s);
      await ok('coordinator', 'GET', `${s}/sites`);
      await ok('coordinator', 'GET', `${s}/definition/versions`);
      const subject = await ok<{ id: string; version: number }>('coordinator', 'POST', `${s}/subjects`, {
        siteId: trial.siteA,
        sex: 'female',
        birthDate: '1985-03-02',
      });
      const sub = `/api/subjects/${subject.id}`;
      const patched = await ok<{ version: number }>('coordinator', 'PATCH', sub, {
        version: subject.version,
        day0Date: '2013-01-10',
        reason: 'first infusion date',
      });
      await ok('coordinator', 'GET', sub);
      const scr = await ok<{ id: string; version: number }>('coordinator', 'POST', `${sub}/visits`, {
        visitCode: 'SCR',
        visitDate: '2013-01-02',
      });
      await ok('coordinator', 'PATCH', `/api/visits/${scr.id}`, {
        version: scr.version,
        visitDate: '2013-01-03',
        reason: 'date entered wrongly',
      });
      const form = await ok<{ id: string; version: number }>(
        'coordinator',
        'PUT',
        `/api/visits/${scr.id}/forms/labs`,
        {
          // Below C3's range: answered NCS so the form may be complete (issue #22).
          items: [
            { itemCode: 'c3', value: '0.8', unit: 'g/L' },
            { itemCode: 'c3_cs', value: 'NCS' },
          ],
        },
      );
      const done = await ok<{ version: number }>('coordinator', 'POST', `/api/forms/${form.id}/status`, {
        version: form.version,
        status: 'complete',
      });
      await ok('investigator', 'POST', `/api/forms/${form.id}/status`, {
        version: done.version,
        status: 'signed',
        password: TEST_PASSWORD,
      });
      const m1 = await ok<{ id: string; version: number }>('coordinator', 'POST', `${sub}/visits`, {
        visitCode: 'M1',
      });
      // Attachments (issue 22): a PDF uploaded to a visit, listed, downloaded, retracted.
      const file = await ok<{ id: string; version: number }>(
        'coordinator',
        'POST',
        `${sub}/attachments?fileName=letter.pdf&visitId=${m1.id}`,
        Buffer.from('%PDF-1.4\n%%EOF\n'),
        { 'content-type': 'application/octet-stream' },
      );
      await ok('monitor', 'GET', `${sub}/attachments?visitId=${m1.id}`);
      await ok('monitor', 'GET', `/api/attachments/${file.id}/file`);
      await ok('coordinator', 'POST', `/api/attachments/${file.id}/retract`, {
        version: file.version,
        reason: 'uploaded twice',
      });
      await ok('coordinator', 'POST', `/api/visits/${m1.id}/missed`, {
        version: m1.version,
        missed: true,
        reason: 'the patient did not come',
      });
      const inf = await ok<{ id: string; version: number }>('coordinator', 'POST', `${sub}/infusions`, {
        cycle: 1,
        infusionNumber: 1,
        plannedDate: '2013-01-10',
        totalCells: 6e7,
        weightKg: 60,
        viabilityPct: 95,
        vitals: { heartRate: 72 },
        status: 'given',
      });
      await ok('coordinator', 'PATCH', `/api/infusions/${inf.id}`, {
        version: inf.version,
        productLot: 'LOT-1',
        reason: 'lot added',
      });
      const ae = await ok<{ id: string; version: number }>('coordinator', 'POST', `${sub}/adverse-events`, {
        term: 'Fever',
        onsetDate: '2013-01-12',
        relatedness: 'possible',
        seriousness: [],
        actionTaken: 'paracetamol',
      });
      const graded = await ok<{ version: number }>('coordinator', 'PATCH', `/api/adverse-events/${ae.id}`, {
        version: ae.version,
        ctcaeGrade: 2,
        reason: 'graded',
      });
      // It became serious: the SAE detail, a follow-up, the sponsor's assessment, the listing.
      const sae = await ok<{ version: number }>('coordinator', 'PATCH', `/api/adverse-events/${ae.id}`, {
        version: graded.version,
        seriousness: ['hospitalisation'],
        seriousDate: '2013-01-13',
        siteAwareAt: '2013-01-13T08:00:00Z',
        sponsorNotifiedAt: '2013-01-13T12:00:00Z',
        narrative: 'Admitted for fever.',
        reason: 'hospitalised',
      });
      await ok('coordinator', 'POST', `/api/adverse-events/${ae.id}/follow-ups`, {
        entryDate: '2013-01-15',
        text: 'Discharged.',
      });
      await ok('safety', 'PATCH', `/api/adverse-events/${ae.id}/sponsor-assessment`, {
        version: sae.version,
        sponsorRelatedness: 'possible',
        expectedness: 'unexpected',
        reportedDate: '2013-01-20',
        reason: 'sponsor review',
      });
      await ok('safety', 'GET', `/api/adverse-events/${ae.id}`);
      // The SAE's CIOMS-I form (issue #21), as HTML and PDF.
      await ok('safety', 'GET', `/api/adverse-events/${ae.id}/cioms.html`);
      await ok('safety', 'GET', `/api/adverse-events/${ae.id}/cioms.pdf`);
      await ok('safety', 'GET', `${s}/adverse-events?seriousness=serious&relatedness=related`);
      await ok('statistician', 'GET', `${s}/adverse-events`);

      // Signatures and locks (issue 21): a visit signed in one ceremony, an unlock requested and
      // declined, a subject frozen and released.
      const d0 = await ok<{ id: string }>('coordinator', 'POST', `${sub}/visits`, {
        visitCode: 'D0',
        visitDate: '2013-01-10',
      });
      const d0Labs = await ok<{ id: string; version: number }>(
        'coordinator',
        'PUT',
        `/api/visits/${d0.id}/forms/labs`,
        {
          // Below C3's range: answered NCS so the form may be complete (issue #22).
          items: [
            { itemCode: 'c3', value: '0.7', unit: 'g/L' },
            { itemCode: 'c3_cs', value: 'NCS' },
          ],
        },
      );
      const d0Done = await ok<{ version: number }>('coordinator', 'POST', `/api/forms/${d0Labs.id}/status`, {
        version: d0Labs.version,
        status: 'complete',
      });
      await ok('investigator', 'GET', `${s}/signature-worklist`);
      await ok('coordinator', 'GET', `${s}/entry-worklist?today=2026-03-01`);
      await ok('investigator', 'POST', `${sub}/signatures`, {
        visitId: d0.id,
        forms: [{ formId: d0Labs.id, version: d0Done.version }],
        password: TEST_PASSWORD,
      });
      await ok('investigator', 'GET', `${sub}/signatures`);
      await ok('investigator', 'GET', `/api/visits/${d0.id}`);
      const unlockRequest = await ok<{ id: string; version: number }>(
        'coordinator',
        'POST',
        '/api/unlock-requests',
        {
          targetType: 'form',
          targetId: d0Labs.id,
          reason: 'a late lab value',
        },
      );
      await ok('investigator', 'POST', `/api/unlock-requests/${unlockRequest.id}/decline`, {
        version: unlockRequest.version,
        reason: 'the value was confirmed',
      });
      const freeze = await ok<{ id: string; version: number }>('admin', 'POST', `${s}/locks`, {
        level: 'subject',
        subjectId: subject.id,
        kind: 'freeze',
        reason: 'interim review',
      });
      await ok('admin', 'GET', `${s}/locks`);
      await ok('admin', 'POST', `/api/locks/${freeze.id}/release`, {
        version: freeze.version,
        reason: 'review done',
      });

      // Queries: raised by the monitor, answered by the site.
      const q = await ok<{ id: string; version: number }>('monitor', 'POST', `${sub}/queries`, {
        entityType: 'subject',
        entityId: subject.id,
        field: 'birthDate',
        text: 'please check the birth date',
      });
      await ok('coordinator', 'POST', `/api/queries/${q.id}/transitions`, {
        transition: 'answer',
        version: q.version,
        text: 'checked against the source',
      });
      await ok('monitor', 'GET', `/api/queries/${q.id}`);
      await ok('monitor', 'GET', `${s}/queries?status=answered`);
      await ok('monitor', 'GET', `${s}/queries.csv?minAgeDays=0`);
      // The out-of-range lab list (issue #22): the C3 values above are below the protocol's 0.9 g/L.
      await ok('monitor', 'GET', `${s}/out-of-range-labs?lab=c3&flag=L&significance=NCS`);
      await ok('monitor', 'GET', `${s}/out-of-range-labs.csv?lab=c3`);

      // Review and source verification; the SDV plan; the monitor's worklist.
      await ok('monitor', 'POST', `/api/forms/${form.id}/review`, { mark: 'verified', version: 0 });
      await ok('monitor', 'GET', `/api/visits/${scr.id}/reviews`);
      const plan = await ok<{ version: number }>('monitor', 'GET', `${s}/sdv-plan`);
      await ok('admin', 'PUT', `${s}/sdv-plan`, {
        plan: { mode: 'subset', rules: [{ formCode: 'labs', visitCode: 'SCR' }] },
        version: plan.version,
      });
      await ok('monitor', 'GET', `${s}/worklist?saeDays=7`);
      // Per-item and bulk verification (session 8).
      await ok('monitor', 'POST', `/api/forms/${d0Labs.id}/items/c3/verify`, { version: 0 });
      const d0Reviews = await ok<{ formId: string; version: number }[]>(
        'monitor',
        'GET',
        `/api/visits/${d0.id}/reviews`,
      );
      await ok('monitor', 'POST', `${sub}/verifications`, {
        visitId: d0.id,
        forms: d0Reviews.map((r) => ({ formId: r.formId, version: r.version })),
      });
      await ok('admin', 'GET', `${s}/lock-readiness`);

      // Every read of the subject and the study.
      for (const url of [
        `${sub}/visits`,
        `/api/visits/${scr.id}`,
        `/api/visits/${scr.id}/scores`,
        `${sub}/infusions`,
        `${sub}/adverse-events`,
        `${sub}/audit`,
        `${sub}/endpoints`,
        `${sub}/eligibility`,
        `${sub}/schedule?today=2014-01-01`,
        `${s}/subjects`,
        `${s}/subject-counts?today=2014-01-01`,
        `${s}/record-status?limit=20`,
        `${s}/visit-overview?subjectIds=${subject.id}`,
        `${s}/endpoints`,
      ])
        await ok('coordinator', 'GET', url);
      for (const url of [`${s}/analysis`, `${s}/analysis/report.html`, `${s}/export.odm.xml`])
        await ok('statistician', 'GET', url);
      for (const url of [`${s}/definition.odm.xml`, `${s}/definition.csv`, `${s}/definition.html`])
        await ok('statistician', 'GET', url);
      // Printed documents (issue #22): blank CRFs and the casebook, as HTML and PDF.
      for (const url of [`${s}/crfs.html`, `${s}/crfs.pdf`, `${sub}/casebook.html`, `${sub}/casebook.pdf`])
        await ok('coordinator', 'GET', url);
      await ok('statistician', 'GET', `${s}/endpoints`);
      await ok('statistician', 'GET', sub);

      // Imports (dry runs) of a CSV and of the study's own ODM export.
      await ok(
        'admin',
        'POST',
        `${s}/import.csv?dryRun=true`,
        'subject,visit,form,item,value,unit\nNOPE,SCR,labs,c3,0.9,g/L\n',
        { 'content-type': 'text/csv' },
      );
      const odm = await clients.admin!.request<string>('GET', `${s}/export.odm.xml`);
      await ok('admin', 'POST', `${s}/import.odm?dryRun=true`, odm.body, {
        'content-type': 'application/xml',
      });
      await ok(
        'admin',
        'POST',
        `${s}/import.fhir?dryRun=true&skipUnmapped=true`,
        JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [] }),
        { 'content-type': 'application/fhir+json' },
      );

      // An export job (issue 22): started, followed to its end, listed, its file downloaded.
      const job = await ok<{ id: string; status: string }>('statistician', 'POST', `${s}/exports`, {
        format: 'csv-wide',
      });
      let state = job;
      for (let i = 0; i < 200 && state.status !== 'done' && state.status !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        state = await ok<{ id: string; status: string }>('statistician', 'GET', `/api/exports/${job.id}`);
      }
      expect(state.status).toBe('done');
      await ok('statistician', 'GET', '/api/exports');
      await ok('statistician', 'GET', `/api/exports/${job.id}/file?part=dictionary`);

      // Enrolment is refused while criteria are missing: a problem with the criteria.
      const enrol = await call('coordinator', 'POST', `${sub}/enrol`, {
        version: patched.version,
        day0Date: '2013-01-10',
      });
      expect([200, 409, 422]).toContain(enrol.status);
      // Randomisation (issue 24), on a second study defined as data with two arms.
      const system = { id: null, name: 'test' };
      const rct = await createStudy(db, system, { code: 'RCT', title: 'RCT', definition: randomisedLnTrial });
      const rctSite = await createSite(db, system, { studyId: rct.id, code: 'SA', name: 'Site A' });
      for (const who of ['coordinator', 'investigator', 'monitor', 'statistician'] as const)
        await assignRole(db, system, {
          userId: trial.users[who]!.id,
          role: who,
          studyId: rct.id,
          siteId: null,
        });
      const r = `/api/studies/${rct.id}`;
      const rs = await ok<{ id: string; version: number }>('coordinator', 'POST', `${r}/subjects`, {
        siteId: rctSite.id,
      });
      const rscr = await ok<{ id: string }>('coordinator', 'POST', `/api/subjects/${rs.id}/visits`, {
        visitCode: 'SCR',
        visitDate: '2026-01-05',
      });
      await ok('coordinator', 'PUT', `/api/visits/${rscr.id}/forms/renal-screening`, {
        items: [{ itemCode: 'ln_class', value: 'III' }],
      });
      await ok('coordinator', 'POST', `/api/subjects/${rs.id}/enrol`, {
        version: rs.version,
        day0Date: '2026-01-10',
      });
      await ok('coordinator', 'POST', `/api/subjects/${rs.id}/randomise`);
      await ok('investigator', 'POST', `/api/subjects/${rs.id}/unblind`, { reason: 'serious adverse event' });
      await ok('monitor', 'GET', `/api/subjects/${rs.id}/randomisation`);
      await ok('investigator', 'GET', `${r}/unblindings`);
      await ok('statistician', 'GET', `${r}/randomisation/balance`);
      const current = randomisedLnTrial.arms!.map((a) => a.id);
      await ok('investigator', 'POST', `/api/subjects/${rs.id}/randomisation/corrections`, {
        // To whichever arm the subject was not randomised to: the first try may be its own arm (409).
        toArm: (await db.kysely
          .selectFrom('randomisation_assignments')
          .select('arm')
          .where('subject_id', '=', rs.id)
          .executeTakeFirstOrThrow()
          .then((a) => current.find((x) => x !== a.arm)))!,
        reason: 'kit of the other arm dispensed',
      });
      await ok('investigator', 'GET', `${r}/randomisation/corrections`);
      await ok('statistician', 'GET', `${r}/randomisation/list`);

      // Problems: not found, invalid input, unauthenticated.
      expect(
        (await call('coordinator', 'GET', '/api/subjects/00000000-0000-7000-8000-000000000000')).status,
      ).toBe(404);
      expect((await call('coordinator', 'POST', `${sub}/visits`, { visitCode: '' })).status).toBe(400);
      expect((await call('anonymous', 'GET', s)).status).toBe(401);

      // Own password, then the sessions end.
      const fresh = new ApiClient(baseUrl);
      clients.fresh = fresh;
      await fresh.login(username, 'another-long-passphrase-43');
      await ok('fresh', 'POST', '/api/auth/password', {
        currentPassword: 'another-long-passphrase-43',
        newPassword: 'my-own-chosen-passphrase-44',
      });
      await fresh.login(username, 'my-own-chosen-passphrase-44');
      await ok('monitor', 'POST', '/api/auth/logout');
      await ok('fresh', 'POST', '/api/auth/logout-everywhere');

      expect(wireIssues).toEqual([]);
      const handlerIssues = returned.flatMap((r) => contractIssues(r.method, r.url, r.status, r.payload));
      expect(handlerIssues).toEqual([]);
      const gets = allRoutes.filter((r) => r.method === 'GET').map((r) => `GET ${r.path}`);
      expect([...gets, ...MAIN_WRITES].filter((k) => !succeeded.has(k))).toEqual([]);
    }, 120_000);
  });
}
