// AE dates against the subject's own dates at the API (issue #18 item 8; rule in
// core/dataset/adverse-event-dates.ts), on both databases: a bad date is a 400 problem+json naming
// the field and the rule, and nothing is written.
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createTestTrial, startTestServer, type TestServer } from './testing/test-server.js';

type Problem = { code: string; errors?: { field: string; rule: string; message: string }[] };
type Ae = { id: string; version: number; onsetDate: string; resolutionDate: string | null };

async function count(server: TestServer) {
  const r = await server.db.kysely
    .selectFrom('adverse_events')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  const head = await server.db.kysely.selectFrom('audit_head').select(['hash']).executeTakeFirstOrThrow();
  return `${Number(r.n)}|${head.hash}`;
}

for (const dialect of TEST_DIALECTS) {
  describe(`AE dates on ${dialect}`, () => {
    let server: TestServer;
    let coord: ApiClient;
    let finished: string; // completed the study on 2014-01-20
    let ongoing: string; // day 0 on 2013-01-10, no end of study

    beforeAll(async () => {
      server = await startTestServer(dialect);
      const trial = await createTestTrial(server.db);
      coord = new ApiClient(server.baseUrl);
      await coord.login('coordinator');
      const subject = async (visits: Record<string, string>) => {
        const s = await coord.post<{ id: string }>(`/api/studies/${trial.studyId}/subjects`, {
          siteId: trial.siteA,
        });
        const ids: Record<string, string> = {};
        for (const [code, date] of Object.entries(visits)) {
          ids[code] = (
            await coord.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
              visitCode: code,
              visitDate: date,
            })
          ).body.id;
        }
        return { id: s.body.id, visits: ids };
      };
      const f = await subject({ SCR: '2013-01-02', D0: '2013-01-10', M12: '2014-01-10' });
      const eos = await coord.put(`/api/visits/${f.visits.M12}/forms/end-of-study`, {
        items: [
          { itemCode: 'status', value: 'completed' },
          { itemCode: 'date', value: '2014-01-20' },
        ],
      });
      expect(eos.status).toBe(200);
      finished = f.id;
      ongoing = (await subject({ SCR: '2013-01-02', D0: '2013-01-10' })).id;
    });
    afterAll(async () => server?.close());

    const post = (subjectId: string, dates: Record<string, string | null>) =>
      coord.post<Problem & Ae>(`/api/subjects/${subjectId}/adverse-events`, {
        term: 'Headache',
        relatedness: 'not_related',
        ...dates,
      });

    const refused: Array<[string, () => string, Record<string, string | null>, string, string]> = [
      [
        'onset in 2030 for a subject who finished in 2014',
        () => finished,
        { onsetDate: '2030-01-01' },
        'body.onsetDate',
        'not_in_future',
      ],
      [
        'onset after the last contact',
        () => finished,
        { onsetDate: '2014-03-01' },
        'body.onsetDate',
        'after_last_contact',
      ],
      [
        'onset before the first study date',
        () => finished,
        { onsetDate: '2012-12-31' },
        'body.onsetDate',
        'before_first_study_date',
      ],
      [
        'resolution before onset',
        () => ongoing,
        { onsetDate: '2013-02-10', resolutionDate: '2013-02-01' },
        'body.resolutionDate',
        'before_onset',
      ],
      [
        'resolution in the future',
        () => ongoing,
        { onsetDate: '2013-02-10', resolutionDate: '2999-01-01' },
        'body.resolutionDate',
        'not_in_future',
      ],
      [
        'death before onset',
        () => ongoing,
        { onsetDate: '2013-02-10', deathDate: '2013-02-09' },
        'body.deathDate',
        'before_onset',
      ],
    ];

    it.each(refused)(
      '%s → 400 naming the field and rule, nothing written',
      async (_n, who, dates, field, rule) => {
        const before = await count(server);
        const r = await post(who(), dates);
        expect(r.status).toBe(400);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        expect(r.body.code).toBe('MSCT_E_VALIDATION');
        expect(r.body.errors).toContainEqual(expect.objectContaining({ field, rule }));
        expect(await count(server)).toBe(before);
      },
    );

    it('plausible dates are accepted; a change that breaks them is refused and the record is unchanged', async () => {
      const ok = await post(finished, { onsetDate: '2013-06-01', resolutionDate: '2013-06-10' });
      expect(ok.status).toBe(201);
      // An ongoing subject: any onset from the first study date up to today.
      expect((await post(ongoing, { onsetDate: '2013-01-02' })).status).toBe(201);
      const bad = await coord.patch<Problem>(`/api/adverse-events/${ok.body.id}`, {
        version: ok.body.version,
        reason: 'typo',
        resolutionDate: '2013-05-01',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([
        expect.objectContaining({ field: 'body.resolutionDate', rule: 'before_onset' }),
      ]);
      const list = await coord.get<Ae[]>(`/api/subjects/${finished}/adverse-events`);
      expect(list.body.find((a) => a.id === ok.body.id)).toMatchObject({
        resolutionDate: '2013-06-10',
        version: ok.body.version,
      });
      const fixed = await coord.patch<Ae>(`/api/adverse-events/${ok.body.id}`, {
        version: ok.body.version,
        reason: 'resolved later',
        resolutionDate: '2013-06-20',
      });
      expect(fixed.status).toBe(200);
    });

    it("a change is judged without the record's own old death date", async () => {
      const fatal = await post(ongoing, { onsetDate: '2013-03-01', deathDate: '2013-03-05' });
      expect(fatal.status).toBe(201);
      // Entered by mistake as fatal: the correction removes the death date and adds a later resolution.
      const fixed = await coord.patch<Ae>(`/api/adverse-events/${fatal.body.id}`, {
        version: fatal.body.version,
        reason: 'not fatal: entered on the wrong AE',
        deathDate: null,
        resolutionDate: '2013-03-20',
      });
      expect(fixed.status).toBe(200);
    });
  });
}
