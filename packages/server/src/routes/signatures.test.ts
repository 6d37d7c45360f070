// Issue 21 over HTTP, on both databases: the investigator's worklist, a visit or a casebook signed
// in one ceremony (one password; each form's signature recorded and audited; all or nothing; stale
// versions and unseen forms refused with 409), the signature's manifestation (name, instant, meaning),
// freezes and locks of the study, a site and a subject refusing writes with 423 naming the lock, and
// requests to unlock appearing in the worklist.
import { verifyAuditedData } from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  TEST_PASSWORD,
  type TestServer,
  type TestTrial,
} from '../testing/test-server.js';

interface FormOut {
  id: string;
  formCode: string;
  status: string;
  version: number;
  signature: { signerName: string; signedAt: string; meaning: string } | null;
}
interface Worklist {
  meaning: string;
  awaiting: {
    subjectId: string;
    subjectCode: string;
    visits: {
      visitId: string;
      visitCode: string;
      forms: { formId: string; formCode: string; version: number }[];
    }[];
  }[];
  unlockRequests: {
    id: string;
    targetId: string;
    reason: string;
    requestedBy: string;
    formCode: string | null;
  }[];
}
interface Problem {
  code: string;
  detail: string;
  lock?: { level: string; kind: string; lockedBy: string; lockedAt: string };
}

