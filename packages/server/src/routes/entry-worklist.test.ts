// The coordinator's worklist over HTTP (issue 22), on both databases: visits due this week and
// overdue from the MSCT-SLE windows (trial.md "Schedule": M1 day 30 ±7) anchored on day 0, nothing
// expected of a subject who died, visits with forms to complete, open queries to answer and the
// answer to the coordinator's request to unlock — and a coordinator sees their own site only.
import type { EntryWorklist } from '@msct/contract';
import { msctSleTrial } from '@msct/core/protocol';
import { createSubject } from '@msct/store';
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

type Who = 'admin' | 'investigator' | 'coordinator' | 'coordinator_b' | 'monitor';

for (const dialect of TEST_DIALECTS)
  describe(`the coordinator's worklist on ${dialect}`, () => {
    let server: TestServer;
    let trial: TestTrial;
    const c = {} as Record<Who, ApiClient>;
    const ids = {} as Record<'a1' | 'a2' | 'b1' | 'd0' | 'query' | 'request', string>;
    const codes = {} as Record<'a1' | 'a2' | 'b1', string>;

    // Enrolled (or died) with day 0 on 2026-01-01, written through the store: enrolment through the API
    // runs the eligibility checklist, which is not what this test is about.
    async function enrolled(siteId: string, status: 'enrolled' | 'died' = 'enrolled') {
      return createSubject(
        server.db,
        { id: null, name: 'test' },
        {
          studyId: trial.studyId,
          siteId,
          status,
          enrolledAt: '2026-01-01',
          day0Date: '2026-01-01',
        },
      );
    }
    async function visit(subjectId: string, visitCode: string, visitDate: string) {
      const v = await c.coordinator.post<{ id: string }>(`/api/subjects/${subjectId}/visits`, {
        visitCode,
        visitDate,
      });
      expect(v.status).toBe(201);
      return v.body.id;
    }
    const worklist = async (who: Who, today: string) => {
      const res = await c[who].get<EntryWorklist>(
        `/api/studies/${trial.studyId}/entry-worklist?today=${today}`,
      );
      expect(res.status).toBe(200);
      return res.body;
    };

    beforeAll(async () => {
      server = await startTestServer(dialect);
      trial = await createTestTrial(server.db, { definition: msctSleTrial });
      for (const who of ['admin', 'investigator', 'coordinator', 'coordinator_b', 'monitor'] as const) {
        c[who] = new ApiClient(server.baseUrl);
        expect((await c[who].login(who)).status).toBe(200);
      }
      const a1 = await enrolled(trial.siteA);
      const a2 = await enrolled(trial.siteA, 'died');
      const b1 = await enrolled(trial.siteB);
      Object.assign(ids, { a1: a1.id, a2: a2.id, b1: b1.id });
      Object.assign(codes, { a1: a1.subject_code, a2: a2.subject_code, b1: b1.subject_code });
      await visit(a1.id, 'SCR', '2025-12-20');
      ids.d0 = await visit(a1.id, 'D0', '2026-01-01');
      await visit(a1.id, 'D7', '2026-01-08');
      // A signed labs form at D0, whose unlock the coordinator asks for and the investigator declines.
      const labs = await c.coordinator.put<{ id: string; version: number }>(
        `/api/visits/${ids.d0}/forms/labs`,
        {
          items: [{ itemCode: 'c3', value: '1.0', unit: 'g/L' }],
        },
      );
      expect(labs.status).toBe(200);
      const done = await c.coordinator.post<{ version: number }>(`/api/forms/${labs.body.id}/status`, {
        version: labs.body.version,
        status: 'complete',
      });
      expect(done.status).toBe(200);
      const signed = await c.investigator.post(`/api/subjects/${a1.id}/signatures`, {
        visitId: ids.d0,
        forms: [{ formId: labs.body.id, version: done.body.version }],
        password: TEST_PASSWORD,
      });
      expect(signed.status).toBe(200);
      const req = await c.coordinator.post<{ id: string; version: number }>('/api/unlock-requests', {
        targetType: 'form',
        targetId: labs.body.id,
        reason: 'C3 unit was wrong',
      });
      expect(req.status).toBe(201);
      ids.request = req.body.id;
      const declined = await c.investigator.post(`/api/unlock-requests/${req.body.id}/decline`, {
        version: req.body.version,
        reason: 'the source says g/L',
      });
      expect(declined.status).toBe(200);
      const q = await c.monitor.post<{ id: string }>(`/api/subjects/${a1.id}/queries`, {
        entityType: 'subject',
        entityId: a1.id,
        field: 'sex',
        text: 'Sex is not recorded',
      });
      expect(q.status).toBe(201);
      ids.query = q.body.id;
    }, 120_000);
    afterAll(() => server?.close());

    it('M1 is due in the week its window opens and overdue after it closes; a dead subject has none', async () => {
      // M1: day 30 ± 7 from day 0 2026-01-01 opens 2026-01-24 and closes 2026-02-07.
      const before = await worklist('coordinator', '2026-01-17');
      expect(before.dueThisWeek.items.filter((v) => v.subjectId === ids.a1)).toEqual([]);
      const week = await worklist('coordinator', '2026-01-18');
      expect(week.weekEnd).toBe('2026-01-24');
      const m1 = week.dueThisWeek.items.find((v) => v.subjectId === ids.a1);
      expect(m1).toMatchObject({
        subjectCode: codes.a1,
        siteCode: 'SA',
        visitCode: 'M1',
        visitLabel: 'Month 1',
        earliestDate: '2026-01-24',
        latestDate: '2026-02-07',
        status: 'not_due',
      });
      const late = await worklist('coordinator', '2026-02-08');
      expect(late.overdue.items.filter((v) => v.subjectId === ids.a1).map((v) => v.visitCode)).toEqual([
        'M1',
      ]);
      expect(late.overdue.total).toBe(1);
      // The subject who died has no visit due or overdue.
      for (const w of [week, late])
        expect([...w.dueThisWeek.items, ...w.overdue.items].some((v) => v.subjectId === ids.a2)).toBe(false);
    });

    it('lists visits with forms to complete, by form title, and the open query to answer', async () => {
      const w = await worklist('coordinator', '2026-01-31');
      const d0 = w.formsToComplete.items.find((v) => v.visitId === ids.d0);
      expect(d0?.visitLabel).toBe('Baseline / infusion 1');
      // labs is signed; the other forms the definition collects at D0 are not entered yet.
      expect(d0?.missingForms.map((f) => f.formCode)).not.toContain('labs');
      expect(d0?.missingForms.map((f) => f.title)).toContain('SLEDAI-2K');
      expect(w.formsToComplete.total).toBe(w.formsToComplete.items.length);
      expect(w.openQueries.items.map((q) => q.id)).toEqual([ids.query]);
      expect(w.openQueries.items[0]).toMatchObject({ subjectCode: codes.a1, text: 'Sex is not recorded' });
    });

    it("shows the answer to the coordinator's own request to unlock, not to others", async () => {
      const w = await worklist('coordinator', '2026-01-31');
      expect(w.unlockAnswers.items).toHaveLength(1);
      expect(w.unlockAnswers.items[0]).toMatchObject({
        id: ids.request,
        status: 'declined',
        note: 'the source says g/L',
        answeredBy: 'investigator',
        visitId: ids.d0,
        formTitle: 'Laboratory tests',
      });
      expect((await worklist('investigator', '2026-01-31')).unlockAnswers.items).toEqual([]);
    });

    it('a coordinator sees only their own site; the monitor may not ask', async () => {
      const a = await worklist('coordinator', '2026-02-08');
      const b = await worklist('coordinator_b', '2026-02-08');
      const subjectsOf = (w: EntryWorklist) =>
        new Set(
          [
            ...w.dueThisWeek.items,
            ...w.overdue.items,
            ...w.formsToComplete.items,
            ...w.openQueries.items,
          ].map((i) => i.subjectId),
        );
      expect(subjectsOf(a).has(ids.b1)).toBe(false);
      expect(subjectsOf(b)).toEqual(new Set([ids.b1]));
      expect(b.overdue.items.map((v) => v.visitCode)).toContain('M1');
      expect(b.openQueries.items).toEqual([]);
      // The admin sees every site.
      expect(subjectsOf(await worklist('admin', '2026-02-08')).has(ids.b1)).toBe(true);
      const monitor = await c.monitor.get(`/api/studies/${trial.studyId}/entry-worklist`);
      expect(monitor.status).toBe(403);
    });
  });
