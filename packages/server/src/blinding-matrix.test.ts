// Blinding matrix (issue 24): on a randomised study whose definition blinds the monitor and the
// statistician, each blinded role × every route that could reveal a subject's arm. The arms have
// codes and labels that appear nowhere else, so any leak is found by searching the answers for them.
import { randomisedLnTrial } from '@msct/core/testing';
import { assignRole, createSite, createStudy } from '@msct/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  type TestServer,
  type TestTrial,
} from './testing/test-server.js';

const ARM_TEXT = ['zq-active', 'zq-control', 'Zq active arm', 'Zq control arm'];
const definition = {
  ...randomisedLnTrial,
  arms: [
    { id: 'zq-active', label: 'Zq active arm', ratio: 1 },
    { id: 'zq-control', label: 'Zq control arm', ratio: 1 },
  ],
  randomisation: { ...randomisedLnTrial.randomisation!, blindedRoles: ['monitor', 'statistician'] as const },
};

type Expect = 'no-arm' | 403;
/** Every route a blinded role could read a subject's arm, or an arm-revealing form, from. */
const ROUTES: Record<string, { path: (ids: Ids) => string; monitor: Expect; statistician: Expect }> = {
  subject: { path: (i) => `/api/subjects/${i.subject}`, monitor: 'no-arm', statistician: 'no-arm' },
  subjects: { path: (i) => `/api/studies/${i.study}/subjects`, monitor: 'no-arm', statistician: 'no-arm' },
  randomisation: {
    path: (i) => `/api/subjects/${i.subject}/randomisation`,
    monitor: 'no-arm',
    statistician: 'no-arm',
  },
  audit: { path: (i) => `/api/subjects/${i.subject}/audit`, monitor: 'no-arm', statistician: 403 },
  visits: { path: (i) => `/api/subjects/${i.subject}/visits`, monitor: 'no-arm', statistician: 'no-arm' },
  visit: { path: (i) => `/api/visits/${i.d0}`, monitor: 'no-arm', statistician: 'no-arm' },
  overview: {
    path: (i) => `/api/studies/${i.study}/visit-overview?subjectIds=${i.subject}`,
    monitor: 'no-arm',
    statistician: 'no-arm',
  },
  recordStatus: {
    path: (i) => `/api/studies/${i.study}/record-status`,
    monitor: 'no-arm',
    statistician: 'no-arm',
  },
  endpoints: { path: (i) => `/api/studies/${i.study}/endpoints`, monitor: 'no-arm', statistician: 'no-arm' },
  analysis: { path: (i) => `/api/studies/${i.study}/analysis`, monitor: 'no-arm', statistician: 'no-arm' },
  infusions: {
    path: (i) => `/api/subjects/${i.subject}/infusions`,
    monitor: 'no-arm',
    statistician: 'no-arm',
  },
  balance: { path: (i) => `/api/studies/${i.study}/randomisation/balance`, monitor: 403, statistician: 403 },
  list: { path: (i) => `/api/studies/${i.study}/randomisation/list`, monitor: 403, statistician: 403 },
  unblindings: { path: (i) => `/api/studies/${i.study}/unblindings`, monitor: 403, statistician: 403 },
  // A blinded export: without the arm-revealing infusion form and infusion records (issue 24).
  export: {
    path: (i) => `/api/studies/${i.study}/export.odm.xml`,
    monitor: 'no-arm',
    statistician: 'no-arm',
  },
  corrections: {
    path: (i) => `/api/studies/${i.study}/randomisation/corrections`,
    monitor: 403,
    statistician: 403,
  },
  report: {
    path: (i) => `/api/studies/${i.study}/analysis/report.html`,
    monitor: 'no-arm',
    statistician: 'no-arm',
  },
  casebook: {
    path: (i) => `/api/subjects/${i.subject}/casebook.html`,
    monitor: 'no-arm',
    statistician: 'no-arm',
  },
};
interface Ids {
  study: string;
  subject: string;
  d0: string;
}

