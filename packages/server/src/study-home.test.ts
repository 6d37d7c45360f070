// The study home at scale (issue 16) and pseudonymised lists (issue 17, Medium 3), against the real
// server on both databases: counts per site come from the database over every subject (not from one
// page), the record status grid pages, filters and sorts on the server with a true total and carries
// the visits of its page only, and a role shown pseudonyms is sorted, filtered and paged on the
// pseudonym, so no order or filter maps a pseudonym to its subject code.
import { msctSleTrial } from '@msct/core/protocol';
import {
  createSubject,
  createVisit,
  raiseQuery,
  type Subject,
  setVisitMissed,
  transitionQuery,
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

const TODAY = '2014-06-01';
const N_A = 37;
const N_B = 26;

interface Counts {
  subjects: number;
  byStatus: Record<string, number>;
  overdueVisits: number | null;
  unresolvedQueries: number | null;
}
interface CountsBody {
  sites: (Counts & { siteId: string; siteCode: string })[];
  total: Counts;
}
interface GridSubject {
  id: string;
  siteId: string;
  siteCode: string;
  subjectCode: string;
  status: string;
  unresolvedQueries: number | null;
  visits: { subjectId: string; visitCode: string; forms: unknown[] }[];
}
interface GridBody {
  total: number;
  offset: number;
  limit: number;
  subjects: GridSubject[];
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

for (const dialect of TEST_DIALECTS) {
  describe(`study home at scale on ${dialect}`, () => {
    let server: TestServer;
    let trial: TestTrial;
    const clients: Record<string, ApiClient> = {};
    let subjects: Subject[] = [];

    beforeAll(async () => {
      server = await startTestServer(dialect);
      trial = await createTestTrial(server.db, { definition: msctSleTrial });
      const admin = { id: trial.users.admin!.id, name: 'admin' };
      // Statuses and day 0s spread over both sites; created concurrently (one group commit on SQLite).
      const plan = (site: string, n: number) =>
        Array.from({ length: n }, (_, i) => ({
          studyId: trial.studyId,
          siteId: site,
          status: (['screening', 'enrolled', 'enrolled', 'withdrawn', 'died', 'completed'] as const)[i % 6],
          day0Date: i % 6 === 0 ? null : `2013-0${1 + (i % 9)}-1${i % 10}`,
        }));
      // One at a time per site: subject codes are numbered per site.
      const [a, b] = await Promise.all([
        (async () => {
          const out: Subject[] = [];
          for (const p of plan(trial.siteA, N_A)) out.push(await createSubject(server.db, admin, p));
          return out;
        })(),
        (async () => {
          const out: Subject[] = [];
          for (const p of plan(trial.siteB, N_B)) out.push(await createSubject(server.db, admin, p));
          return out;
        })(),
      ]);
      subjects = [...a, ...b];
      // Some visits done, and some declared missed (not overdue then: the schedule route agrees).
      for (const s of subjects.slice(0, 12))
        await createVisit(server.db, admin, { subjectId: s.id, visitCode: 'M1', visitDate: '2013-10-01' });
      for (const s of subjects.slice(0, 8)) {
        const v = await createVisit(server.db, admin, { subjectId: s.id, visitCode: 'M9' });
        await setVisitMissed(server.db, admin, v.id, v.version, true, 'patient moved away');
      }
      // Queries: two unresolved at A (one answered), one at B, one closed at B.
      const q1 = await raiseQuery(server.db, admin, {
        subjectId: a[1]!.id,
        entityType: 'subject',
        entityId: a[1]!.id,
        text: 'check',
      });
      await transitionQuery(server.db, admin, q1.id, q1.version, 'answer', 'done');
      await raiseQuery(server.db, admin, {
        subjectId: a[2]!.id,
        entityType: 'subject',
        entityId: a[2]!.id,
        text: 'check',
      });
      await raiseQuery(server.db, admin, {
        subjectId: b[1]!.id,
        entityType: 'subject',
        entityId: b[1]!.id,
        text: 'check',
      });
      const q4 = await raiseQuery(server.db, admin, {
        subjectId: b[2]!.id,
        entityType: 'subject',
        entityId: b[2]!.id,
        text: 'check',
      });
      await transitionQuery(server.db, admin, q4.id, q4.version, 'close', 'fine');
      for (const role of ['admin', 'coordinator', 'coordinator_b', 'statistician', 'monitor']) {
        clients[role] = new ApiClient(server.baseUrl);
        expect((await clients[role].login(role)).status).toBe(200);
      }
    }, 120_000);
    afterAll(async () => server?.close());

    it('counts every subject per site and status in the database, site-scoped', async () => {
      const res = await clients.admin!.get<CountsBody>(
        `/api/studies/${trial.studyId}/subject-counts?today=${TODAY}`,
      );
      expect(res.status).toBe(200);
      const bySite = new Map(res.body.sites.map((s) => [s.siteId, s]));
      for (const [siteId, n] of [
        [trial.siteA, N_A],
        [trial.siteB, N_B],
      ] as const) {
        const mine = subjects.filter((s) => s.site_id === siteId);
        expect(bySite.get(siteId)!.subjects).toBe(n);
        for (const status of ['screening', 'enrolled', 'withdrawn', 'died', 'completed'])
          expect(bySite.get(siteId)!.byStatus[status]).toBe(mine.filter((s) => s.status === status).length);
      }
      expect(res.body.total.subjects).toBe(N_A + N_B);
      expect(bySite.get(trial.siteA)!.unresolvedQueries).toBe(2);
      expect(bySite.get(trial.siteB)!.unresolvedQueries).toBe(1);
      expect(res.body.total.unresolvedQueries).toBe(3);

      // A site user sees its own site only; a statistician may not read queries.
      const coord = await clients.coordinator!.get<CountsBody>(
        `/api/studies/${trial.studyId}/subject-counts`,
      );
      expect(coord.body.sites.map((s) => s.siteId)).toEqual([trial.siteA]);
      expect(coord.body.total.subjects).toBe(N_A);
      const stat = await clients.statistician!.get<CountsBody>(
        `/api/studies/${trial.studyId}/subject-counts`,
      );
      expect(stat.body.total.subjects).toBe(N_A + N_B);
      expect(stat.body.total.unresolvedQueries).toBeNull();
    });

    it('counts overdue visits as the per-subject schedule does, over every subject', async () => {
      const res = await clients.admin!.get<CountsBody>(
        `/api/studies/${trial.studyId}/subject-counts?today=${TODAY}`,
      );
      // The independent path: each subject's own schedule route, summed (no visit expected after
      // death, withdrawal or screen failure: the grid shows those "not expected").
      const expected = new Map<string, number>();
      for (const s of subjects) {
        if (!s.day0_date || ['died', 'withdrawn', 'screen_failed'].includes(s.status)) continue;
        const sched = await clients.admin!.get<{ visits: { status: string }[] }>(
          `/api/subjects/${s.id}/schedule?today=${TODAY}`,
        );
        expect(sched.status).toBe(200);
        const n = sched.body.visits.filter((v) => v.status === 'overdue').length;
        expected.set(s.site_id, (expected.get(s.site_id) ?? 0) + n);
      }
      expect(expected.get(trial.siteA)).toBeGreaterThan(0);
      for (const site of res.body.sites) expect(site.overdueVisits).toBe(expected.get(site.siteId) ?? 0);
    });

    it('pages the grid on the server with the true total, no overlap, and the visits of the page only', async () => {
      const seen: string[] = [];
      for (let offset = 0; offset < N_A + N_B; offset += 10) {
        const res = await clients.admin!.get<GridBody>(
          `/api/studies/${trial.studyId}/record-status?limit=10&offset=${offset}`,
        );
        expect(res.status).toBe(200);
        expect(res.body.total).toBe(N_A + N_B);
        expect(res.body.subjects.length).toBe(Math.min(10, N_A + N_B - offset));
        for (const s of res.body.subjects) {
          seen.push(s.subjectCode);
          for (const v of s.visits) expect(v.subjectId).toBe(s.id);
        }
      }
      expect(seen).toEqual(subjects.map((s) => s.subject_code).sort(cmp));
      // Visits belong to the page's subjects: the first 12 subjects have an M1, the first 8 an M9.
      const all = await clients.admin!.get<GridBody>(`/api/studies/${trial.studyId}/record-status?limit=200`);
      for (const s of all.body.subjects) {
        const i = subjects.findIndex((x) => x.id === s.id);
        expect(s.visits.length).toBe((i < 12 ? 1 : 0) + (i < 8 ? 1 : 0));
      }
      expect(all.body.subjects.find((s) => s.id === subjects[N_A + 1]!.id)!.unresolvedQueries).toBe(1);

      // Filters and sorts are the server's, and the total follows the filter.
      const died = await clients.admin!.get<GridBody>(
        `/api/studies/${trial.studyId}/record-status?status=died&siteId=${trial.siteB}&limit=2`,
      );
      expect(died.body.total).toBe(
        subjects.filter((s) => s.site_id === trial.siteB && s.status === 'died').length,
      );
      expect(died.body.subjects.every((s) => s.status === 'died' && s.siteId === trial.siteB)).toBe(true);
      const bySite = await clients.admin!.get<GridBody>(
        `/api/studies/${trial.studyId}/record-status?sort=site&order=desc&limit=200`,
      );
      expect(bySite.body.subjects[0]!.siteCode).toBe('SB');
      expect(bySite.body.subjects.at(-1)!.siteCode).toBe('SA');
      const search = await clients.admin!.get<GridBody>(
        `/api/studies/${trial.studyId}/record-status?search=sb-01`,
      );
      expect(search.body.subjects.map((s) => s.subjectCode)).toEqual(
        subjects
          .map((s) => s.subject_code)
          .filter((c) => c.startsWith('SB-01'))
          .sort(cmp),
      );
      // `%` is a character, not a wildcard.
      expect(
        (await clients.admin!.get<GridBody>(`/api/studies/${trial.studyId}/record-status?search=%25`)).body
          .total,
      ).toBe(0);

      // A site user gets its site only, and another site's filter finds nothing.
      const coord = await clients.coordinator!.get<GridBody>(`/api/studies/${trial.studyId}/record-status`);
      expect(coord.body.total).toBe(N_A);
      const other = await clients.coordinator!.get<GridBody>(
        `/api/studies/${trial.studyId}/record-status?siteId=${trial.siteB}`,
      );
      expect(other.body.total).toBe(0);
      // An empty search is no filter; a search longer than a code is refused at its field.
      expect(
        (await clients.admin!.get<GridBody>(`/api/studies/${trial.studyId}/record-status?search=`)).body
          .total,
      ).toBe(N_A + N_B);
      const long = await clients.admin!.get<{ errors: { field: string }[] }>(
        `/api/studies/${trial.studyId}/record-status?search=${'x'.repeat(41)}`,
      );
      expect(long.status).toBe(400);
      expect(long.body.errors[0]!.field).toBe('querystring.search');
      // Pages are bounded.
      expect((await clients.admin!.get(`/api/studies/${trial.studyId}/record-status?limit=201`)).status).toBe(
        400,
      );
    });

    it('sorts, filters and pages a pseudonymised list on the pseudonym only', async () => {
      const stat = clients.statistician!;
      const pseudonyms = subjects.map((s) => s.pseudonym).sort(cmp);
      const codes = subjects.map((s) => s.subject_code).sort(cmp);

      // GET /subjects: ordered by pseudonym, and `after` compares pseudonyms, never codes.
      const list = await stat.get<{ subjectCode: string }[]>(`/api/studies/${trial.studyId}/subjects`);
      expect(list.body.map((s) => s.subjectCode)).toEqual(pseudonyms);
      const next = await stat.get<{ subjectCode: string }[]>(
        `/api/studies/${trial.studyId}/subjects?after=${pseudonyms[9]}&limit=5`,
      );
      expect(next.body.map((s) => s.subjectCode)).toEqual(pseudonyms.slice(10, 15));
      // Paging "after" a real code must not answer "the subjects whose code follows it".
      for (const code of [codes[5]!, codes[N_A + 3]!]) {
        const page = await stat.get<{ subjectCode: string }[]>(
          `/api/studies/${trial.studyId}/subjects?after=${code}`,
        );
        expect(page.body.map((s) => s.subjectCode)).toEqual(pseudonyms.filter((p) => p > code));
      }

      // The grid: default order by pseudonym; search on the pseudonym, not the code.
      const grid = await stat.get<GridBody>(`/api/studies/${trial.studyId}/record-status?limit=200`);
      expect(grid.body.subjects.map((s) => s.subjectCode)).toEqual(pseudonyms);
      const bySite = await stat.get<GridBody>(
        `/api/studies/${trial.studyId}/record-status?sort=site&limit=200`,
      );
      const sa = bySite.body.subjects.filter((s) => s.siteId === trial.siteA).map((s) => s.subjectCode);
      expect(sa).toEqual(
        subjects
          .filter((s) => s.site_id === trial.siteA)
          .map((s) => s.pseudonym)
          .sort(cmp),
      );
      const byStatus = await stat.get<GridBody>(
        `/api/studies/${trial.studyId}/record-status?sort=status&limit=200`,
      );
      const enrolled = byStatus.body.subjects
        .filter((s) => s.status === 'enrolled')
        .map((s) => s.subjectCode);
      expect(enrolled).toEqual(
        subjects
          .filter((s) => s.status === 'enrolled')
          .map((s) => s.pseudonym)
          .sort(cmp),
      );
      // Never by a date: day 0 follows enrolment, which numbers the codes.
      const byDay0 = await stat.get<{ errors: { field: string }[] }>(
        `/api/studies/${trial.studyId}/record-status?sort=day0`,
      );
      expect(byDay0.status).toBe(400);
      expect(byDay0.body.errors[0]!.field).toBe('querystring.sort');
      expect(
        (await clients.monitor!.get(`/api/studies/${trial.studyId}/record-status?sort=day0`)).status,
      ).toBe(200);
      const byCode = await stat.get<GridBody>(`/api/studies/${trial.studyId}/record-status?search=SA-0`);
      expect(byCode.body.total).toBe(0);
      const target = subjects[7]!;
      const byPseudonym = await stat.get<GridBody>(
        `/api/studies/${trial.studyId}/record-status?search=${target.pseudonym.slice(1, 9)}`,
      );
      expect(byPseudonym.body.subjects.map((s) => s.id)).toContain(target.id);

      // The endpoint verdict list is in pseudonym order too (in code order its positions would map).
      const endpoints = await stat.get<{ subjects: { subjectCode: string }[] }>(
        `/api/studies/${trial.studyId}/endpoints`,
      );
      expect(endpoints.status).toBe(200);
      expect(endpoints.body.subjects.map((s) => s.subjectCode)).toEqual(pseudonyms);

      // An identified role still gets codes, in code order.
      const mon = await clients.monitor!.get<{ subjectCode: string }[]>(
        `/api/studies/${trial.studyId}/subjects`,
      );
      expect(mon.body.map((s) => s.subjectCode)).toEqual(codes);
    });
  });
}