for (const dialect of TEST_DIALECTS)
  describe(`signatures and locks on ${dialect}`, () => {
    let server: TestServer;
    let trial: TestTrial;
    const c = {} as Record<'admin' | 'investigator' | 'coordinator' | 'coordinator_b' | 'monitor', ApiClient>;

    beforeAll(async () => {
      server = await startTestServer(dialect);
      trial = await createTestTrial(server.db);
      for (const who of Object.keys({
        admin: 1,
        investigator: 1,
        coordinator: 1,
        coordinator_b: 1,
        monitor: 1,
      }))
        c[who as keyof typeof c] = new ApiClient(server.baseUrl);
      for (const [who, client] of Object.entries(c)) expect((await client.login(who)).status).toBe(200);
    }, 60_000);
    afterAll(() => server?.close());

    /** A subject at `siteId` with visits, each with complete forms (an ad-hoc study takes any code). */
    async function subjectWith(
      visits: Record<string, string[]>,
      who: 'coordinator' | 'coordinator_b' = 'coordinator',
      siteId = trial.siteA,
    ) {
      const s = await c[who].post<{ id: string; subjectCode: string }>(
        `/api/studies/${trial.studyId}/subjects`,
        {
          siteId,
        },
      );
      expect(s.status).toBe(201);
      const out: Record<string, { visitId: string; forms: FormOut[] }> = {};
      for (const [visitCode, forms] of Object.entries(visits)) {
        const v = await c[who].post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, { visitCode });
        expect(v.status).toBe(201);
        out[visitCode] = { visitId: v.body.id, forms: [] };
        for (const formCode of forms) {
          const f = await c[who].put<FormOut>(`/api/visits/${v.body.id}/forms/${formCode}`, {
            items: [{ itemCode: 'x', value: '1' }],
          });
          expect(f.status).toBe(200);
          const done = await c[who].post<FormOut>(`/api/forms/${f.body.id}/status`, {
            version: f.body.version,
            status: 'complete',
          });
          expect(done.status).toBe(200);
          out[visitCode].forms.push({ ...f.body, version: done.body.version });
        }
      }
      return { subjectId: s.body.id, subjectCode: s.body.subjectCode, visits: out };
    }

    const sign = (subjectId: string, body: unknown) =>
      c.investigator.post<{ signature: { signerName: string; signedAt: string; meaning: string } } & Problem>(
        `/api/subjects/${subjectId}/signatures`,
        body,
      );
    const formEvents = (formIds: string[]) =>
      server.db.kysely
        .selectFrom('audit_events')
        .selectAll()
        .where('entity_id', 'in', formIds)
        .where('action', '=', 'form.sign')
        .execute();

    it("lists complete, unsigned forms at the investigator's sites only", async () => {
      const own = await subjectWith({ V1: ['a', 'b'] });
      const other = await subjectWith({ V1: ['a'] }, 'coordinator_b', trial.siteB);
      const w = await c.investigator.get<Worklist>(`/api/studies/${trial.studyId}/signature-worklist`);
      expect(w.status).toBe(200);
      expect(w.body.meaning).toMatch(/I am the investigator responsible/);
      const mine = w.body.awaiting.find((s) => s.subjectId === own.subjectId);
      expect(mine?.visits[0]?.forms.map((f) => f.formCode)).toEqual(['a', 'b']);
      expect(w.body.awaiting.some((s) => s.subjectId === other.subjectId)).toBe(false);
      // An administrator sees every site.
      const all = await c.admin.get<Worklist>(`/api/studies/${trial.studyId}/signature-worklist`);
      expect(all.body.awaiting.some((s) => s.subjectId === other.subjectId)).toBe(true);
      expect((await c.coordinator.get(`/api/studies/${trial.studyId}/signature-worklist`)).status).toBe(403);
    });

    it('signs a whole visit with one password: each form signed and audited, the manifestation shown', async () => {
      const s = await subjectWith({ V1: ['a', 'b', 'c'] });
      const forms = s.visits.V1!.forms;
      const wrong = await sign(s.subjectId, {
        visitId: s.visits.V1!.visitId,
        forms: forms.map((f) => ({ formId: f.id, version: f.version })),
        password: 'not-my-password',
      });
      expect(wrong.status).toBe(401);
      const r = await sign(s.subjectId, {
        visitId: s.visits.V1!.visitId,
        forms: forms.map((f) => ({ formId: f.id, version: f.version })),
        password: TEST_PASSWORD,
      });
      expect(r.status).toBe(200);
      expect(r.body.signature.signerName).toBe('investigator');
      expect(r.body.signature.signedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      const visit = await c.monitor.get<{ forms: FormOut[] }>(`/api/visits/${s.visits.V1!.visitId}`);
      expect(visit.body.forms.map((f) => f.status)).toEqual(['signed', 'signed', 'signed']);
      for (const f of visit.body.forms)
        expect(f.signature).toEqual({
          signerName: 'investigator',
          signedAt: r.body.signature.signedAt,
          meaning: r.body.signature.meaning,
        });
      // One audited signature per form, with the meaning as its reason.
      const events = await formEvents(forms.map((f) => f.id));
      expect(events).toHaveLength(3);
      for (const e of events) {
        expect(e.actor_id).toBe(trial.users.investigator!.id);
        expect(e.reason).toBe(r.body.signature.meaning);
      }
      const casebook = await c.coordinator.get<{ forms: { formId: string; signature: unknown }[] }>(
        `/api/subjects/${s.subjectId}/signatures`,
      );
      expect(casebook.body.forms.every((f) => f.signature !== null)).toBe(true);
    });

    it('signs all or nothing: a stale version or a form not shown is a conflict, nothing signed', async () => {
      const s = await subjectWith({ V1: ['a', 'b'], V2: ['c'] });
      const [a, b] = s.visits.V1!.forms as [FormOut, FormOut];
      const stale = await sign(s.subjectId, {
        visitId: s.visits.V1!.visitId,
        forms: [
          { formId: a.id, version: a.version },
          { formId: b.id, version: b.version - 1 },
        ],
        password: TEST_PASSWORD,
      });
      expect(stale.status).toBe(409);
      const unseen = await sign(s.subjectId, {
        visitId: s.visits.V1!.visitId,
        forms: [{ formId: a.id, version: a.version }],
        password: TEST_PASSWORD,
      });
      expect(unseen.status).toBe(409);
      expect(unseen.body.detail).toMatch(/not shown/);
      // A form of another visit is not part of this visit.
      const c2 = s.visits.V2!.forms[0]!;
      const elsewhere = await sign(s.subjectId, {
        visitId: s.visits.V1!.visitId,
        forms: [
          { formId: a.id, version: a.version },
          { formId: b.id, version: b.version },
          { formId: c2.id, version: c2.version },
        ],
        password: TEST_PASSWORD,
      });
      expect(elsewhere.status).toBe(404);
      expect(await formEvents([a.id, b.id, c2.id])).toEqual([]);
      // The whole casebook in one ceremony.
      const all = await sign(s.subjectId, {
        forms: [a, b, c2].map((f) => ({ formId: f.id, version: f.version })),
        password: TEST_PASSWORD,
      });
      expect(all.status).toBe(200);
      expect(await formEvents([a.id, b.id, c2.id])).toHaveLength(3);
    });

    it('refuses an incomplete form', async () => {
      const s = await subjectWith({ V1: [] });
      const f = await c.coordinator.put<FormOut>(`/api/visits/${s.visits.V1!.visitId}/forms/a`, {
        items: [{ itemCode: 'x', value: '1' }],
      });
      const r = await sign(s.subjectId, {
        visitId: s.visits.V1!.visitId,
        forms: [{ formId: f.body.id, version: f.body.version }],
        password: TEST_PASSWORD,
      });
      expect(r.status).toBe(400);
      expect(r.body.detail).toMatch(/only complete forms can be signed: a of visit V1 is incomplete/);
    });

    it('a locked study refuses every write with 423 naming the lock; released, writes go through', async () => {
      const s = await subjectWith({ V1: ['a'] });
      // Ready to lock (issue #21): the report lists the unsigned forms; without an override reason
      // the lock is refused naming the report, and nothing is locked.
      const report = await c.admin.get<{ clean: boolean; counts: Record<string, number> }>(
        `/api/studies/${trial.studyId}/lock-readiness`,
      );
      expect(report.status).toBe(200);
      expect(report.body.clean).toBe(false);
      expect(report.body.counts.unsignedForms).toBeGreaterThan(0);
      expect((await c.coordinator.get(`/api/studies/${trial.studyId}/lock-readiness`)).status).toBe(403);
      const refused = await c.admin.post<Problem>(`/api/studies/${trial.studyId}/locks`, {
        level: 'study',
        kind: 'lock',
        reason: 'database lock for the primary analysis',
      });
      expect(refused.status).toBe(400);
      expect(refused.body.detail).toMatch(
        new RegExp(
          `the study is not ready to lock \\(\\d+ open queries, \\d+ forms not source verified, ${report.body.counts.unsignedForms} forms not signed`,
        ),
      );
      const lock = await c.admin.post<{
        id: string;
        version: number;
        lockedBy: string;
        level: string;
        overrideReason: string | null;
      }>(`/api/studies/${trial.studyId}/locks`, {
        level: 'study',
        kind: 'lock',
        reason: 'database lock for the primary analysis',
        overrideReason: 'open items accepted by the sponsor for the interim analysis',
      });
      expect(lock.status).toBe(201);
      expect(lock.body).toMatchObject({
        level: 'study',
        lockedBy: 'admin',
        overrideReason: 'open items accepted by the sponsor for the interim analysis',
      });
      // Audited with the report's counts and the override reason.
      const ev = await server.db.kysely
        .selectFrom('audit_events')
        .select(['action', 'new_value'])
        .where('entity_id', '=', lock.body.id)
        .executeTakeFirstOrThrow();
      expect(ev.action).toBe('study.lock');
      expect(JSON.parse(ev.new_value!)).toMatchObject({
        readiness: report.body.counts,
        overrideReason: 'open items accepted by the sponsor for the interim analysis',
      });
      expect(
        (
          await c.coordinator.post(`/api/studies/${trial.studyId}/locks`, {
            level: 'study',
            kind: 'lock',
            reason: 'x',
          })
        ).status,
      ).toBe(403);
      const save = await c.coordinator.put<Problem>(`/api/visits/${s.visits.V1!.visitId}/forms/b`, {
        items: [{ itemCode: 'x', value: '2' }],
      });
      expect(save.status).toBe(423);
      expect(save.body.lock).toMatchObject({ level: 'study', kind: 'lock', lockedBy: 'admin' });
      expect(save.body.detail).toMatch(/the study is locked \(lock by admin at .*database lock/);
      const writes = [
        await c.coordinator.post(`/api/subjects/${s.subjectId}/visits`, { visitCode: 'V9' }),
        await c.coordinator.post(`/api/subjects/${s.subjectId}/adverse-events`, {
          term: 'Fever',
          onsetDate: '2024-01-01',
          relatedness: 'possible',
          seriousness: [],
        }),
        await c.coordinator.post(`/api/subjects/${s.subjectId}/infusions`, { cycle: 1, infusionNumber: 1 }),
        await c.coordinator.post(`/api/studies/${trial.studyId}/subjects`, { siteId: trial.siteA }),
        await sign(s.subjectId, {
          forms: s.visits.V1!.forms.map((f) => ({ formId: f.id, version: f.version })),
          password: TEST_PASSWORD,
        }),
      ];
      expect(writes.map((w) => w.status)).toEqual([423, 423, 423, 423, 423]);
      const listed = await c.monitor.get<{ id: string; releasedAt: string | null }[]>(
        `/api/studies/${trial.studyId}/locks`,
      );
      expect(listed.body[0]).toMatchObject({ id: lock.body.id, releasedAt: null });
      const noReason = await c.admin.post(`/api/locks/${lock.body.id}/release`, {
        version: lock.body.version,
        reason: ' ',
      });
      expect(noReason.status).toBe(400);
      const released = await c.admin.post<{ releasedBy: string; releaseReason: string }>(
        `/api/locks/${lock.body.id}/release`,
        { version: lock.body.version, reason: 'a query on the primary endpoint' },
      );
      expect(released.status).toBe(200);
      expect(released.body).toMatchObject({
        releasedBy: 'admin',
        releaseReason: 'a query on the primary endpoint',
      });
      const again = await c.coordinator.put(`/api/visits/${s.visits.V1!.visitId}/forms/b`, {
        items: [{ itemCode: 'x', value: '2' }],
      });
      expect(again.status).toBe(200);
      const trail = await server.db.kysely
        .selectFrom('audit_events')
        .select(['action', 'reason'])
        .where('entity_id', '=', lock.body.id)
        .orderBy('seq')
        .execute();
      expect(trail).toEqual([
        { action: 'study.lock', reason: 'database lock for the primary analysis' },
        { action: 'study.unlock', reason: 'a query on the primary endpoint' },
      ]);
    });

    it('a frozen subject takes the signature but no data; a site lock holds only at its site', async () => {
      const s = await subjectWith({ V1: ['a'] });
      const other = await subjectWith({ V1: ['a'] }, 'coordinator_b', trial.siteB);
      const freeze = await c.admin.post<{ id: string; version: number }>(
        `/api/studies/${trial.studyId}/locks`,
        {
          level: 'subject',
          subjectId: s.subjectId,
          kind: 'freeze',
          reason: 'casebook review complete',
        },
      );
      expect(freeze.status).toBe(201);
      const save = await c.coordinator.put<Problem>(`/api/visits/${s.visits.V1!.visitId}/forms/b`, {
        items: [{ itemCode: 'x', value: '2' }],
      });
      expect(save.status).toBe(423);
      expect(save.body.lock).toMatchObject({ level: 'subject', kind: 'freeze' });
      const signed = await sign(s.subjectId, {
        forms: s.visits.V1!.forms.map((f) => ({ formId: f.id, version: f.version })),
        password: TEST_PASSWORD,
      });
      expect(signed.status).toBe(200);
      await c.admin.post(`/api/locks/${freeze.body.id}/release`, {
        version: freeze.body.version,
        reason: 'done',
      });
      const siteLock = await c.admin.post<{ id: string; version: number }>(
        `/api/studies/${trial.studyId}/locks`,
        {
          level: 'site',
          siteId: trial.siteB,
          kind: 'lock',
          reason: 'site closed',
          overrideReason: 'site closed early; its data are frozen as they are',
        },
      );
      expect(siteLock.status).toBe(201);
      const atB = await c.coordinator_b.put(`/api/visits/${other.visits.V1!.visitId}/forms/b`, {
        items: [{ itemCode: 'x', value: '2' }],
      });
      expect(atB.status).toBe(423);
      const atA = await c.coordinator.put(`/api/visits/${s.visits.V1!.visitId}/forms/c`, {
        items: [{ itemCode: 'x', value: '2' }],
      });
      expect(atA.status).toBe(200);
      await c.admin.post(`/api/locks/${siteLock.body.id}/release`, {
        version: siteLock.body.version,
        reason: 'reopened',
      });
    });

    it("a coordinator's request to unlock appears in the investigator's worklist and closes when unlocked", async () => {
      const s = await subjectWith({ V1: ['a'] });
      const f = s.visits.V1!.forms[0]!;
      const signed = await sign(s.subjectId, {
        visitId: s.visits.V1!.visitId,
        forms: [{ formId: f.id, version: f.version }],
        password: TEST_PASSWORD,
      });
      expect(signed.status).toBe(200);
      const req = await c.coordinator.post<{ id: string; status: string }>('/api/unlock-requests', {
        targetType: 'form',
        targetId: f.id,
        reason: 'the lab sent a corrected value',
      });
      expect(req.status).toBe(201);
      expect(
        (
          await c.coordinator.post('/api/unlock-requests', {
            targetType: 'form',
            targetId: f.id,
            reason: 'again',
          })
        ).status,
      ).toBe(409);
      const w = await c.investigator.get<Worklist>(`/api/studies/${trial.studyId}/signature-worklist`);
      expect(w.body.unlockRequests.find((r) => r.id === req.body.id)).toMatchObject({
        targetId: f.id,
        formCode: 'a',
        requestedBy: 'coordinator',
        reason: 'the lab sent a corrected value',
      });
      const visit = await c.investigator.get<{ forms: FormOut[] }>(`/api/visits/${s.visits.V1!.visitId}`);
      const unlock = await c.investigator.post(`/api/forms/${f.id}/status`, {
        version: visit.body.forms[0]!.version,
        status: 'complete',
        reason: 'the lab sent a corrected value',
      });
      expect(unlock.status).toBe(200);
      const after = await c.investigator.get<Worklist>(`/api/studies/${trial.studyId}/signature-worklist`);
      expect(after.body.unlockRequests.some((r) => r.id === req.body.id)).toBe(false);
      const row = await server.db.kysely
        .selectFrom('unlock_requests')
        .selectAll()
        .where('id', '=', req.body.id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'done', closed_by: trial.users.investigator!.id });
      // The request and its closing through the form's unlock are explained by the audit trail.
      const replay = await verifyAuditedData(server.db);
      expect(replay.findings.filter((x) => x.table === 'unlock_requests')).toEqual([]);
      expect(replay.rowsChecked.unlock_requests).toBeGreaterThan(0);
    });

    it("a request to release a lock reaches the administrator's worklist, not the investigator's; a release closes it", async () => {
      const s = await subjectWith({ V1: ['a'] });
      const lock = await c.admin.post<{ id: string; version: number }>(
        `/api/studies/${trial.studyId}/locks`,
        {
          level: 'subject',
          subjectId: s.subjectId,
          kind: 'lock',
          reason: 'casebook locked',
        },
      );
      const req = await c.coordinator.post<{ id: string }>('/api/unlock-requests', {
        targetType: 'lock',
        targetId: lock.body.id,
        reason: 'a late adverse event to record',
      });
      expect(req.status).toBe(201);
      // Another site's coordinator does not even see the lock.
      expect(
        (
          await c.coordinator_b.post('/api/unlock-requests', {
            targetType: 'lock',
            targetId: lock.body.id,
            reason: 'x',
          })
        ).status,
      ).toBe(404);
      const forAdmin = await c.admin.get<Worklist>(`/api/studies/${trial.studyId}/signature-worklist`);
      expect(forAdmin.body.unlockRequests.some((r) => r.id === req.body.id)).toBe(true);
      const forInvestigator = await c.investigator.get<Worklist>(
        `/api/studies/${trial.studyId}/signature-worklist`,
      );
      expect(forInvestigator.body.unlockRequests.some((r) => r.id === req.body.id)).toBe(false);
      // Only who could release it may decline it.
      expect(
        (
          await c.investigator.post(`/api/unlock-requests/${req.body.id}/decline`, {
            version: 1,
            reason: 'no',
          })
        ).status,
      ).toBe(403);
      await c.admin.post(`/api/locks/${lock.body.id}/release`, {
        version: lock.body.version,
        reason: 'AE to record',
      });
      const row = await server.db.kysely
        .selectFrom('unlock_requests')
        .selectAll()
        .where('id', '=', req.body.id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        status: 'done',
        closed_by: trial.users.admin!.id,
        close_note: 'AE to record',
      });
    });
  });