describe('blinding matrix: blinded role × every route that could reveal the arm (issue 24)', () => {
  let server: TestServer;
  let trial: TestTrial;
  let ids: Ids;
  const c: Record<string, ApiClient> = {};

  beforeAll(async () => {
    server = await startTestServer();
    trial = await createTestTrial(server.db, { definition });
    for (const u of ['coordinator', 'investigator', 'monitor', 'statistician']) {
      c[u] = new ApiClient(server.baseUrl);
      await c[u]!.login(u);
    }
    const co = c.coordinator!;
    const s = await co.post<{ id: string; version: number }>(`/api/studies/${trial.studyId}/subjects`, {
      siteId: trial.siteA,
      sex: 'female',
      birthDate: '1990-01-01',
    });
    const scr = await co.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
      visitCode: 'SCR',
      visitDate: '2026-01-05',
    });
    await co.put(`/api/visits/${scr.body.id}/forms/renal-screening`, {
      items: [{ itemCode: 'ln_class', value: 'IV' }],
    });
    await co.post(`/api/subjects/${s.body.id}/enrol`, { version: s.body.version, day0Date: '2026-01-10' });
    const r = await co.post<{ arm: string }>(`/api/subjects/${s.body.id}/randomise`);
    expect(r.status).toBe(201);
    expect(ARM_TEXT).toContain(r.body.arm);
    const d0 = await co.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
      visitCode: 'D0',
      visitDate: '2026-01-10',
    });
    const inf = await co.post(`/api/subjects/${s.body.id}/infusions`, {
      cycle: 1,
      infusionNumber: 1,
      status: 'given',
      productLot: 'LOT-ACTIVE-1',
    });
    expect(inf.status).toBe(201);
    await co.put(`/api/visits/${d0.body.id}/forms/infusion`, {
      items: [{ itemCode: 'cells_per_kg', value: '1000000' }],
    });
    // Unblinded once, by an investigator: the blinded roles stay blinded.
    expect(
      (await c.investigator!.post(`/api/subjects/${s.body.id}/unblind`, { reason: 'SAE management' })).status,
    ).toBe(201);
    ids = { study: trial.studyId, subject: s.body.id, d0: d0.body.id };
  });
  // Closing waits for the export jobs and the derived-study cache; minutes on a loaded machine.
  afterAll(async () => server?.close(), 180_000);

  it('the unblinded coordinator sees the arm and the infusion form (the check can fail)', async () => {
    const r = await c.coordinator!.get(`/api/subjects/${ids.subject}/randomisation`);
    expect(ARM_TEXT.some((t) => JSON.stringify(r.body).includes(t))).toBe(true);
    const v = await c.coordinator!.get(`/api/visits/${ids.d0}`);
    expect(JSON.stringify(v.body)).toContain('cells_per_kg');
    for (const path of [
      `/api/studies/${ids.study}/visit-overview?subjectIds=${ids.subject}`,
      `/api/studies/${ids.study}/record-status`,
    ])
      expect(JSON.stringify((await c.coordinator!.get(path)).body)).toContain('"formCode":"infusion"');
    const inf = await c.coordinator!.get(`/api/subjects/${ids.subject}/infusions`);
    expect(JSON.stringify(inf.body)).toContain('LOT-ACTIVE-1');
  });

  for (const role of ['monitor', 'statistician'] as const)
    it(`${role}: no route shows the arm or the arm-revealing infusion form`, async () => {
      const wrong: string[] = [];
      for (const [name, r] of Object.entries(ROUTES)) {
        const res = await c[role]!.get<unknown>(r.path(ids));
        const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
        if (r[role] === 403) {
          if (res.status !== 403) wrong.push(`${name}: expected 403, got ${res.status}`);
          continue;
        }
        if (res.status !== 200) wrong.push(`${name}: expected 200, got ${res.status} ${text.slice(0, 120)}`);
        const leak =
          ARM_TEXT.find((t) => text.includes(t)) ??
          ['cells_per_kg', 'LOT-ACTIVE-1', '"formCode":"infusion"'].find((t) => text.includes(t)) ??
          null;
        if (leak) wrong.push(`${name}: shows ${leak}`);
      }
      expect(wrong).toEqual([]);
    });

  /** Starts an export job as `who`, waits for it, and returns its files' text by part. */
  async function exportJob(who: ApiClient, studyId: string, format: string, parts: readonly string[]) {
    const job = await who.post<{ id: string; status: string }>(`/api/studies/${studyId}/exports`, {
      format,
      filters: {},
    });
    expect([format, job.status]).toEqual([format, 202]);
    let status = job.body.status;
    for (let i = 0; i < 600 && status !== 'done' && status !== 'failed'; i++) {
      await new Promise((ok) => setTimeout(ok, 100));
      status = (await who.get<{ status: string }>(`/api/exports/${job.body.id}`)).body.status;
    }
    expect([format, status]).toEqual([format, 'done']);
    const text: Record<string, string> = {};
    for (const part of parts) {
      const file = await who.get<unknown>(`/api/exports/${job.body.id}/file?part=${part}`);
      expect([format, part, file.status]).toEqual([format, part, 200]);
      // ODM and CSV are text; the SDTM zip is stored (zip.ts), so its entries' text is searchable as bytes.
      text[part] = typeof file.body === 'string' ? file.body : JSON.stringify(file.body);
    }
    return text;
  }

  for (const role of ['monitor', 'statistician'] as const)
    it(`${role}: ODM, SDTM and CSV export jobs are blinded (no arm, no arm-revealing form, saying so); the analysis job refused`, async () => {
      const analysis = await c[role]!.post<{ detail: string }>(`/api/studies/${ids.study}/exports`, {
        format: 'analysis',
        filters: {},
      });
      expect(analysis.status).toBe(403);
      // Asking a CSV export for the arm-revealing form by name is refused, naming it.
      const named = await c[role]!.post<{ detail: string; errors: { field: string }[] }>(
        `/api/studies/${ids.study}/exports`,
        { format: 'csv-long', filters: { formCodes: ['renal-screening', 'infusion'] } },
      );
      expect(named.status).toBe(403);
      expect(named.body.detail).toMatch(/the form infusion reveals the arm/);
      expect(named.body.errors).toEqual([expect.objectContaining({ field: 'body.filters.formCodes.1' })]);
      // The statistician may export every site: SDTM too; the monitor's SDTM holds every site as well.
      for (const format of ['odm', 'sdtm', 'csv-long', 'csv-wide'] as const) {
        const csv = format.startsWith('csv');
        const files = await exportJob(c[role]!, ids.study, format, csv ? ['data', 'dictionary'] : ['data']);
        // A CSV says so in its dictionary (the data file has no place for a note).
        expect(csv ? files.dictionary : files.data).toContain(
          'Blinded export: no treatment arm; the forms infusion, the infusion records left out as revealing the arm',
        );
        const all = Object.values(files).join('\n');
        const leak =
          ARM_TEXT.find((t) => all.includes(t)) ??
          ['cells_per_kg', 'LOT-ACTIVE-1'].find((t) => all.includes(t)) ??
          null;
        expect([format, leak]).toEqual([format, null]);
        // What does not reveal the arm is exported (the search above can find something).
        if (csv) expect(files.data).toMatch(/ln_class|renal-screening\.ln_class/);
      }
    });

  it('without arm-revealing forms: a blinded CSV export holds no arm; the analysis export (results by arm) is refused', async () => {
    // A second study, the same users given the same roles in it.
    const system = { id: null, name: 'test' };
    const study = await createStudy(server.db, system, {
      code: 'BLNDPLAIN',
      title: 'No arm-revealing forms',
      definition: {
        ...definition,
        randomisation: { ...definition.randomisation, armRevealing: { forms: [] } },
      },
    });
    const site = await createSite(server.db, system, { studyId: study.id, code: 'SA', name: 'Site A' });
    for (const [user, role, siteId] of [
      ['coordinator', 'coordinator', site.id],
      ['monitor', 'monitor', null],
    ] as const)
      await assignRole(server.db, system, { userId: trial.users[user]!.id, role, studyId: study.id, siteId });
    const plain = { studyId: study.id };
    const co = new ApiClient(server.baseUrl);
    await co.login('coordinator');
    const s = await co.post<{ id: string; version: number }>(`/api/studies/${plain.studyId}/subjects`, {
      siteId: site.id,
      sex: 'female',
      birthDate: '1990-01-01',
    });
    const scr = await co.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
      visitCode: 'SCR',
      visitDate: '2026-01-05',
    });
    await co.put(`/api/visits/${scr.body.id}/forms/renal-screening`, {
      items: [{ itemCode: 'ln_class', value: 'IV' }],
    });
    await co.post(`/api/subjects/${s.body.id}/enrol`, { version: s.body.version, day0Date: '2026-01-10' });
    expect((await co.post(`/api/subjects/${s.body.id}/randomise`)).status).toBe(201);
    const mon = new ApiClient(server.baseUrl);
    await mon.login('monitor');
    const analysis = await mon.post<{ detail: string }>(`/api/studies/${plain.studyId}/exports`, {
      format: 'analysis',
      filters: {},
    });
    expect(analysis.status).toBe(403);
    expect(analysis.body.detail).toMatch(/the analysis export holds the results by arm/);
    for (const format of ['csv-long', 'odm'] as const) {
      const { data } = await exportJob(mon, plain.studyId, format, ['data']);
      expect(data!.length).toBeGreaterThan(0);
      expect(ARM_TEXT.find((t) => data!.includes(t)) ?? null).toBeNull();
    }
  });
});
