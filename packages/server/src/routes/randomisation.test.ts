// Randomisation over the API (issue 24): only an enrolled subject, final, audited; concealment (no
// route gives a site role the seed or the next assignment); blinding (a role the definition blinds
// never sees the arm); emergency unblinding by an investigator with a reason, shown to safety.
import { msctSleTrial, randomisationPlanOf } from '@msct/core/protocol';
import { generateAllocationList } from '@msct/core/randomisation';
import { randomisedLnTrial } from '@msct/core/testing';
import { createSite, createStudy } from '@msct/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  type TestServer,
  type TestTrial,
} from '../testing/test-server.js';

interface Status {
  randomised: boolean;
  blinded: boolean;
  arm: string | null;
  armLabel: string | null;
  stratum: string | null;
  sequence: number | null;
  unblindings: { by: string; reason: string; arm: string | null }[];
}

describe('randomisation API (issue 24)', () => {
  let server: TestServer;
  let trial: TestTrial;
  const c: Record<string, ApiClient> = {};

  /** A subject at site A (or B) with its LN class on the screening form, enrolled unless told not to. */
  async function subject(opts: { lnClass?: string | null; enrol?: boolean; site?: 'A' | 'B' } = {}) {
    const who = opts.site === 'B' ? c.coordinator_b! : c.coordinator!;
    const s = await who.post<{ id: string; version: number }>(`/api/studies/${trial.studyId}/subjects`, {
      siteId: opts.site === 'B' ? trial.siteB : trial.siteA,
      sex: 'female',
      birthDate: '1990-01-01',
    });
    expect(s.status).toBe(201);
    const v = await who.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
      visitCode: 'SCR',
      visitDate: '2026-01-05',
    });
    expect(v.status).toBe(201);
    if (opts.lnClass !== null) {
      const f = await who.put(`/api/visits/${v.body.id}/forms/renal-screening`, {
        items: [{ itemCode: 'ln_class', value: opts.lnClass ?? 'IV' }],
      });
      expect(f.status).toBe(200);
    }
    if (opts.enrol !== false) {
      const e = await who.post(`/api/subjects/${s.body.id}/enrol`, {
        version: s.body.version,
        day0Date: '2026-01-10',
      });
      expect(e.status).toBe(200);
    }
    return s.body.id;
  }

  beforeAll(async () => {
    server = await startTestServer();
    trial = await createTestTrial(server.db, { definition: randomisedLnTrial });
    for (const u of Object.keys(trial.users)) {
      c[u] = new ApiClient(server.baseUrl);
      expect((await c[u]!.login(u)).status).toBe(200);
    }
  });
  afterAll(async () => server?.close());

  it('refuses a subject who is not enrolled, and names a stratification factor without a value', async () => {
    const screening = await subject({ enrol: false });
    const r = await c.coordinator!.post<{ detail: string }>(`/api/subjects/${screening}/randomise`);
    expect(r.status).toBe(409);
    expect(r.body.detail).toMatch(
      /the subject is screening; randomise after eligibility is confirmed and the subject enrolled/,
    );
    const noClass = await subject({ lnClass: null });
    const m = await c.coordinator!.post<{ detail: string }>(`/api/subjects/${noClass}/randomise`);
    expect(m.status).toBe(400);
    expect(m.body.detail).toBe(
      "cannot randomise: stratification factor 'lnClass' needs renal-screening.ln_class at visit SCR, which has no value yet",
    );
    // Nothing was recorded: still not randomised, and no seed drawn.
    expect((await c.coordinator!.get<Status>(`/api/subjects/${noClass}/randomisation`)).body.randomised).toBe(
      false,
    );
    expect((await c.statistician!.get(`/api/studies/${trial.studyId}/randomisation/list`)).status).toBe(409);
  });

  it('randomises once, audited; a second call is 409 and changes nothing', async () => {
    const id = await subject({ lnClass: 'IV' });
    const r = await c.coordinator!.post<Status>(`/api/subjects/${id}/randomise`);
    expect(r.status).toBe(201);
    expect(r.body.randomised).toBe(true);
    expect(r.body.blinded).toBe(false);
    expect(['msct', 'control']).toContain(r.body.arm);
    expect(r.body.stratum).toBe('site=SA;lnClass=IV');
    expect(r.body.sequence).toBe(1);
    const again = await c.investigator!.post<{ detail: string }>(`/api/subjects/${id}/randomise`);
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/already randomised; an assignment is final/);
    expect((await c.coordinator!.get<Status>(`/api/subjects/${id}/randomisation`)).body.arm).toBe(r.body.arm);
    const audit = await c.coordinator!.get<{ action: string; actor: string; newValue: string | null }[]>(
      `/api/subjects/${id}/audit?entityType=randomisation`,
    );
    expect(audit.body).toHaveLength(1);
    expect(audit.body[0]!.actor).toBe('coordinator');
    expect(JSON.parse(audit.body[0]!.newValue!)).toMatchObject({
      arm: r.body.arm,
      stratum: 'site=SA;lnClass=IV',
    });
  });

  it('follows the allocation list generated from the recorded seed, stratum by stratum', async () => {
    const arms = new Map<string, string>();
    for (const [cls, site] of [
      ['III', 'A'],
      ['III', 'A'],
      ['V', 'B'],
      ['III', 'A'],
      ['V', 'B'],
    ] as const) {
      const id = await subject({ lnClass: cls, site });
      const who = site === 'B' ? c.coordinator_b! : c.coordinator!;
      const r = await who.post<Status>(`/api/subjects/${id}/randomise`);
      expect(r.status).toBe(201);
      arms.set(id, r.body.arm!);
    }
    const list = await c.statistician!.get<{
      seed: string;
      seedCommitment: string;
      assignments: { subjectId: string; stratum: string; sequence: number; arm: string }[];
    }>(`/api/studies/${trial.studyId}/randomisation/list`);
    expect(list.status).toBe(200);
    expect(list.body.seed).toMatch(/^[0-9a-f]{64}$/);
    // Anyone with the seed regenerates the same list: every assignment is its stratum's entry.
    const plan = randomisationPlanOf(randomisedLnTrial, ['SA', 'SB']);
    if (plan?.method !== 'blocks') throw new Error('blocks expected');
    const regenerated = generateAllocationList(plan.design, list.body.seed, { perStratum: 4 });
    if (!regenerated.ok) throw new Error(regenerated.issue.message);
    expect(regenerated.value.seedCommitment).toBe(list.body.seedCommitment);
    for (const a of list.body.assignments) {
      const entry = regenerated.value.strata.find((s) => s.stratum.id === a.stratum)!.entries[
        a.sequence - 1
      ]!;
      expect(entry.arm).toBe(a.arm);
    }
    expect(
      list.body.assignments.filter((a) => a.stratum === 'site=SA;lnClass=III').map((a) => a.sequence),
    ).toEqual([1, 2, 3]);
    for (const [id, arm] of arms)
      expect(list.body.assignments.find((a) => a.subjectId === id)?.arm).toBe(arm);

    const balance = await c.statistician!.get<{
      overall: { total: number };
      strata: { group: string; total: number; maxAbsDeviation: number }[];
    }>(`/api/studies/${trial.studyId}/randomisation/balance`);
    expect(balance.status).toBe(200);
    expect(balance.body.overall.total).toBe(6);
    const sa3 = balance.body.strata.find((s) => s.group === 'site=SA;lnClass=III')!;
    expect(sa3.total).toBe(3);
    // Blocks of 2 and 4 (1:1): inside a block an arm runs at most 4·1·1/4 = 1 ahead of its share.
    expect(sa3.maxAbsDeviation).toBeLessThanOrEqual(1);
  });

  it('conceals: the seed and list go to an unblinded statistician only; the balance to no blinded role', async () => {
    for (const who of ['admin', 'investigator', 'coordinator', 'monitor', 'safety'])
      expect((await c[who]!.get(`/api/studies/${trial.studyId}/randomisation/list`)).status, who).toBe(403);
    const monitor = await c.monitor!.get<{ detail: string }>(
      `/api/studies/${trial.studyId}/randomisation/balance`,
    );
    expect(monitor.status).toBe(403);
    expect(monitor.body.detail).toMatch(/blinded/);
  });

  it('blinds the monitor; an investigator unblinds one subject with a reason, shown to safety', async () => {
    const id = await subject({ lnClass: 'V' });
    const r = await c.coordinator!.post<Status>(`/api/subjects/${id}/randomise`);
    const arm = r.body.arm;
    const seen = await c.monitor!.get<Status>(`/api/subjects/${id}/randomisation`);
    expect(seen.body).toMatchObject({
      randomised: true,
      blinded: true,
      arm: null,
      armLabel: null,
      sequence: null,
    });
    const trail = await c.monitor!.get<{ entityType: string; newValue: string | null }[]>(
      `/api/subjects/${id}/audit`,
    );
    const event = trail.body.find((e) => e.entityType === 'randomisation')!;
    expect(event.newValue).toBeNull();
    expect(JSON.stringify(trail.body)).not.toContain(`"${arm}"`);

    expect((await c.coordinator!.post(`/api/subjects/${id}/unblind`, { reason: 'SAE' })).status).toBe(403);
    expect((await c.investigator!.post(`/api/subjects/${id}/unblind`, { reason: ' ' })).status).toBe(400);
    const u = await c.investigator!.post<Status>(`/api/subjects/${id}/unblind`, {
      reason: 'Suspected unexpected serious adverse reaction: treatment decision',
    });
    expect(u.status).toBe(201);
    expect(u.body.arm).toBe(arm);
    expect(u.body.unblindings[0]).toMatchObject({ by: 'investigator', reason: /SUSAR|Suspected/ });
    const safety = await c.safety!.get<{ subjectId: string; arm: string | null; reason: string }[]>(
      `/api/studies/${trial.studyId}/unblindings`,
    );
    expect(safety.status).toBe(200);
    expect(safety.body.find((x) => x.subjectId === id)?.arm).toBe(arm);
    expect((await c.monitor!.get(`/api/studies/${trial.studyId}/unblindings`)).status).toBe(403);
    // The monitor stays blinded after the unblinding.
    expect((await c.monitor!.get<Status>(`/api/subjects/${id}/randomisation`)).body.arm).toBeNull();
    const unblindEvent = (
      await c.monitor!.get<{ action: string; newValue: string | null; reason: string | null }[]>(
        `/api/subjects/${id}/audit?entityType=unblinding`,
      )
    ).body;
    expect(unblindEvent).toHaveLength(1);
    expect(unblindEvent[0]!.newValue).toBeNull();
  });

  it('hides arm-revealing forms from a blinded role, in the visit and in the audit trail', async () => {
    const id = await subject({ lnClass: 'III' });
    await c.coordinator!.post(`/api/subjects/${id}/randomise`);
    const d0 = await c.coordinator!.post<{ id: string }>(`/api/subjects/${id}/visits`, {
      visitCode: 'D0',
      visitDate: '2026-01-10',
    });
    expect(
      (
        await c.coordinator!.put(`/api/visits/${d0.body.id}/forms/infusion`, {
          items: [{ itemCode: 'cells_per_kg', value: '1000000' }],
        })
      ).status,
    ).toBe(200);
    const forms = async (who: string) =>
      (await c[who]!.get<{ forms: { formCode: string }[] }>(`/api/visits/${d0.body.id}`)).body.forms.map(
        (f) => f.formCode,
      );
    expect(await forms('coordinator')).toEqual(['infusion']);
    expect(await forms('monitor')).toEqual([]);
    const trail = await c.monitor!.get<{ field: string | null; newValue: string | null }[]>(
      `/api/subjects/${id}/audit`,
    );
    expect(trail.body.some((e) => e.field === 'infusion.cells_per_kg' || e.newValue === 'infusion')).toBe(
      false,
    );
    const unblinded = await c.coordinator!.get<{ field: string | null }[]>(`/api/subjects/${id}/audit`);
    expect(unblinded.body.some((e) => e.field === 'infusion.cells_per_kg')).toBe(true);
  });

  it('a study without arms does not randomise (422)', async () => {
    const system = { id: null, name: 'test' };
    const study = await createStudy(server.db, system, {
      code: 'SINGLE',
      title: 'Single arm',
      definition: msctSleTrial,
    });
    const site = await createSite(server.db, system, { studyId: study.id, code: 'NJ', name: 'Nanjing' });
    const s = await c.admin!.post<{ id: string }>(`/api/studies/${study.id}/subjects`, { siteId: site.id });
    const r = await c.admin!.post<{ detail: string }>(`/api/subjects/${s.body.id}/randomise`);
    expect(r.status).toBe(422);
    expect(r.body.detail).toMatch(/does not randomise/);
  });
});
