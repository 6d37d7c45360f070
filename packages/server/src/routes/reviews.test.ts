// Issue 21: source data verification and review of forms, the SDV plan, the monitor's worklist and
// the study query list (filters, ageing, CSV), on both databases.
import { ItemWriter, inTransaction } from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  type TestServer,
  type TestTrial,
} from '../testing/test-server.js';

interface Review {
  formId: string;
  needsSdv: boolean;
  verifiedAt: string | null;
  verifiedByName: string | null;
  reviewedAt: string | null;
  changedAt: string | null;
  version: number;
}
interface Worklist {
  changedSinceReview: { formId: string }[];
  unverified: { formId: string; subjectCode: string; visitCode: string; siteId: string }[];
  totals: { changedSinceReview: number; unverified: number };
  offset: number;
  limit: number;
  answeredQueries: { id: string; answeredAt: string | null }[];
  newSaes: { id: string; term: string }[];
}
interface Listed {
  id: string;
  status: string;
  ageDays: number;
  visitCode: string | null;
  formCode: string | null;
  lastActivityAt: string;
  closedAt: string | null;
}

for (const dialect of TEST_DIALECTS)
  describe(`review, SDV, worklist and query list on ${dialect}`, () => {
    let server: TestServer;
    let trial: TestTrial;
    const c: Record<string, ApiClient> = {};
    let subjectId = '';
    let visitId = '';
    let formId = '';
    let itemId = '';

    beforeAll(async () => {
      server = await startTestServer(dialect);
      trial = await createTestTrial(server.db);
      for (const u of ['admin', 'monitor', 'coordinator', 'coordinator_b', 'statistician']) {
        c[u] = new ApiClient(server.baseUrl);
        expect((await c[u].login(u)).status).toBe(200);
      }
      const s = await c.coordinator!.post<{ id: string }>(`/api/studies/${trial.studyId}/subjects`, {
        siteId: trial.siteA,
      });
      subjectId = s.body.id;
      const v = await c.coordinator!.post<{ id: string }>(`/api/subjects/${subjectId}/visits`, {
        visitCode: 'BASELINE',
        visitDate: '2026-03-01',
      });
      visitId = v.body.id;
      const f = await c.coordinator!.put<{ id: string; items: { id: string; version: number }[] }>(
        `/api/visits/${visitId}/forms/LAB`,
        { items: [{ itemCode: 'HGB', value: '12.5', unit: 'g/dL' }] },
      );
      expect(f.status).toBe(200);
      formId = f.body.id;
      itemId = f.body.items[0]!.id;
    });
    afterAll(async () => server?.close());

    const reviews = async () => (await c.monitor!.get<Review[]>(`/api/visits/${visitId}/reviews`)).body;
    const worklist = async () =>
      (await c.monitor!.get<Worklist>(`/api/studies/${trial.studyId}/worklist`)).body;

    it('a monitor verifies and reviews a form; a value change clears the verification, audited', async () => {
      const [before] = await reviews();
      expect(before).toMatchObject({
        formId,
        needsSdv: true,
        verifiedAt: null,
        reviewedAt: null,
        version: 0,
      });
      expect((await worklist()).unverified.map((f) => f.formId)).toContain(formId);

      const v = await c.monitor!.post<Review>(`/api/forms/${formId}/review`, {
        mark: 'verified',
        version: 0,
      });
      expect(v.status).toBe(200);
      expect(v.body.verifiedAt).not.toBeNull();
      expect(v.body.verifiedByName).toBeTruthy();
      // A stale version is a conflict, never a silent overwrite.
      expect(
        (await c.monitor!.post(`/api/forms/${formId}/review`, { mark: 'reviewed', version: 0 })).status,
      ).toBe(409);
      const r = await c.monitor!.post<Review>(`/api/forms/${formId}/review`, {
        mark: 'reviewed',
        version: 1,
      });
      expect(r.body).toMatchObject({ version: 2, changedAt: null });
      expect(r.body.reviewedAt).not.toBeNull();
      let w = await worklist();
      expect(w.unverified.map((f) => f.formId)).not.toContain(formId);
      expect(w.changedSinceReview).toEqual([]);
      // The coordinator may not verify.
      expect(
        (await c.coordinator!.post(`/api/forms/${formId}/review`, { mark: 'verified', version: 2 })).status,
      ).toBe(403);

      const change = await c.coordinator!.put(`/api/visits/${visitId}/forms/LAB`, {
        items: [{ itemCode: 'HGB', value: '11.9', unit: 'g/dL', version: 1 }],
        reason: 'transcription error',
      });
      expect(change.status).toBe(200);
      const [after] = await reviews();
      expect(after).toMatchObject({ verifiedAt: null, version: 3 });
      expect(after!.reviewedAt).not.toBeNull();
      expect(after!.changedAt! >= after!.reviewedAt!).toBe(true);
      w = await worklist();
      expect(w.unverified.map((f) => f.formId)).toContain(formId);
      expect(w.changedSinceReview.map((f) => f.formId)).toEqual([formId]);

      const audit = await c.admin!.get<{ action: string; reason: string | null }[]>(
        `/api/subjects/${subjectId}/audit`,
      );
      const actions = audit.body.map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['form.verify', 'form.review', 'form.verify.clear']));
      expect(audit.body.find((e) => e.action === 'form.verify.clear')?.reason).toContain('LAB.HGB');
    });

    it('an import that changes a value clears the verification too (the same item writer)', async () => {
      const [r] = await reviews();
      const v = await c.monitor!.post<Review>(`/api/forms/${formId}/review`, {
        mark: 'verified',
        version: r!.version,
      });
      expect(v.body.verifiedAt).not.toBeNull();
      // The writer the CSV and ODM imports write with (ItemWriter.forImport), in one transaction.
      const admin = { id: trial.users.admin!.id, name: 'admin' };
      await inTransaction(server.db, admin, async (txDb) => {
        const w = ItemWriter.forImport(txDb, trial.studyId, 'lab re-send');
        await w.write({
          subjectId,
          siteId: trial.siteA,
          visitCode: 'BASELINE',
          cycle: 1,
          formCode: 'LAB',
          itemCode: 'HGB',
          value: '11.7',
          unit: 'g/dL',
        });
        await w.flush();
        expect(w.counts.changed).toBe(1);
      });
      const [after] = await reviews();
      expect(after!.verifiedAt).toBeNull();
      const audit = await c.admin!.get<{ action: string; reason: string | null }[]>(
        `/api/subjects/${subjectId}/audit`,
      );
      expect(audit.body.filter((e) => e.action === 'form.verify.clear')).toHaveLength(2);
      // The trail still accounts for every audited row (review events do not touch the form's version).
      const verified = await c.admin!.get<{ ok: boolean; data: { findings: unknown[] } }>(
        '/api/audit/verify',
      );
      expect(verified.body.data.findings).toEqual([]);
      expect(verified.body.ok).toBe(true);
    });

    it('the SDV plan decides which forms need verification (admin sets it, versioned)', async () => {
      const plan = await c.monitor!.get<{ plan: unknown; version: number }>(
        `/api/studies/${trial.studyId}/sdv-plan`,
      );
      expect(plan.body).toEqual({ plan: { mode: 'all' }, version: 0 });
      const subset = { mode: 'subset', rules: [{ formCode: 'VS', visitCode: 'BASELINE' }] };
      expect(
        (await c.monitor!.put(`/api/studies/${trial.studyId}/sdv-plan`, { plan: subset, version: 0 })).status,
      ).toBe(403);
      const set = await c.admin!.put(`/api/studies/${trial.studyId}/sdv-plan`, { plan: subset, version: 0 });
      expect(set.status).toBe(200);
      expect(
        (await c.admin!.put(`/api/studies/${trial.studyId}/sdv-plan`, { plan: subset, version: 0 })).status,
      ).toBe(409);
      expect((await reviews())[0]!.needsSdv).toBe(false);
      expect((await worklist()).unverified).toEqual([]);
      expect((await worklist()).totals.unverified).toBe(0);
      expect(
        (await c.admin!.put(`/api/studies/${trial.studyId}/sdv-plan`, { plan: { mode: 'all' }, version: 1 }))
          .status,
      ).toBe(200);
      expect((await worklist()).unverified.map((f) => f.formId)).toContain(formId);
    });

    it('pages the form lists in the database and counts them in all (issue 16)', async () => {
      // Two more subjects with a form each, one at the other site: three forms or more to page through.
      for (const [client, siteId] of [
        [c.coordinator!, trial.siteA],
        [c.admin!, trial.siteB],
      ] as const) {
        const s = await client.post<{ id: string }>(`/api/studies/${trial.studyId}/subjects`, { siteId });
        const v = await client.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
          visitCode: 'BASELINE',
          visitDate: '2026-03-02',
        });
        const f = await client.put(`/api/visits/${v.body.id}/forms/LAB`, {
          items: [{ itemCode: 'HGB', value: '12.1', unit: 'g/dL' }],
        });
        expect(f.status).toBe(200);
      }
      const all = await worklist();
      expect(all).toMatchObject({ offset: 0, limit: 200 });
      expect(all.totals.unverified).toBe(all.unverified.length);
      expect(all.unverified.length).toBeGreaterThanOrEqual(3);
      expect(new Set(all.unverified.map((f) => f.siteId)).size).toBe(2);
      const paged: string[] = [];
      for (let offset = 0; offset < all.totals.unverified; offset++) {
        const p = (
          await c.monitor!.get<Worklist>(`/api/studies/${trial.studyId}/worklist?limit=1&offset=${offset}`)
        ).body;
        expect(p).toMatchObject({ offset, limit: 1, totals: all.totals });
        expect(p.unverified).toHaveLength(1);
        paged.push(p.unverified[0]!.formId);
      }
      // Page by page, the same forms in the same (site, subject, visit) order as one page of all.
      expect(paged).toEqual(all.unverified.map((f) => f.formId));
      const past = await c.monitor!.get<Worklist>(
        `/api/studies/${trial.studyId}/worklist?offset=${all.totals.unverified}`,
      );
      expect(past.body.unverified).toEqual([]);
      expect(past.body.totals).toEqual(all.totals);
      expect((await c.monitor!.get(`/api/studies/${trial.studyId}/worklist?limit=0`)).status).toBe(400);
      expect((await c.monitor!.get(`/api/studies/${trial.studyId}/worklist?limit=1001`)).status).toBe(400);
    });

    it('lists queries with filters and age, lists answered ones to close, exports CSV; closed ones stay findable', async () => {
      const q = await c.monitor!.post<{ id: string; version: number }>(`/api/subjects/${subjectId}/queries`, {
        entityType: 'item',
        entityId: itemId,
        field: 'LAB.HGB',
        text: '=HGB does not match the source, "please" check',
      });
      expect(q.status).toBe(201);
      const other = await c.monitor!.post<{ id: string }>(`/api/subjects/${subjectId}/queries`, {
        entityType: 'visit',
        entityId: visitId,
        text: 'Visit date?',
      });
      const base = `/api/studies/${trial.studyId}/queries`;
      const list = async (who: ApiClient, path: string) =>
        (await who.get<{ queries: Listed[] }>(path)).body.queries;
      const byForm = await list(c.monitor!, `${base}?formCode=LAB`);
      expect(byForm.map((x) => x.id)).toEqual([q.body.id]);
      expect(byForm[0]).toMatchObject({ visitCode: 'BASELINE', formCode: 'LAB', ageDays: 0 });
      expect(await list(c.monitor!, `${base}?minAgeDays=1`)).toEqual([]);
      expect(await list(c.monitor!, `${base}?siteId=${trial.siteB}`)).toEqual([]);
      expect(await list(c.monitor!, `${base}?raisedBy=${trial.users.monitor!.id}`)).toHaveLength(2);
      expect(await list(c.coordinator_b!, base)).toEqual([]);

      expect(
        (
          await c.coordinator!.post(`/api/queries/${q.body.id}/transitions`, {
            transition: 'answer',
            version: 1,
            text: 'Corrected to 11.9',
          })
        ).status,
      ).toBe(200);
      const w = await worklist();
      expect(w.answeredQueries.map((x) => x.id)).toEqual([q.body.id]);
      expect(w.answeredQueries[0]!.answeredAt).not.toBeNull();
      // The monitor reads the site's answer in the thread.
      const thread = await c.monitor!.get<{ messages: { kind: string; text: string; authorName: string }[] }>(
        `/api/queries/${q.body.id}`,
      );
      expect(thread.body.messages.map((m) => [m.kind, m.text])).toEqual([
        ['raise', '=HGB does not match the source, "please" check'],
        ['answer', 'Corrected to 11.9'],
      ]);
      await c.monitor!.post(`/api/queries/${q.body.id}/transitions`, {
        transition: 'close',
        version: 2,
        text: 'OK',
      });
      const closed = await list(c.monitor!, `${base}?status=closed`);
      expect(closed.map((x) => x.id)).toEqual([q.body.id]);
      expect(closed[0]!.lastActivityAt).toBe(closed[0]!.closedAt);

      const csv = await c.monitor!.get<string>(`${base}.csv`);
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      const lines = csv.body.trimEnd().split('\r\n');
      expect(lines[0]).toBe(
        'query_id,site,subject,visit,form,field,record,status,raised_by,raised_at,age_days,last_activity_at,closed_at,text',
      );
      expect(lines).toHaveLength(3);
      const row = lines.find((l) => l.startsWith(q.body.id))!;
      expect(row).toContain(',SA,');
      expect(row).toContain(',BASELINE,LAB,LAB.HGB,item,closed,');
      // Quoted, and a leading "=" defused so a spreadsheet does not run it.
      expect(row.endsWith(`,"'=HGB does not match the source, ""please"" check"`)).toBe(true);
      expect(lines.some((l) => l.startsWith(other.body.id))).toBe(true);
      expect((await c.statistician!.get(`${base}.csv`)).status).toBe(403);

      // A page at a time (issue 16), ordered by when each was raised; the counts are over every match.
      type Page = { queries: Listed[]; counts: { total: number; byStatus: Record<string, number> } };
      const page = async (qs: string) => (await c.monitor!.get<Page>(`${base}?${qs}`)).body;
      const all = await page('');
      expect(all).toMatchObject({
        offset: 0,
        limit: 200,
        counts: { total: 2, byStatus: { open: 1, answered: 0, closed: 1 } },
      });
      const first = await page('limit=1');
      const second = await page('limit=1&offset=1');
      expect([...first.queries, ...second.queries].map((x) => x.id)).toEqual(all.queries.map((x) => x.id));
      expect(second.counts).toEqual(all.counts);
      expect((await page('offset=2')).queries).toEqual([]);
      // The status filter narrows the list and its total; byStatus still counts every status.
      expect((await page('status=open')).counts).toEqual({ total: 1, byStatus: all.counts.byStatus });
      expect((await c.monitor!.get(`${base}?limit=0`)).status).toBe(400);
      expect((await c.monitor!.get(`${base}?limit=1001`)).status).toBe(400);

      // "Open at least N days" in the database: a query raised 10 days ago and closed 3 days after
      // was open 3 days; one raised 10 days ago and still open, 10.
      const day = 86_400_000;
      const raisedAt = new Date(Date.now() - 10 * day).toISOString();
      const old = { id: trial.users.monitor!.id, name: 'monitor' };
      const ids = [crypto.randomUUID(), crypto.randomUUID()];
      await inTransaction(server.db, old, async (tx) => {
        for (const [i, closedAt] of [new Date(Date.parse(raisedAt) + 3 * day).toISOString(), null].entries())
          await tx.kysely
            .insertInto('queries')
            .values({
              id: ids[i]!,
              subject_id: subjectId,
              entity_type: 'subject',
              entity_id: subjectId,
              field: null,
              status: closedAt ? 'closed' : 'open',
              text: `aged ${i}`,
              raised_by: old.id,
              raised_at: raisedAt,
              closed_by: closedAt ? old.id : null,
              closed_at: closedAt,
              version: 1,
            })
            .execute();
      });
      const aged = async (days: number) => (await page(`minAgeDays=${days}`)).queries.map((x) => x.id).sort();
      expect(await aged(3)).toEqual([...ids].sort());
      expect(await aged(4)).toEqual([ids[1]]);
      expect(await aged(10)).toEqual([ids[1]]);
      expect(await aged(11)).toEqual([]);
      expect((await page('minAgeDays=3&limit=1&offset=1')).counts.total).toBe(2);
    });
    it('raises queries on every kind of record of the subject, and none on another subject’s', async () => {
      const inf = await c.coordinator!.post<{ id: string }>(`/api/subjects/${subjectId}/infusions`, {
        cycle: 1,
        infusionNumber: 1,
        productLot: 'L1',
      });
      expect(inf.status, JSON.stringify(inf.body)).toBe(201);
      const ae = await c.coordinator!.post<{ id: string }>(`/api/subjects/${subjectId}/adverse-events`, {
        term: 'Headache',
        onsetDate: '2026-03-02',
        relatedness: 'unlikely',
      });
      expect(ae.status, JSON.stringify(ae.body)).toBe(201);
      const targets: [string, string, string | null][] = [
        ['item', itemId, 'LAB.HGB'],
        ['form', formId, null],
        ['visit', visitId, null],
        ['subject', subjectId, 'birthDate'],
        ['infusion', inf.body.id, null],
        ['adverse event', ae.body.id, null],
      ];
      for (const [entityType, entityId, field] of targets) {
        const r = await c.monitor!.post(`/api/subjects/${subjectId}/queries`, {
          entityType,
          entityId,
          field,
          text: `check the ${entityType}`,
        });
        expect(r.status, `${entityType}: ${JSON.stringify(r.body)}`).toBe(201);
      }
      const listed = (
        await c.coordinator!.get<{ queries: (Listed & { entityType: string; text: string })[] }>(
          `/api/studies/${trial.studyId}/queries?subjectId=${subjectId}&status=open`,
        )
      ).body.queries;
      for (const [entityType] of targets)
        expect(
          listed.some((q) => q.entityType === entityType && q.text === `check the ${entityType}`),
          entityType,
        ).toBe(true);
      // A record of another subject is refused, whatever its kind.
      const other = await c.coordinator!.post<{ id: string }>(`/api/studies/${trial.studyId}/subjects`, {
        siteId: trial.siteA,
      });
      const wrong = await c.monitor!.post(`/api/subjects/${other.body.id}/queries`, {
        entityType: 'adverse event',
        entityId: ae.body.id,
        text: 'not this subject’s',
      });
      expect(wrong.status).toBe(404);
    });
  });
