// Issue 17, integrity round 2 (input and state), against the real server on both databases: text
// that cannot be stored as hashed (lone surrogates), NUL, control characters, non-characters and
// overlong strings are refused with 400 naming the field and the rule; repeated and out-of-order
// query transitions, a duplicate infusion and an adverse event linked to an unknown infusion or to
// another subject's are 4xx problems, not 500s; a query cannot point at another site's record; API
// answers are not cached. Every refusal leaves the database and the audit head as they were, and
// the audit chain verifies afterwards.
import { msctSleTrial } from '@msct/core/protocol';
import {
  createSubject,
  createSubjectRecord,
  createVisit,
  raiseQuery,
  StoreError,
  saveItems,
  verifyAuditChain,
  writeTransaction,
} from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  type TestServer,
  type TestTrial,
} from './testing/test-server.js';

type Problem = { status: number; code: string; detail: string; errors?: { field: string; rule: string }[] };

/** Row counts of every table the API writes, and the audit head. */
async function fingerprint(server: TestServer) {
  const out: Record<string, number | string> = {};
  for (const t of [
    'subjects',
    'visits',
    'form_instances',
    'item_values',
    'infusions',
    'adverse_events',
    'queries',
    'query_messages',
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

const aeBody = (extra: Record<string, unknown> = {}) => ({
  term: 'Fever',
  onsetDate: '2013-01-20',
  relatedness: 'possible',
  ...extra,
});

for (const dialect of TEST_DIALECTS) {
  describe(`issue 17 input and state integrity on ${dialect}`, () => {
    let server: TestServer;
    let trial: TestTrial;
    let coord: ApiClient;
    let monitor: ApiClient;
    const ids = {} as Record<
      | 'subjectA'
      | 'subjectA2'
      | 'subjectB'
      | 'visitA'
      | 'formA'
      | 'itemA'
      | 'visitB'
      | 'itemB'
      | 'infusionA2',
      string
    >;

    beforeAll(async () => {
      server = await startTestServer(dialect);
      trial = await createTestTrial(server.db, { definition: msctSleTrial });
      const actor = { id: trial.users.admin!.id, name: 'admin' };
      const subject = async (siteId: string) => {
        const s = await createSubject(server.db, actor, {
          studyId: trial.studyId,
          siteId,
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
          // C3 0.5 g/L is below its range: its CS/NCS answer lets the form be complete (issue #22).
          items: [
            { itemCode: 'c3', value: '0.5', unit: 'g/L' },
            { itemCode: 'c3_cs', value: 'NCS' },
          ],
        });
        return { s, v, form, item: items.find((i) => i.item_code === 'c3')! };
      };
      const a = await subject(trial.siteA);
      const a2 = await subject(trial.siteA);
      const b = await subject(trial.siteB);
      const inf = await createSubjectRecord(server.db, actor, 'infusions', a2.s.id, {
        cycle: 1,
        infusion_number: 1,
        planned_date: '2013-01-10',
        started_at: null,
        ended_at: null,
        product_lot: null,
        total_cells: null,
        viability_pct: null,
        volume_ml: null,
        weight_kg: null,
        vitals_json: null,
        reactions: null,
        status: 'given',
      });
      Object.assign(ids, {
        subjectA: a.s.id,
        subjectA2: a2.s.id,
        subjectB: b.s.id,
        visitA: a.v.id,
        formA: a.form.id,
        itemA: a.item.id,
        visitB: b.v.id,
        itemB: b.item.id,
        infusionA2: inf.id,
      });
      coord = new ApiClient(server.baseUrl);
      expect((await coord.login('coordinator')).status).toBe(200);
      monitor = new ApiClient(server.baseUrl);
      expect((await monitor.login('monitor')).status).toBe(200);
    });
    afterAll(async () => server?.close());

    /** Sends a request that must be refused with `status`, naming `field` and `rule`; nothing changes. */
    async function refused(
      client: ApiClient,
      method: string,
      path: string,
      body: unknown,
      status: number,
      field?: string,
      rule?: string,
    ) {
      const before = await fingerprint(server);
      const res = await client.request<Problem>(method, path, body);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body.status).toBe(status);
      expect(res.body.detail.length).toBeGreaterThan(0);
      if (field) expect(res.body.errors).toContainEqual(expect.objectContaining({ field, rule }));
      expect(await fingerprint(server)).toEqual(before);
      return res.body;
    }

    it('refuses a lone surrogate in an item value, a reason, a query text and an AE term, naming the field (High 1)', async () => {
      const put = (items: unknown, reason?: string) => ({ items, ...(reason ? { reason } : {}) });
      await refused(
        coord,
        'PUT',
        `/api/visits/${ids.visitA}/forms/labs`,
        put([{ itemCode: 'c4', value: 'a\ud800b', unit: 'g/L' }]),
        400,
        'body.items.0.value',
        'unicode',
      );
      await refused(
        coord,
        'PUT',
        `/api/visits/${ids.visitA}/forms/labs`,
        put([{ itemCode: 'c3', value: '0.6', unit: 'g/L', version: 1 }], 'typo \udc00'),
        400,
        'body.reason',
        'unicode',
      );
      await refused(
        monitor,
        'POST',
        `/api/subjects/${ids.subjectA}/queries`,
        { entityType: 'item', entityId: ids.itemA, text: '\ud83d please confirm' },
        400,
        'body.text',
        'unicode',
      );
      await refused(
        coord,
        'POST',
        `/api/subjects/${ids.subjectA}/adverse-events`,
        aeBody({ term: 'Fever\udfff' }),
        400,
        'body.term',
        'unicode',
      );
      // A surrogate pair (an astral character) is well-formed and accepted, and verifies.
      const ok = await coord.post(
        `/api/subjects/${ids.subjectA}/adverse-events`,
        aeBody({ term: 'Fever 🌡' }),
      );
      expect(ok.status).toBe(201);
      expect(await verifyAuditChain(server.db)).toMatchObject({ ok: true });
    });

    it('refuses NUL, other control characters, non-characters and overlong text, anywhere in the body', async () => {
      const path = `/api/subjects/${ids.subjectA}/adverse-events`;
      await refused(
        coord,
        'POST',
        path,
        aeBody({ term: 'Fe\u0000ver' }),
        400,
        'body.term',
        'control-character',
      );
      await refused(
        coord,
        'POST',
        path,
        aeBody({ actionTaken: 'x\u001by' }),
        400,
        'body.actionTaken',
        'control-character',
      );
      await refused(
        coord,
        'POST',
        path,
        aeBody({ deathCause: 'x\uffff' }),
        400,
        'body.deathCause',
        'noncharacter',
      );
      await refused(
        coord,
        'POST',
        path,
        aeBody({ deathCause: 'x\ufdd0' }),
        400,
        'body.deathCause',
        'noncharacter',
      );
      await refused(
        coord,
        'POST',
        path,
        aeBody({ deathCause: 'x\u{10FFFF}' }),
        400,
        'body.deathCause',
        'noncharacter',
      );
      await refused(coord, 'POST', path, aeBody({ term: 'x'.repeat(201) }), 400, 'body.term', 'too_big');
      // Free-form JSON (infusion vitals) is walked to any depth, keys included.
      const inf = `/api/subjects/${ids.subjectA}/infusions`;
      await refused(
        coord,
        'POST',
        inf,
        { cycle: 3, infusionNumber: 1, vitals: { bp: ['120/80', 'a\u0000'] } },
        400,
        'body.vitals.bp.1',
        'control-character',
      );
      await refused(
        coord,
        'POST',
        inf,
        { cycle: 3, infusionNumber: 1, vitals: { 'b\ud800': 1 } },
        400,
        'body.vitals.(key 1)',
        'unicode',
      );
      await refused(
        coord,
        'POST',
        inf,
        { cycle: 3, infusionNumber: 1, vitals: { note: 'x'.repeat(100_001) } },
        400,
        'body.vitals.note',
        'max-length',
      );
      // Tab, CR and LF are text.
      const ok = await coord.post(path, aeBody({ term: 'Rash', actionTaken: 'line one\r\nline\ttwo' }));
      expect(ok.status).toBe(201);
      // Query strings are checked too.
      await refused(
        monitor,
        'GET',
        `/api/studies/${trial.studyId}/audit?field=%00`,
        undefined,
        400,
        'querystring.field',
        'control-character',
      );
    });

    it('answering or closing a query twice, or answering a closed one, is a 400 naming the transition, not a 500 (Medium 6)', async () => {
      const raised = await monitor.post<{ id: string; version: number }>(
        `/api/subjects/${ids.subjectA}/queries`,
        {
          entityType: 'item',
          entityId: ids.itemA,
          text: 'C3 looks low: please confirm',
        },
      );
      expect(raised.status).toBe(201);
      const q = raised.body;
      const answered = await coord.post<{ version: number; status: string }>(
        `/api/queries/${q.id}/transitions`,
        {
          transition: 'answer',
          version: q.version,
          text: 'Confirmed from the lab report',
        },
      );
      expect(answered.body.status).toBe('answered');
      const again = await refused(
        coord,
        'POST',
        `/api/queries/${q.id}/transitions`,
        { transition: 'answer', version: answered.body.version, text: 'again' },
        400,
        'transition',
        'transition',
      );
      expect(again).toMatchObject({ code: 'MSCT_E_VALIDATION', currentStatus: 'answered' });
      // The stale version of a repeated click is a version conflict.
      await refused(
        coord,
        'POST',
        `/api/queries/${q.id}/transitions`,
        { transition: 'answer', version: q.version, text: 'x' },
        409,
      );
      const closed = await monitor.post<{ version: number; status: string }>(
        `/api/queries/${q.id}/transitions`,
        {
          transition: 'close',
          version: answered.body.version,
          text: 'Thanks',
        },
      );
      expect(closed.body.status).toBe('closed');
      await refused(
        monitor,
        'POST',
        `/api/queries/${q.id}/transitions`,
        { transition: 'close', version: closed.body.version, text: 'x' },
        400,
        'transition',
        'transition',
      );
      await refused(
        coord,
        'POST',
        `/api/queries/${q.id}/transitions`,
        { transition: 'answer', version: closed.body.version, text: 'x' },
        400,
        'transition',
        'transition',
      );
    });

    it('a signature is given once: re-signing a signed form is refused; a repeated status step changes nothing', async () => {
      const inv = new ApiClient(server.baseUrl);
      await inv.login('investigator');
      const visit = await inv.get<{ forms: { id: string; version: number; status: string }[] }>(
        `/api/visits/${ids.visitA}`,
      );
      const form = visit.body.forms.find((f) => f.id === ids.formA)!;
      const sign = (version: number) => ({
        version,
        status: 'signed',
        password: 'correct-horse-battery-staple',
      });
      const signed = await inv.post<{ version: number }>(`/api/forms/${form.id}/status`, sign(form.version));
      expect(signed.status).toBe(200);
      await refused(
        inv,
        'POST',
        `/api/forms/${form.id}/status`,
        sign(signed.body.version),
        400,
        'status',
        'transition',
      );
      const unlocked = await inv.post<{ version: number }>(`/api/forms/${form.id}/status`, {
        version: signed.body.version,
        status: 'complete',
        reason: 'late lab result',
      });
      expect(unlocked.status).toBe(200);
      const before = await fingerprint(server);
      const repeated = await inv.post<{ version: number }>(`/api/forms/${form.id}/status`, {
        version: unlocked.body.version,
        status: 'complete',
        reason: 'again',
      });
      expect(repeated.status).toBe(200);
      expect(repeated.body.version).toBe(unlocked.body.version);
      expect(await fingerprint(server)).toEqual(before);
    });

    it('a second infusion with the same cycle and number is a 409 naming infusionNumber, on create and on change', async () => {
      const path = `/api/subjects/${ids.subjectA}/infusions`;
      const first = await coord.post<{ id: string; version: number }>(path, { cycle: 1, infusionNumber: 1 });
      expect(first.status).toBe(201);
      await refused(
        coord,
        'POST',
        path,
        { cycle: 1, infusionNumber: 1, productLot: 'UC-1' },
        409,
        'infusionNumber',
        'unique',
      );
      const second = await coord.post<{ id: string; version: number }>(path, { cycle: 1, infusionNumber: 2 });
      await refused(
        coord,
        'PATCH',
        `/api/infusions/${second.body.id}`,
        { version: second.body.version, infusionNumber: 1, reason: 'renumbered' },
        409,
        'infusionNumber',
        'unique',
      );
    });

    it("an adverse event linked to an unknown infusion, or to another subject's, is refused naming infusionId", async () => {
      const path = `/api/subjects/${ids.subjectA}/adverse-events`;
      await refused(
        coord,
        'POST',
        path,
        aeBody({ infusionId: '00000000-0000-4000-8000-000000000000' }),
        400,
        'infusionId',
        'reference',
      );
      await refused(
        coord,
        'POST',
        path,
        aeBody({ infusionId: ids.infusionA2 }),
        400,
        'infusionId',
        'reference',
      );
      const ae = await coord.post<{ id: string; version: number }>(path, aeBody({ term: 'Headache' }));
      await refused(
        coord,
        'PATCH',
        `/api/adverse-events/${ae.body.id}`,
        { version: ae.body.version, infusionId: ids.infusionA2, reason: 'link' },
        400,
        'infusionId',
        'reference',
      );
      // The subject's own infusion links.
      const own = await coord.get<{ id: string }[]>(`/api/subjects/${ids.subjectA}/infusions`);
      const linked = await coord.post(path, aeBody({ term: 'Chills', infusionId: own.body[0]!.id }));
      expect(linked.status).toBe(201);
    });

    it("a query cannot point at another subject's record, nor at another site's: 404, and the list shows nothing of it (Lower)", async () => {
      for (const [entityType, entityId] of [
        ['item', ids.itemB],
        ['visit', ids.visitB],
        ['subject', ids.subjectB],
        ['infusion', ids.infusionA2],
        ['form', '00000000-0000-4000-8000-000000000000'],
      ] as const)
        await refused(
          monitor,
          'POST',
          `/api/subjects/${ids.subjectA}/queries`,
          { entityType, entityId, text: 'look' },
          404,
          'entityId',
          'reference',
        );
      const list = await monitor.get<{ queries: { visitId: string | null }[] }>(
        `/api/studies/${trial.studyId}/queries`,
      );
      expect(list.body.queries.map((q) => q.visitId)).not.toContain(ids.visitB);
      // A query stored before the check, pointing at site B's item, does not show site B's visit.
      const actor = { id: trial.users.monitor!.id, name: 'monitor' };
      await writeTransaction(server.db, actor, async (tx) => {
        await tx
          .insertInto('queries')
          .values({
            id: crypto.randomUUID(),
            subject_id: ids.subjectA,
            entity_type: 'item',
            entity_id: ids.itemB,
            field: null,
            status: 'open',
            text: 'legacy',
            raised_by: actor.id,
            raised_at: new Date().toISOString(),
            closed_by: null,
            closed_at: null,
            version: 1,
          })
          .execute();
      });
      const legacy = await monitor.get<{
        queries: { text: string; visitId: string | null; formCode: string | null }[];
      }>(`/api/studies/${trial.studyId}/queries`);
      expect(legacy.body.queries.find((q) => q.text === 'legacy')).toMatchObject({
        visitId: null,
        formCode: null,
      });
    });

    it('API answers carry Cache-Control: no-store', async () => {
      for (const path of [
        `/api/subjects/${ids.subjectA}`,
        `/api/visits/${ids.visitA}`,
        '/api/auth/me',
        '/api/nope',
      ])
        expect((await coord.get(path)).headers.get('cache-control')).toBe('no-store');
    });

    it('the store refuses what it would store differently from what it hashes, and maps constraint refusals (backstops)', async () => {
      const actor = { id: trial.users.monitor!.id, name: 'monitor' };
      const unchanged = await fingerprint(server);
      const err = await raiseQuery(server.db, actor, {
        subjectId: ids.subjectA,
        entityType: 'subject',
        entityId: ids.subjectA,
        text: 'x\ud800',
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toMatchObject({ code: 'invalid', details: { rule: 'unicode' } });
      // A unique key and a foreign key the code did not check, and NUL on PostgreSQL.
      const dup = await writeTransaction(server.db, actor, async (tx) => {
        const row = await tx
          .selectFrom('infusions')
          .selectAll()
          .where('id', '=', ids.infusionA2)
          .executeTakeFirstOrThrow();
        await tx
          .insertInto('infusions')
          .values({ ...row, id: crypto.randomUUID() })
          .execute();
      }).catch((e: unknown) => e);
      expect(dup).toMatchObject({ code: 'duplicate', details: { rule: 'unique' } });
      expect(await fingerprint(server)).toEqual(unchanged);
      const ae = await createSubjectRecord(server.db, actor, 'adverse_events', ids.subjectA2, {
        term: 'Nausea',
        onset_date: '2013-01-20',
        resolution_date: null,
        ctcae_grade: 1,
        serious: 0,
        seriousness_json: '[]',
        relatedness: 'unlikely',
        action_taken: null,
        outcome: null,
        infusion_id: null,
        death_date: null,
        death_cause: null,
      });
      const before = await fingerprint(server);
      const fk = await writeTransaction(server.db, actor, async (tx) => {
        await tx
          .updateTable('adverse_events')
          .set({ infusion_id: crypto.randomUUID() })
          .where('id', '=', ae.id)
          .execute();
      }).catch((e: unknown) => e);
      expect(fk).toMatchObject({ code: 'invalid', details: { rule: 'reference' } });
      if (dialect === 'postgres') {
        const nul = await writeTransaction(server.db, actor, async (tx) => {
          await tx.updateTable('adverse_events').set({ term: 'a\u0000' }).where('id', '=', ae.id).execute();
        }).catch((e: unknown) => e);
        expect(nul).toMatchObject({ code: 'invalid', details: { rule: 'control-character' } });
      }
      expect(await fingerprint(server)).toEqual(before);
      expect(await verifyAuditChain(server.db)).toMatchObject({ ok: true });
    });
  });
}
