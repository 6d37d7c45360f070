// The analysis of a randomised study over the API (issue 24): each subject's arm comes from its
// randomisation assignment in the store (also after the cached derivation was built); an unblinded
// statistician gets the results by arm, a blinded monitor the pooled results only.
import { randomisedLnTrial } from '@msct/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  type TestServer,
  type TestTrial,
} from '../testing/test-server.js';

interface Analysis {
  populations: { screened: number };
  byArm?: {
    arms: { id: string; label: string }[];
    consort: {
      screened: number;
      randomised: number;
      notRandomised: number;
      arms: { arm: string; allocated: number }[];
    };
    response: { byArm: { n: number }[] };
  };
}

describe('analysis by arm over the API (issue 24)', () => {
  let server: TestServer;
  let trial: TestTrial;
  const c: Record<string, ApiClient> = {};

  async function enrolledSubject() {
    const s = await c.coordinator!.post<{ id: string; version: number }>(
      `/api/studies/${trial.studyId}/subjects`,
      {
        siteId: trial.siteA,
        sex: 'female',
        birthDate: '1990-01-01',
      },
    );
    expect(s.status).toBe(201);
    const v = await c.coordinator!.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
      visitCode: 'SCR',
      visitDate: '2026-01-05',
    });
    expect(v.status).toBe(201);
    const f = await c.coordinator!.put(`/api/visits/${v.body.id}/forms/renal-screening`, {
      items: [{ itemCode: 'ln_class', value: 'IV' }],
    });
    expect(f.status).toBe(200);
    const e = await c.coordinator!.post(`/api/subjects/${s.body.id}/enrol`, {
      version: s.body.version,
      day0Date: '2026-01-10',
    });
    expect(e.status).toBe(200);
    return s.body.id;
  }

  beforeAll(async () => {
    server = await startTestServer();
    trial = await createTestTrial(server.db, { definition: randomisedLnTrial });
    for (const u of ['coordinator', 'statistician', 'monitor']) {
      c[u] = new ApiClient(server.baseUrl);
      expect((await c[u]!.login(u)).status).toBe(200);
    }
  });
  afterAll(async () => server?.close());

  it('reads the arms of the assignments, after the cached analysis; hides them from the blinded monitor', async () => {
    const ids = [
      await enrolledSubject(),
      await enrolledSubject(),
      await enrolledSubject(),
      await enrolledSubject(),
    ];
    const before = await c.statistician!.get<Analysis>(`/api/studies/${trial.studyId}/analysis`);
    expect(before.status).toBe(200);
    expect(before.body.byArm?.consort).toMatchObject({ screened: 4, randomised: 0, notRandomised: 4 });

    const arms: string[] = [];
    for (const id of ids.slice(0, 3)) {
      const r = await c.coordinator!.post<{ arm: string | null }>(`/api/subjects/${id}/randomise`);
      expect(r.status).toBe(201);
      arms.push(r.body.arm!);
    }
    const after = await c.statistician!.get<Analysis>(`/api/studies/${trial.studyId}/analysis`);
    const b = after.body.byArm!;
    expect(b.arms.map((a) => a.id)).toEqual(['msct', 'control']);
    expect(b.consort).toMatchObject({ screened: 4, randomised: 3, notRandomised: 1 });
    expect(b.consort.arms.map((a) => a.allocated)).toEqual(
      ['msct', 'control'].map((id) => arms.filter((a) => a === id).length),
    );

    const monitor = await c.monitor!.get<Analysis>(`/api/studies/${trial.studyId}/analysis`);
    expect(monitor.status).toBe(200);
    expect(monitor.body.populations.screened).toBe(4);
    expect('byArm' in monitor.body).toBe(false);
    const text = JSON.stringify(monitor.body);
    for (const a of randomisedLnTrial.arms!) expect(text).not.toContain(a.label);
  });
});
