// Issue 17 (finding 7): the audit trail must prove the data, not only itself. Each tampering below
// is done directly in the database, around the repositories; before this check every one of them
// passed `verifyAuditChain`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import {
  type Actor,
  assignRole,
  createRecordLock,
  createSite,
  createStudy,
  createSubject,
  createSubjectRecord,
  createUser,
  createVisit,
  type Db,
  declineUnlockRequest,
  raiseQuery,
  releaseRecordLock,
  requestUnlock,
  saveItems,
  setFormStatus,
  transitionQuery,
  updateSubject,
  updateSubjectRecord,
  verifyAuditChain,
  verifyAuditedData,
} from '../index.js';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing/databases.js';

const system: Actor = { id: null, name: 'system' };

for (const dialect of TEST_DIALECTS) {
  describe(`audit verification of the data on ${dialect}`, () => {
    let t: TestDatabase;
    let db: Db;
    let ids: {
      subject: string;
      visit: string;
      form: string;
      item: string;
      infusion: string;
      ae: string;
      query: string;
      user: string;
    };

    beforeEach(async () => {
      t = await createTestDatabase(dialect);
      db = t.db;
      const u = await createUser(db, system, {
        username: 'coord',
        displayName: 'Coordinator',
        passwordHash: 'x',
      });
      const user: Actor = { id: u.id, name: u.username };
      const study = await createStudy(db, system, { code: 'S', title: 'Study', definition: {} });
      const site = await createSite(db, system, { studyId: study.id, code: 'NJDT', name: 'Drum Tower' });
      await assignRole(db, system, { userId: u.id, role: 'coordinator', studyId: study.id, siteId: site.id });
      let subject = await createSubject(db, user, {
        studyId: study.id,
        siteId: site.id,
        sex: 'F',
        birthDate: '1980-05-17',
      });
      subject = await updateSubject(
        db,
        user,
        subject.id,
        subject.version,
        { status: 'enrolled', enrolledAt: '2010-01-04', day0Date: '2010-01-05' },
        'eligible',
      );
      const visit = await createVisit(db, user, {
        subjectId: subject.id,
        visitCode: 'M1',
        visitDate: '2010-02-05',
      });
      const first = await saveItems(db, user, {
        visitId: visit.id,
        formCode: 'LAB',
        items: [
          { itemCode: 'CREAT', value: '88', unit: 'umol/L' },
          { itemCode: 'C3', value: '0.6', unit: 'g/L' },
        ],
      });
      const creat = first.items.find((i) => i.item_code === 'CREAT')!;
      const second = await saveItems(db, user, {
        visitId: visit.id,
        formCode: 'LAB',
        items: [{ itemCode: 'CREAT', value: '90', unit: 'umol/L', expectedVersion: 1 }],
        reason: 'transcription error',
      });
      await setFormStatus(db, user, second.form.id, second.form.version, 'complete');
      const inf = await createSubjectRecord(db, user, 'infusions', subject.id, {
        cycle: 1,
        infusion_number: 1,
        planned_date: '2010-01-05',
        started_at: '2010-01-05T09:00:00Z',
        ended_at: null,
        product_lot: 'L1',
        total_cells: 1.2e8,
        viability_pct: 95.5,
        volume_ml: 100,
        weight_kg: 60,
        vitals_json: null,
        reactions: null,
        status: 'given',
      });
      await updateSubjectRecord(
        db,
        user,
        'infusions',
        inf.id,
        1,
        { ended_at: '2010-01-05T10:00:00Z', volume_ml: 98 },
        'late entry',
      );
      const ae = await createSubjectRecord(db, user, 'adverse_events', subject.id, {
        term: 'Headache',
        onset_date: '2010-01-06',
        resolution_date: null,
        ctcae_grade: 1,
        serious: 0,
        seriousness_json: '[]',
        relatedness: 'unlikely',
        action_taken: null,
        outcome: null,
        infusion_id: inf.id,
        death_date: null,
        death_cause: null,
      });
      const q = await raiseQuery(db, user, {
        subjectId: subject.id,
        entityType: 'item',
        entityId: creat.id,
        text: 'check',
      });
      await transitionQuery(db, user, q.id, 1, 'answer', 'checked');
      ids = {
        subject: subject.id,
        visit: visit.id,
        form: second.form.id,
        item: creat.id,
        infusion: inf.id,
        ae: ae.id,
        query: q.id,
        user: u.id,
      };
    });
    afterEach(async () => t.drop());

    it('an untouched database is fully explained by its trail', async () => {
      const r = await verifyAuditedData(db, { pageSize: 2 });
      expect(r.findings).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.unprovable).toEqual({});
      expect(r.rowsChecked).toMatchObject({
        subjects: 1,
        visits: 1,
        form_instances: 1,
        item_values: 2,
        infusions: 1,
        adverse_events: 1,
        queries: 1,
        users: 1,
        studies: 1,
        sites: 1,
      });
    });

    it('finds an item value edited in the database, naming table, record, field and event', async () => {
      await db.kysely.updateTable('item_values').set({ value: '60' }).where('id', '=', ids.item).execute();
      expect((await verifyAuditChain(db)).ok).toBe(true);
      const r = await verifyAuditedData(db);
      expect(r.ok).toBe(false);
      expect(r.findings).toEqual([
        expect.objectContaining({
          table: 'item_values',
          recordId: ids.item,
          field: 'value',
          expected: '90 umol/L',
          actual: '60 umol/L',
          seq: expect.any(Number),
        }),
      ]);
    });

    it('finds a birth date edited in the database, and other subject-record fields', async () => {
      await db.kysely
        .updateTable('subjects')
        .set({ birth_date: '1990-05-17' })
        .where('id', '=', ids.subject)
        .execute();
      await db.kysely
        .updateTable('adverse_events')
        .set({ ctcae_grade: 3 })
        .where('id', '=', ids.ae)
        .execute();
      await db.kysely
        .updateTable('infusions')
        .set({ volume_ml: 100, version: 3 })
        .where('id', '=', ids.infusion)
        .execute();
      const r = await verifyAuditedData(db);
      const got = r.findings.map((f) => `${f.table}:${f.recordId}:${f.field}`).sort();
      expect(got).toEqual(
        [
          `adverse_events:${ids.ae}:ctcae_grade`,
          `infusions:${ids.infusion}:version`,
          `infusions:${ids.infusion}:volume_ml`,
          `subjects:${ids.subject}:birth_date`,
        ].sort(),
      );
      expect(r.findings.find((f) => f.field === 'birth_date')).toMatchObject({
        expected: '1980-05-17',
        actual: '1990-05-17',
      });
    });

    it('finds a deleted audit event by the record it explained', async () => {
      const change = await db.kysely
        .selectFrom('audit_events')
        .select('seq')
        .where('action', '=', 'item.change')
        .executeTakeFirstOrThrow();
      await db.kysely.deleteFrom('audit_events').where('seq', '=', change.seq).execute();
      expect((await verifyAuditChain(db)).ok).toBe(false);
      const r = await verifyAuditedData(db);
      expect(r.findings.map((f) => [f.table, f.recordId, f.field])).toEqual(
        expect.arrayContaining([
          ['item_values', ids.item, 'value'],
          ['item_values', ids.item, 'version'],
        ]),
      );
    });

    it('finds a chain cut at its tail together with its head (the chain alone then verifies)', async () => {
      const head = await db.kysely.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
      const keep = Number(head.seq) - 3;
      const last = await db.kysely
        .selectFrom('audit_events')
        .select('hash')
        .where('seq', '=', keep)
        .executeTakeFirstOrThrow();
      await db.kysely.deleteFrom('audit_events').where('seq', '>', keep).execute();
      await db.kysely.updateTable('audit_head').set({ seq: keep, hash: last.hash }).execute();
      expect((await verifyAuditChain(db)).ok).toBe(true);
      const r = await verifyAuditedData(db);
      expect(r.ok).toBe(false);
      // The last three events: the AE's creation, the query's raise and its answer.
      expect(r.findings.map((f) => [f.table, f.recordId, f.field])).toEqual(
        expect.arrayContaining([
          ['adverse_events', ids.ae, null],
          ['queries', ids.query, null],
        ]),
      );
    });

    it('finds rows inserted or deleted around the trail, and a role granted in the database', async () => {
      const extra = newId();
      await db.kysely
        .insertInto('visits')
        .values({
          id: extra,
          subject_id: ids.subject,
          visit_code: 'M3',
          cycle: 1,
          visit_date: null,
          status: 'open',
          created_at: new Date().toISOString(),
          version: 1,
          definition_version: 1,
        })
        .execute();
      await db.kysely.deleteFrom('query_messages').where('query_id', '=', ids.query).execute();
      await db.kysely.deleteFrom('queries').where('id', '=', ids.query).execute();
      await db.kysely
        .insertInto('role_assignments')
        .values({
          id: newId(),
          user_id: ids.user,
          role: 'admin',
          study_id: null,
          site_id: null,
          created_at: new Date().toISOString(),
        })
        .execute();
      const r = await verifyAuditedData(db);
      expect(r.findings.map((f) => [f.table, f.recordId, f.field])).toEqual(
        expect.arrayContaining([
          ['visits', extra, null],
          ['queries', ids.query, null],
          ['role_assignments', expect.any(String), 'role'],
        ]),
      );
      expect(r.findingsTotal).toBe(3);
    });

    it('reports fields of records whose creating event predates this check as unprovable, not as tampering', async () => {
      await db.kysely
        .updateTable('audit_events')
        .set({ new_value: JSON.stringify({ subjectCode: 'NJDT-001', status: 'screening' }) })
        .where('action', '=', 'subject.create')
        .execute();
      const r = await verifyAuditedData(db);
      expect(r.findings).toEqual([]);
      expect(r.unprovable).toEqual({ 'subjects.sex': 1, 'subjects.birth_date': 1 });
    });

    it('replays freezes and locks: a tampered override reason, release or lock row is found', async () => {
      const coord = await db.kysely.selectFrom('users').select('id').executeTakeFirstOrThrow();
      const admin: Actor = { id: coord.id, name: 'coord' };
      const subject = await db.kysely
        .selectFrom('subjects')
        .select(['study_id', 'site_id'])
        .where('id', '=', ids.subject)
        .executeTakeFirstOrThrow();
      const freeze = await createRecordLock(db, admin, {
        studyId: subject.study_id,
        level: 'subject',
        subjectId: ids.subject,
        kind: 'freeze',
        reason: 'interim review',
      });
      await releaseRecordLock(db, admin, freeze.id, 1, 'review done');
      // The study is not ready (an answered query, an unsigned form): locked with an override reason.
      const lock = await createRecordLock(db, admin, {
        studyId: subject.study_id,
        level: 'study',
        kind: 'lock',
        reason: 'database lock',
        overrideReason: 'DSMB deadline',
      });
      expect(lock.override_reason).toBe('DSMB deadline');
      const clean = await verifyAuditedData(db, { pageSize: 1 });
      expect(clean.findings).toEqual([]);
      expect(clean.rowsChecked.record_locks).toBe(2);

      await db.kysely
        .updateTable('record_locks')
        .set({ override_reason: 'a better reason' })
        .where('id', '=', lock.id)
        .execute();
      await db.kysely
        .updateTable('record_locks')
        .set({ released_at: null, released_by: null })
        .where('id', '=', freeze.id)
        .execute();
      const stray = newId();
      await db.kysely
        .insertInto('record_locks')
        .values({
          id: stray,
          study_id: subject.study_id,
          level: 'site',
          site_id: subject.site_id,
          subject_id: null,
          kind: 'lock',
          reason: 'slipped in',
          locked_by: coord.id,
          locked_at: new Date().toISOString(),
          released_by: null,
          released_at: null,
          release_reason: null,
          version: 1,
          override_reason: null,
        })
        .execute();
      expect((await verifyAuditChain(db)).ok).toBe(true);
      const r = await verifyAuditedData(db);
      expect(r.ok).toBe(false);
      const locks = r.findings.filter((f) => f.table === 'record_locks');
      expect(locks).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            recordId: lock.id,
            field: 'override_reason',
            expected: 'DSMB deadline',
            actual: 'a better reason',
            seq: expect.any(Number),
          }),
          expect.objectContaining({ recordId: freeze.id, field: 'released_at', actual: null }),
          expect.objectContaining({ recordId: freeze.id, field: 'released_by', actual: null }),
          expect.objectContaining({
            recordId: stray,
            field: null,
            problem: expect.stringMatching(/no audit event that created it/),
          }),
        ]),
      );
      expect(locks).toHaveLength(4);

      // A lock deleted around the trail (e.g. to unlock without an audited release) is found too.
      await db.kysely.deleteFrom('record_locks').where('id', '=', lock.id).execute();
      const gone = await verifyAuditedData(db);
      expect(gone.findings).toContainEqual(
        expect.objectContaining({
          table: 'record_locks',
          recordId: lock.id,
          problem: expect.stringMatching(/row is gone/),
        }),
      );
    });
    it('replays unlock requests: a tampered status, reason or request row is found', async () => {
      const coord = await db.kysely.selectFrom('users').select('id').executeTakeFirstOrThrow();
      const user: Actor = { id: coord.id, name: 'coord' };
      const subject = await db.kysely
        .selectFrom('subjects')
        .select(['study_id', 'site_id'])
        .where('id', '=', ids.subject)
        .executeTakeFirstOrThrow();
      const lockSubject = (kind: 'freeze' | 'lock') =>
        createRecordLock(db, user, {
          studyId: subject.study_id,
          level: 'subject',
          subjectId: ids.subject,
          kind,
          reason: `subject ${kind}`,
        });
      // Granted: the freeze is released, which closes its request as done.
      const freeze = await lockSubject('freeze');
      const granted = await requestUnlock(db, user, {
        targetType: 'lock',
        targetId: freeze.id,
        reason: 'late lab result',
      });
      await releaseRecordLock(db, user, freeze.id, 1, 'unfrozen for the lab result');
      // Declined, then asked again and left open.
      const lock = await lockSubject('lock');
      const declined = await requestUnlock(db, user, {
        targetType: 'lock',
        targetId: lock.id,
        reason: 'typo in a date',
      });
      await declineUnlockRequest(db, user, declined.id, 1, 'the date is right');
      const open = await requestUnlock(db, user, {
        targetType: 'lock',
        targetId: lock.id,
        reason: 'typo in a date, source attached',
      });
      const clean = await verifyAuditedData(db, { pageSize: 2 });
      expect(clean.findings).toEqual([]);
      expect(clean.rowsChecked.unlock_requests).toBe(3);

      // The open request closed in the table, the granted one's reason rewritten, a request slipped in.
      await db.kysely
        .updateTable('unlock_requests')
        .set({ status: 'declined', closed_by: coord.id, close_note: 'not needed' })
        .where('id', '=', open.id)
        .execute();
      await db.kysely
        .updateTable('unlock_requests')
        .set({ reason: 'a better reason' })
        .where('id', '=', granted.id)
        .execute();
      const stray = newId();
      await db.kysely
        .insertInto('unlock_requests')
        .values({
          id: stray,
          study_id: subject.study_id,
          site_id: subject.site_id,
          subject_id: ids.subject,
          target_type: 'lock',
          target_id: lock.id,
          reason: 'slipped in',
          requested_by: coord.id,
          requested_at: new Date().toISOString(),
          status: 'open',
          closed_by: null,
          closed_at: null,
          close_note: null,
          version: 1,
        })
        .execute();
      expect((await verifyAuditChain(db)).ok).toBe(true);
      const r = await verifyAuditedData(db);
      expect(r.ok).toBe(false);
      const found = r.findings.filter((f) => f.table === 'unlock_requests');
      expect(found).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            recordId: open.id,
            field: 'status',
            expected: 'open',
            actual: 'declined',
          }),
          expect.objectContaining({
            recordId: open.id,
            field: 'closed_by',
            expected: null,
            actual: coord.id,
          }),
          expect.objectContaining({ recordId: open.id, field: 'close_note', actual: 'not needed' }),
          expect.objectContaining({
            recordId: granted.id,
            field: 'reason',
            expected: 'late lab result',
            actual: 'a better reason',
            seq: expect.any(Number),
          }),
          expect.objectContaining({
            recordId: stray,
            field: null,
            problem: expect.stringMatching(/no audit event that created it/),
          }),
        ]),
      );
      expect(found).toHaveLength(5);
      // The declined request and the granted one's closing are explained by their events.
      expect(found.filter((f) => f.recordId === declined.id)).toEqual([]);

      // A request deleted around the trail (to hide that an unlock was asked for) is found too.
      await db.kysely.deleteFrom('unlock_requests').where('id', '=', declined.id).execute();
      const gone = await verifyAuditedData(db);
      expect(gone.findings).toContainEqual(
        expect.objectContaining({
          table: 'unlock_requests',
          recordId: declined.id,
          problem: expect.stringMatching(/row is gone/),
        }),
      );
    });
  });
}
