// The safety role's work at the API (issue #21), on both databases: AEs edited with a reason (409 on a
// stale version), the study-wide listing with filters, counts, site scoping and each SAE's clock,
// the SAE detail with follow-ups, and the sponsor's assessment.
import { verifyAuditedData } from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  type TestServer,
  type TestTrial,
} from '../testing/test-server.js';

type Ae = {
  id: string;
  version: number;
  term: string;
  outcome: string | null;
  resolutionDate: string | null;
  ctcaeGrade: number | null;
  serious: boolean;
  subjectCode: string;
  siteCode: string;
  sponsorRelatedness: string | null;
  expectedness: string | null;
  reportedDate: string | null;
  clock: {
    expedited: boolean;
    deadlineDays: number | null;
    report: string;
    daysLeft: number | null;
    overdue: boolean;
    siteNotice: string;
  };
};
type Listing = {
  counts: {
    total: number;
    serious: number;
    related: number;
    fatal: number;
    overdue: number;
    byGrade: Record<string, number>;
  };
  events: Ae[];
  offset: number;
  limit: number;
};

// Hours ago, but never before today's UTC midnight: the clock's day 0 is the UTC date of the
// sponsor's notice, so an instant from yesterday (a run between 00:00 and 05:00 UTC) shifts every due day.
const hoursAgo = (h: number) =>
  new Date(
    Math.max(Date.now() - h * 3_600_000, Date.parse(new Date().toISOString().slice(0, 10))),
  ).toISOString();

