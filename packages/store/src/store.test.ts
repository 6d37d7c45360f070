import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, uuidV7 } from './ids.js';
import {
  type Actor,
  assignRole,
  createSession,
  createSite,
  createStudy,
  createSubject,
  createSubjectRecord,
  createUser,
  createVisit,
  type Db,
  deleteUserSessions,
  inTransaction,
  listAuditEvents,
  listForms,
  listItems,
  listSubjects,
  migrateToLatest,
  openDatabase,
  raiseQuery,
  StoreError,
  saveItems,
  setFormStatus,
  touchSession,
  transitionQuery,
  updateSubjectRecord,
  verifyAuditChain,
  visitScope,
  writeTransaction,
} from './index.js';
import {
  createTestDatabase,
  TEST_DIALECTS,
  TEST_PG_ADMIN_URL,
  type TestDatabase,
} from './testing/databases.js';

const system: Actor = { id: null, name: 'system' };

async function expectStoreError(p: Promise<unknown>, code: string): Promise<StoreError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe(code);
  return err as StoreError;
}

for (const dialect of TEST_DIALECTS) {
  describe(`store on ${dialect}`, () => {
    let t: TestDatabase;
    let db: Db;
    let user: Actor;
    let studyId: string;
    let siteA: string;
    let siteB: string;

    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      db = t.db;
      const u = await createUser(db, system, {
        username: 'coord',
        displayName: 'Coordinator',
        passwordHash: 'x',
      });
      user = { id: u.id, name: u.username };
      const study = await createStudy(db, system, {
        code: 'MSCT-SLE',
        title: 'UC-MSC in SLE',
        definition: {}, // ad hoc: any visit, form and item code (entry-definition.ts)
      });
      studyId = study.id;
      siteA = (await createSite(db, system, { studyId, code: 'NJDT', name: 'Drum Tower' })).id;
      siteB = (await createSite(db, system, { studyId, code: 'ZJ', name: 'Zhenjiang' })).id;
      await assignRole(db, system, { userId: u.id, role: 'coordinator', studyId, siteId: siteA });
    });
    afterAll(async () => t?.drop());

    // PostgreSQL only (SQLite has no server to close a connection): registered, not skipped, per dialect.
    if (dialect === 'postgres')
      it('survives the server closing an idle connection: the next query opens a new one', async () => {
        const { sql } = await import('kysely');
        const pid = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db.kysely);
        const admin = openDatabase(TEST_PG_ADMIN_URL);
        try {
          await sql`select pg_terminate_backend(${pid.rows[0]!.pid})`.execute(admin.kysely);
        } finally {
          await admin.close();
        }
        await new Promise((r) => setTimeout(r, 100)); // the idle client's error arrives on the pool
        const after = await sql<{ one: number }>`select 1 as one`.execute(db.kysely);
        expect(after.rows[0]!.one).toBe(1);
      });

    it('record ids are UUIDv7: time-ordered, so bulk inserts append to the indexes', () => {
      const ids = Array.from({ length: 1000 }, () => newId());
      for (const id of ids)
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(new Set(ids).size).toBe(ids.length);
      expect(uuidV7(0x0123456789ab).slice(0, 13)).toBe('01234567-89ab');
      const ms = (id: string) => Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
      for (let i = 1; i < ids.length; i++) expect(ms(ids[i]!)).toBeGreaterThanOrEqual(ms(ids[i - 1]!));
    });

    it('migrations are idempotent: a second run applies nothing', async () => {
      const report = await migrateToLatest(db);
      expect(report).toEqual({ applied: [] });
    });

    it('refuses duplicate study and site codes', async () => {
      await expectStoreError(
        createStudy(db, system, { code: 'MSCT-SLE', title: 'again', definition: {} }),
        'duplicate',
      );
      await expectStoreError(createSite(db, system, { studyId, code: 'NJDT', name: 'again' }), 'duplicate');
    });

    it('numbers subjects per site and lists them by site', async () => {
      const a1 = await createSubject(db, user, { studyId, siteId: siteA });
      const a2 = await createSubject(db, user, { studyId, siteId: siteA });
      const b1 = await createSubject(db, user, { studyId, siteId: siteB });
      expect([a1.subject_code, a2.subject_code, b1.subject_code]).toEqual(['NJDT-001', 'NJDT-002', 'ZJ-001']);
      expect(a1.pseudonym).toMatch(/^P[0-9A-F]{10}$/);
      // A subject's id is random (v4), not time-ordered: a pseudonymised reader sees ids, and a
      // creation time would give the enrolment order, hence the per-site code (issue 17, Medium 3).
      for (const s of [a1, a2, b1]) expect(s.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab]/);
      const onlyA = await listSubjects(db, { studyId, siteIds: [siteA], codeColumn: 'subject_code' });
      expect(onlyA.map((s) => s.subject_code)).toEqual(['NJDT-001', 'NJDT-002']);
      const page = await listSubjects(db, {
        studyId,
        after: 'NJDT-001',
        limit: 1,
        codeColumn: 'subject_code',
      });
      expect(page.map((s) => s.subject_code)).toEqual(['NJDT-002']);
    });

    it('saves item values: first entry without reason, change needs version and reason, all audited', async () => {
      const s = await createSubject(db, user, { studyId, siteId: siteA });
      const v = await createVisit(db, user, {
        subjectId: s.id,
        visitCode: 'baseline',
        visitDate: '2013-01-10',
      });
      const first = await saveItems(db, user, {
        visitId: v.id,
        formCode: 'labs',
        items: [{ itemCode: 'c3', value: '0.45', unit: 'g/L' }],
      });
      expect(first.changed).toBe(1);
      const item = first.items[0]!;
      expect(item.version).toBe(1);

      await expectStoreError(
        saveItems(db, user, {
          visitId: v.id,
          formCode: 'labs',
          items: [{ itemCode: 'c3', value: '0.50', unit: 'g/L', expectedVersion: 1 }],
        }),
        'reason_required',
      );
      await expectStoreError(
        saveItems(db, user, {
          visitId: v.id,
          formCode: 'labs',
          items: [{ itemCode: 'c3', value: '0.50', unit: 'g/L', expectedVersion: 0 }],
          reason: 'typo',
        }),
        'conflict',
      );

      const second = await saveItems(db, user, {
        visitId: v.id,
        formCode: 'labs',
        items: [{ itemCode: 'c3', value: '0.50', unit: 'g/L', expectedVersion: 1 }],
        reason: 'transcription error',
      });
      expect(second.items[0]!.version).toBe(2);

      const history = await listAuditEvents(db, { entityType: 'item', entityId: item.id });
      expect(history.map((e) => [e.action, e.old_value, e.new_value, e.reason, e.actor_name])).toEqual([
        ['item.enter', null, '0.45 g/L', null, 'coord'],
        ['item.change', '0.45 g/L', '0.50 g/L', 'transcription error', 'coord'],
      ]);
    });

    it('visitScope is cached, and a save checked against a scope that is not the visit’s is refused as a conflict', async () => {
      const s = await createSubject(db, user, { studyId, siteId: siteA });
      const v = await createVisit(db, user, { subjectId: s.id, visitCode: 'baseline' });
      const scope = await visitScope(db, v.id);
      expect(scope).toEqual({
        subjectId: s.id,
        studyId,
        siteId: siteA,
        studyVersion: 1,
        visitCode: 'baseline',
      });
      expect(await visitScope(db, v.id)).toBe(scope); // the same entry, not a new read
      expect(await visitScope(db, 'no-such-visit')).toBeUndefined();
      // A caller that checked the visit as if it were at site B writes nothing.
      await expectStoreError(
        saveItems(db, user, {
          visitId: v.id,
          formCode: 'labs',
          items: [{ itemCode: 'alb', value: '30', unit: 'g/L' }],
          expectedScope: { ...scope!, siteId: siteB },
        }),
        'conflict',
      );
      expect(await listForms(db, v.id)).toEqual([]);
      // The entry was dropped: the next read is fresh (an equal value, a new object).
      const again = await visitScope(db, v.id);
      expect(again).toEqual(scope);
      expect(again).not.toBe(scope);
      const saved = await saveItems(db, user, {
        visitId: v.id,
        formCode: 'labs',
        items: [{ itemCode: 'alb', value: '30', unit: 'g/L' }],
        expectedScope: again!,
      });
      expect(saved.changed).toBe(1);
    });

    it('a failed batch saves nothing (all or none)', async () => {
      const s = await createSubject(db, user, { studyId, siteId: siteA });
      const v = await createVisit(db, user, { subjectId: s.id, visitCode: 'baseline' });
      const ok = await saveItems(db, user, {
        visitId: v.id,
        formCode: 'labs',
        items: [{ itemCode: 'alb', value: '30', unit: 'g/L' }],
      });
      await expectStoreError(
        saveItems(db, user, {
          visitId: v.id,
          formCode: 'labs',
          items: [
            { itemCode: 'c4', value: '0.1', unit: 'g/L' },
            { itemCode: 'alb', value: '31', unit: 'g/L', expectedVersion: 7 },
          ],
          reason: 'x',
        }),
        'conflict',
      );
      const items = await listItems(db, ok.form.id);
      expect(items.map((i) => [i.item_code, i.value])).toEqual([['alb', '30']]);
    });

    it('two writers from the same version: exactly one wins, the other gets a conflict, the trail shows one change', async () => {
      const s = await createSubject(db, user, { studyId, siteId: siteA });
      const v = await createVisit(db, user, { subjectId: s.id, visitCode: 'month_1' });
      const { items } = await saveItems(db, user, {
        visitId: v.id,
        formCode: 'labs',
        items: [{ itemCode: 'plt', value: '80', unit: '10^9/L' }],
      });
      const results = await Promise.allSettled([
        saveItems(db, user, {
          visitId: v.id,
          formCode: 'labs',
          items: [{ itemCode: 'plt', value: '81', unit: '10^9/L', expectedVersion: 1 }],
          reason: 'a',
        }),
        saveItems(db, user, {
          visitId: v.id,
          formCode: 'labs',
          items: [{ itemCode: 'plt', value: '82', unit: '10^9/L', expectedVersion: 1 }],
          reason: 'b',
        }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(((lost[0] as PromiseRejectedResult).reason as StoreError).code).toBe('conflict');
      const trail = await listAuditEvents(db, { entityType: 'item', entityId: items[0]!.id });
      expect(trail.filter((e) => e.action === 'item.change')).toHaveLength(1);
    });

    it('signed forms refuse changes until unlocked with a reason', async () => {
      const s = await createSubject(db, user, { studyId, siteId: siteA });
      const v = await createVisit(db, user, { subjectId: s.id, visitCode: 'month_3' });
      const { form } = await saveItems(db, user, {
        visitId: v.id,
        formCode: 'sledai2k',
        items: [{ itemCode: 'rash', value: '1' }],
      });
      const signed = await setFormStatus(db, user, form.id, 1, 'signed');
      expect(signed.signed_by).toBe(user.id);
      await expectStoreError(
        saveItems(db, user, {
          visitId: v.id,
          formCode: 'sledai2k',
          items: [{ itemCode: 'rash', value: '0', expectedVersion: 1 }],
          reason: 'x',
        }),
        'locked',
      );
      await expectStoreError(setFormStatus(db, user, form.id, 2, 'incomplete'), 'reason_required');
      await expectStoreError(setFormStatus(db, user, form.id, 1, 'incomplete', 'stale'), 'conflict');
      const reopened = await setFormStatus(db, user, form.id, 2, 'incomplete', 'late lab result');
      expect(reopened.version).toBe(3);
    });

    it('infusions and adverse events change only with version and reason', async () => {
      const s = await createSubject(db, user, { studyId, siteId: siteA });
      const inf = await createSubjectRecord(db, user, 'infusions', s.id, {
        cycle: 1,
        infusion_number: 1,
        planned_date: '2013-01-10',
        started_at: null,
        ended_at: null,
        product_lot: 'UC-2013-001',
        total_cells: 55e6,
        viability_pct: 95,
        volume_ml: 100,
        weight_kg: 55,
        vitals_json: null,
        reactions: null,
        status: 'given',
      });
      await expectStoreError(
        updateSubjectRecord(db, user, 'infusions', inf.id, 1, { product_lot: 'UC-2013-002' }, undefined),
        'reason_required',
      );
      const upd = await updateSubjectRecord(
        db,
        user,
        'infusions',
        inf.id,
        1,
        { product_lot: 'UC-2013-002' },
        'label misread',
      );
      expect(upd.version).toBe(2);
      await expectStoreError(
        updateSubjectRecord(db, user, 'infusions', inf.id, 1, { product_lot: 'X' }, 'r'),
        'conflict',
      );
    });

    it('queries move open → answered → closed, each step audited', async () => {
      const s = await createSubject(db, user, { studyId, siteId: siteA });
      const q = await raiseQuery(db, user, {
        subjectId: s.id,
        entityType: 'subject',
        entityId: s.id,
        field: 'sex',
        text: 'Please confirm',
      });
      await expectStoreError(transitionQuery(db, user, q.id, 1, 'reopen', 'x'), 'invalid');
      const answered = await transitionQuery(db, user, q.id, 1, 'answer', 'Confirmed female');
      const closed = await transitionQuery(db, user, q.id, answered.version, 'close', 'Thanks');
      expect(closed.status).toBe('closed');
      const trail = await listAuditEvents(db, { entityType: 'query', entityId: q.id });
      expect(trail.map((e) => e.action)).toEqual(['query.raise', 'query.answer', 'query.close']);
    });

    it('inTransaction joins several calls into one commit, or rolls all of them back', async () => {
      const before = await listSubjects(db, { studyId, siteIds: [siteB], codeColumn: 'subject_code' });
      await expect(
        inTransaction(db, user, async (txDb) => {
          const s = await createSubject(txDb, user, { studyId, siteId: siteB });
          await createVisit(txDb, user, { subjectId: s.id, visitCode: 'baseline' });
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await listSubjects(db, { studyId, siteIds: [siteB], codeColumn: 'subject_code' })).toHaveLength(
        before.length,
      );
      const made = await inTransaction(db, user, async (txDb) => {
        const s = await createSubject(txDb, user, { studyId, siteId: siteB });
        const v = await createVisit(txDb, user, { subjectId: s.id, visitCode: 'baseline' });
        await saveItems(txDb, user, {
          visitId: v.id,
          formCode: 'labs',
          items: [{ itemCode: 'c3', value: '0.7', unit: 'g/L' }],
        });
        return s;
      });
      const trail = await listAuditEvents(db, { subjectId: made.id });
      expect(trail.map((e) => e.action)).toEqual([
        'subject.create',
        'visit.create',
        'form.create',
        'item.enter',
      ]);
      expect(new Set(trail.map((e) => e.at)).size).toBe(1);
      expect((await verifyAuditChain(db)).ok).toBe(true);
    });

    it('many concurrent writes: each is acknowledged or refused on its own, none is lost, the chain holds (group commit on SQLite)', async () => {
      const s = await createSubject(db, user, { studyId, siteId: siteA });
      const v = await createVisit(db, user, { subjectId: s.id, visitCode: 'month_6' });
      const writes = Array.from({ length: 40 }, (_, i) =>
        saveItems(db, user, {
          visitId: v.id,
          formCode: `f${i}`,
          // Write 13 names an item version that does not exist: it alone must fail.
          items: [{ itemCode: 'x', value: String(i), ...(i === 13 ? { expectedVersion: 5 } : {}) }],
        }),
      );
      const results = await Promise.allSettled(writes);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(39);
      expect(((results[13] as PromiseRejectedResult).reason as StoreError).code).toBe('conflict');
      const trail = await listAuditEvents(db, { subjectId: s.id, limit: 1000 });
      expect(trail.filter((e) => e.action === 'item.enter')).toHaveLength(39);
      expect((await verifyAuditChain(db)).ok).toBe(true);
    });

    it('a write that fails after recording audit events leaves no event and no gap in the chain, among writes committed with it', async () => {
      const writes = Array.from({ length: 12 }, (_, i) =>
        writeTransaction(db, user, async (_tx, audit) => {
          await audit.record({ action: 'test.batch', entityType: 'test', entityId: `b${i}` });
          await audit.record({ action: 'test.batch', entityType: 'test', entityId: `b${i}-2` });
          if (i % 4 === 1) throw new StoreError('invalid', `write ${i} refused after its events`);
          return i;
        }),
      );
      const results = await Promise.allSettled(writes);
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(3);
      const added = await listAuditEvents(db, { entityType: 'test', limit: 1000 });
      expect(added).toHaveLength(18);
      expect(added.map((e) => e.entity_id).some((id) => /^b(1|5|9)(-2)?$/.test(id))).toBe(false);
      // The chain verifies seq by seq and hash by hash: a refused write's events left no gap.
      expect((await verifyAuditChain(db)).ok).toBe(true);
    });

    it('sessions expire after their idle lifetime and keep only a hash of the token', async () => {
      const u = await createUser(db, system, {
        username: `sess${dialect}`,
        displayName: 'S',
        passwordHash: 'x',
      });
      const live = await createSession(db, u.id, 30);
      expect(live.session.id).not.toContain(live.token);
      expect((await touchSession(db, live.token, 30))?.user_id).toBe(u.id);
      const stale = await createSession(db, u.id, -1);
      expect(await touchSession(db, stale.token, 30)).toBeUndefined();
      expect(await touchSession(db, 'forged-token', 30)).toBeUndefined();
      expect(await deleteUserSessions(db, u.id)).toBe(1);
      expect(await touchSession(db, live.token, 30)).toBeUndefined();
    });

    it('the audit chain verifies, and tampering is found at the first broken link', async () => {
      const ok = await verifyAuditChain(db);
      expect(ok.ok).toBe(true);
      expect(ok.eventsChecked).toBeGreaterThan(10);
      const target = 5;
      await db.kysely
        .updateTable('audit_events')
        .set({ new_value: 'tampered' })
        .where('seq', '=', target)
        .execute();
      const bad = await verifyAuditChain(db);
      expect(bad.ok).toBe(false);
      expect(bad.firstBreak?.seq).toBe(target);
    });
  });
}