for (const dialect of TEST_DIALECTS) {
  describe(`adverse events for the safety role on ${dialect}`, () => {
    let server: TestServer;
    let trial: TestTrial;
    const c: Record<string, ApiClient> = {};
    const ae: Record<string, Ae> = {};

    beforeAll(async () => {
      server = await startTestServer(dialect);
      trial = await createTestTrial(server.db);
      for (const u of ['coordinator', 'coordinator_b', 'safety', 'monitor', 'statistician']) {
        c[u] = new ApiClient(server.baseUrl);
        await c[u]!.login(u);
      }
      const subject = async (who: string, siteId: string) =>
        (await c[who]!.post<{ id: string }>(`/api/studies/${trial.studyId}/subjects`, { siteId })).body.id;
      const a = await subject('coordinator', trial.siteA);
      const b = await subject('coordinator_b', trial.siteB);
      const report = async (who: string, subjectId: string, body: Record<string, unknown>) => {
        const r = await c[who]!.post<Ae>(`/api/subjects/${subjectId}/adverse-events`, body);
        expect(r.status).toBe(201);
        return r.body;
      };
      ae.headache = await report('coordinator', a, {
        term: 'Headache',
        onsetDate: '2026-02-01',
        ctcaeGrade: 1,
        relatedness: 'not_related',
      });
      // Fatal, unexpected, related, known to the sponsor on 2026-03-01: 7 days, long overdue.
      ae.death = await report('coordinator', a, {
        term: 'Pulmonary embolism',
        onsetDate: '2026-02-27',
        ctcaeGrade: 5,
        seriousness: ['death'],
        relatedness: 'possible',
        outcome: 'fatal',
        deathDate: '2026-02-28',
        siteAwareAt: '2026-02-28T08:00:00Z',
        sponsorNotifiedAt: '2026-03-01T09:00:00Z',
      });
      // Hospitalisation at site B, related by the investigator, notified an hour ago: 15 days left.
      ae.pneumonia = await report('coordinator_b', b, {
        term: 'Pneumonia',
        onsetDate: '2026-11-20',
        ctcaeGrade: 3,
        seriousness: ['hospitalisation'],
        relatedness: 'probable',
        siteAwareAt: hoursAgo(3),
        sponsorNotifiedAt: hoursAgo(1),
        narrative: 'Admitted with fever and cough.',
      });
    });
    afterAll(async () => server?.close());

    const list = (who: string, q = '') =>
      c[who]!.get<Listing>(`/api/studies/${trial.studyId}/adverse-events${q}`);

    it('lists every site for the safety role, with counts and clocks', async () => {
      const r = await list('safety');
      expect(r.status).toBe(200);
      expect(r.body.counts).toMatchObject({ total: 3, serious: 2, related: 2, fatal: 1, overdue: 1 });
      expect(r.body.counts.byGrade).toEqual({ '1': 1, '3': 1, '5': 1 });
      const byTerm = Object.fromEntries(r.body.events.map((e) => [e.term, e]));
      expect(byTerm['Pulmonary embolism']!.clock).toMatchObject({
        expedited: true,
        deadlineDays: 7,
        report: 'overdue',
        overdue: true,
        siteNotice: 'late',
      });
      expect(byTerm.Pneumonia!.clock).toMatchObject({
        expedited: true,
        deadlineDays: 15,
        report: 'due',
        daysLeft: 15,
        overdue: false,
        siteNotice: 'on_time',
      });
      expect(byTerm.Headache!.clock.expedited).toBe(false);
      expect(byTerm.Pneumonia!.siteCode).toBe('SB');
    });

    it('keeps a site coordinator to its own site', async () => {
      const r = await list('coordinator');
      expect(r.body.events.map((e) => e.term).sort()).toEqual(['Headache', 'Pulmonary embolism']);
      const other = await list('coordinator', `?siteId=${trial.siteB}`);
      expect(other.body.counts.total).toBe(0);
    });

    it.each([
      ['?seriousness=serious', ['Pneumonia', 'Pulmonary embolism']],
      ['?seriousness=non_serious', ['Headache']],
      ['?seriousness=hospitalisation', ['Pneumonia']],
      ['?grade=5', ['Pulmonary embolism']],
      ['?relatedness=related', ['Pneumonia', 'Pulmonary embolism']],
      ['?relatedness=not_related', ['Headache']],
      ['?term=PNEUM', ['Pneumonia']],
      ['?term=%25', []],
      ['?outcome=fatal', ['Pulmonary embolism']],
      ['?outcome=none', ['Headache', 'Pneumonia']],
      ['?onsetFrom=2026-02-27&onsetTo=2026-03-31', ['Pulmonary embolism']],
      ['?overdue=yes', ['Pulmonary embolism']],
    ])('filters %s', async (q, terms) => {
      const r = await list('safety', q);
      expect(r.status).toBe(200);
      expect(r.body.events.map((e) => e.term).sort()).toEqual(terms);
      expect(r.body.counts.total).toBe(terms.length);
    });

    it('pages the listing; its counts stay over every matching event (issue 16)', async () => {
      const whole = (await list('safety')).body;
      expect(whole).toMatchObject({ offset: 0, limit: 200 });
      const pages = [];
      for (let offset = 0; offset < whole.counts.total; offset++) {
        const page = (await list('safety', `?offset=${offset}&limit=1`)).body;
        expect(page).toMatchObject({ offset, limit: 1, counts: whole.counts });
        pages.push(...page.events);
      }
      expect(pages.map((e) => e.id)).toEqual(whole.events.map((e) => e.id));
      expect((await list('safety', `?offset=${whole.counts.total}`)).body.events).toEqual([]);
      // With the derived filter (overdue) too: the page comes from the matches, the counts are theirs.
      const serious = (await list('safety', '?seriousness=serious&offset=1&limit=1')).body;
      expect(serious.counts.total).toBe(2);
      expect(serious.events).toHaveLength(1);
      expect((await list('safety', '?overdue=yes&offset=1')).body).toMatchObject({
        events: [],
        counts: { total: 1, overdue: 1 },
      });
      expect((await list('safety', '?limit=0')).status).toBe(400);
      expect((await list('safety', '?limit=1001')).status).toBe(400);
    });

    it('refuses a reversed date range and an unknown filter', async () => {
      expect((await list('safety', '?onsetFrom=2026-03-01&onsetTo=2026-02-01')).status).toBe(400);
      expect((await list('safety', '?colour=red')).status).toBe(400);
    });

    it('shows pseudonyms to the statistician', async () => {
      const r = await list('statistician');
      const s = await list('safety');
      expect(r.body.events.map((e) => e.subjectCode)).not.toEqual(s.body.events.map((e) => e.subjectCode));
    });

    it('edits an AE with a reason, audited, and refuses a stale version with 409', async () => {
      const path = `/api/adverse-events/${ae.headache!.id}`;
      const noReason = await c.coordinator!.patch(path, {
        version: ae.headache!.version,
        outcome: 'recovered',
      });
      expect(noReason.status).toBe(400);
      const ok = await c.coordinator!.patch<Ae>(path, {
        version: ae.headache!.version,
        outcome: 'recovered',
        resolutionDate: '2026-02-03',
        ctcaeGrade: 2,
        reason: 'follow-up call',
      });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ outcome: 'recovered', resolutionDate: '2026-02-03', ctcaeGrade: 2 });
      expect(ok.body.version).toBe(ae.headache!.version + 1);
      const stale = await c.coordinator!.patch(path, {
        version: ae.headache!.version,
        outcome: 'unknown',
        reason: 'x',
      });
      expect(stale.status).toBe(409);
      const trail = await server.db.kysely
        .selectFrom('audit_events')
        .select(['field', 'old_value', 'new_value', 'reason'])
        .where('entity_id', '=', ae.headache!.id)
        .where('action', '=', 'adverse_event.update')
        .execute();
      expect(trail).toContainEqual({
        field: 'outcome',
        old_value: null,
        new_value: 'recovered',
        reason: 'follow-up call',
      });
      // The safety role reads but does not change the site's record.
      expect(
        (await c.safety!.patch(path, { version: ok.body.version, outcome: 'unknown', reason: 'x' })).status,
      ).toBe(403);
    });

    it('shows the SAE detail with follow-ups appended by the site', async () => {
      const path = `/api/adverse-events/${ae.pneumonia!.id}`;
      const early = await c.coordinator_b!.post(`${path}/follow-ups`, { entryDate: '2026-11-01', text: 'x' });
      expect(early.status).toBe(400);
      const fu = await c.coordinator_b!.post<{ id: string }>(`${path}/follow-ups`, {
        entryDate: '2026-11-22',
        text: 'Discharged home on oral antibiotics.',
      });
      expect(fu.status).toBe(201);
      expect(
        (await c.coordinator!.post(`${path}/follow-ups`, { entryDate: '2026-11-22', text: 'x' })).status,
      ).toBe(404);
      expect(
        (await c.safety!.post(`${path}/follow-ups`, { entryDate: '2026-11-22', text: 'x' })).status,
      ).toBe(403);
      const d = await c.safety!.get<
        Ae & { narrative: string; followUps: { text: string; authorName: string }[] }
      >(path);
      expect(d.status).toBe(200);
      expect(d.body.narrative).toBe('Admitted with fever and cough.');
      expect(d.body.followUps).toEqual([
        expect.objectContaining({
          text: 'Discharged home on oral antibiotics.',
          authorName: 'coordinator_b',
        }),
      ]);
      expect(d.body.clock.deadlineDays).toBe(15);
      expect((await c.coordinator!.get(path)).status).toBe(404);
    });

    it("records the sponsor's assessment: expected stops the clock, a report date closes it", async () => {
      const path = `/api/adverse-events/${ae.death!.id}/sponsor-assessment`;
      expect(
        (
          await c.coordinator!.patch(path, {
            version: ae.death!.version,
            expectedness: 'expected',
            reason: 'x',
          })
        ).status,
      ).toBe(403);
      const early = await c.safety!.patch(path, {
        version: ae.death!.version,
        reportedDate: '2026-02-01',
        reason: 'x',
      });
      expect(early.status).toBe(400);
      const r = await c.safety!.patch<Ae>(path, {
        version: ae.death!.version,
        sponsorRelatedness: 'probable',
        expectedness: 'unexpected',
        reportedDate: '2026-03-09',
        reason: 'sponsor review',
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        sponsorRelatedness: 'probable',
        expectedness: 'unexpected',
        reportedDate: '2026-03-09',
      });
      const d = await c.safety!.get<Ae>(`/api/adverse-events/${ae.death!.id}`);
      expect(d.body.clock).toMatchObject({ report: 'late', overdue: false });
      const stale = await c.safety!.patch(path, {
        version: ae.death!.version,
        expectedness: 'expected',
        reason: 'x',
      });
      expect(stale.status).toBe(409);
    });

    it('names disagreeing death records on the detail (dates hidden from pseudonymised readers)', async () => {
      type Detail = { subjectId: string; deathRecordConflicts: { rule: string; message: string }[] };
      const consistent = await c.safety!.get<Detail>(`/api/adverse-events/${ae.death!.id}`);
      expect(consistent.body.deathRecordConflicts).toEqual([]);
      const second = await c.coordinator!.post<Ae>(
        `/api/subjects/${consistent.body.subjectId}/adverse-events`,
        {
          term: 'Stroke',
          onsetDate: '2026-02-27',
          seriousness: ['hospitalisation'],
          relatedness: 'unlikely',
          outcome: 'fatal',
        },
      );
      expect(second.status).toBe(201);
      const d = await c.safety!.get<Detail>(`/api/adverse-events/${ae.death!.id}`);
      expect(d.body.deathRecordConflicts.map((x) => x.rule).sort()).toEqual([
        'fatal_not_serious_death',
        'fatal_without_death_date',
      ]);
      expect(d.body.deathRecordConflicts[0]!.message).toMatch(/Stroke/);
      const stat = await c.statistician!.get<Detail>(`/api/adverse-events/${ae.death!.id}`);
      expect(stat.body.deathRecordConflicts).toHaveLength(2);

      // Each conflict is a system query on the subject, raised once (not again on the next write).
      type Query = { text: string; raisedByName: string; status: string };
      const queries = async () =>
        (
          await c.monitor!.get<{ queries: Query[] }>(
            `/api/studies/${trial.studyId}/queries?subjectId=${consistent.body.subjectId}`,
          )
        ).body.queries;
      const raised = await queries();
      expect(raised.map((q) => q.text).sort()).toEqual([
        expect.stringMatching(
          /^Automatic check, death records disagree: adverse event "Stroke" has outcome fatal but no death date/,
        ),
        expect.stringMatching(
          /^Automatic check, death records disagree: adverse event "Stroke" resulted in death/,
        ),
      ]);
      expect(new Set(raised.map((q) => q.raisedByName))).toEqual(new Set(['msct automatic check']));
      const fixed = await c.coordinator!.patch<Ae>(`/api/adverse-events/${second.body.id}`, {
        version: second.body.version,
        ctcaeGrade: 5,
        reason: 'graded',
      });
      expect(fixed.status).toBe(200);
      expect(await queries()).toHaveLength(2);

      // The end-of-study form saying "completed" for a subject with a fatal AE: one more query.
      const visit = await c.coordinator!.post<{ id: string }>(
        `/api/subjects/${consistent.body.subjectId}/visits`,
        {
          visitCode: 'M12',
          visitDate: '2026-03-01',
        },
      );
      expect(visit.status).toBe(201);
      const eos = await c.coordinator!.put(`/api/visits/${visit.body.id}/forms/end-of-study`, {
        items: [
          { itemCode: 'status', value: 'completed' },
          { itemCode: 'date', value: '2026-03-01' },
        ],
      });
      expect(eos.status).toBe(200);
      expect((await queries()).map((q) => q.text)).toContainEqual(
        expect.stringMatching(/end-of-study status is completed, not died/),
      );
      // The system account cannot log in.
      expect((await new ApiClient(server.baseUrl).login('msct-system', '!')).status).toBe(401);
      expect(stat.body.deathRecordConflicts.map((x) => x.message).join(' ')).not.toMatch(
        /\d{4}-\d{2}-\d{2}|Stroke/,
      );
    });

    it('the audit trail explains every AE column, follow-up and system query written here', async () => {
      const report = await verifyAuditedData(server.db);
      expect(report.findings).toEqual([]);
      expect(report.rowsChecked.adverse_event_follow_ups).toBe(1);
    });
  });
}
