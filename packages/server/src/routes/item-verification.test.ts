// Issue 21 "optionally per item" and bulk verification: a monitor source-verifies single items (a
// change to that item clears it, audited; a change to another item does not), and verifies every
// form of a visit or of the casebook in one action (each form recorded and audited; a form not shown
// refuses all) — on both databases.
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
  verifiedAt: string | null;
  version: number;
  items: { itemCode: string; verifiedAt: string | null; verifiedByName: string | null; version: number }[];
}
interface Saved {
  id: string;
  items: { itemCode: string; version: number }[];
}

for (const dialect of TEST_DIALECTS)
  describe(`per-item and bulk source verification on ${dialect}`, () => {
    let server: TestServer;
    let trial: TestTrial;
    const c: Record<string, ApiClient> = {};
    let subjectId = '';
    let v1 = '';
    let v2 = '';
    let lab: Saved;

    beforeAll(async () => {
      server = await startTestServer(dialect);
      trial = await createTestTrial(server.db);
      for (const u of ['admin', 'monitor', 'coordinator', 'coordinator_b']) {
        c[u] = new ApiClient(server.baseUrl);
        expect((await c[u].login(u)).status).toBe(200);
      }
      const s = await c.coordinator!.post<{ id: string }>(`/api/studies/${trial.studyId}/subjects`, {
        siteId: trial.siteA,
      });
      subjectId = s.body.id;
      v1 = (
        await c.coordinator!.post<{ id: string }>(`/api/subjects/${subjectId}/visits`, {
          visitCode: 'BASELINE',
          visitDate: '2026-03-01',
        })
      ).body.id;
      v2 = (
        await c.coordinator!.post<{ id: string }>(`/api/subjects/${subjectId}/visits`, {
          visitCode: 'WEEK4',
          visitDate: '2026-03-29',
        })
      ).body.id;
      lab = (
        await c.coordinator!.put<Saved>(`/api/visits/${v1}/forms/LAB`, {
          items: [
            { itemCode: 'HGB', value: '12.5', unit: 'g/dL' },
            { itemCode: 'PLT', value: '210', unit: '10^9/L' },
          ],
        })
      ).body;
      for (const [visit, form] of [
        [v1, 'VIT'],
        [v2, 'LAB'],
      ] as const)
        expect(
          (
            await c.coordinator!.put(`/api/visits/${visit}/forms/${form}`, {
              items: [{ itemCode: 'X', value: '1' }],
            })
          ).status,
        ).toBe(200);
    });
    afterAll(async () => server?.close());

    const reviews = async (visitId: string) =>
      (await c.monitor!.get<Review[]>(`/api/visits/${visitId}/reviews`)).body;
    const audit = async () =>
      (
        await c.admin!.get<{ action: string; field: string | null; reason: string | null }[]>(
          `/api/subjects/${subjectId}/audit`,
        )
      ).body;

    it('verifies one item; a change to another item keeps it; a change to it clears it, audited', async () => {
      const url = `/api/forms/${lab.id}/items/HGB/verify`;
      expect((await c.coordinator!.post(url, { version: 0 })).status).toBe(403);
      expect((await c.monitor!.post(`/api/forms/${lab.id}/items/NOPE/verify`, { version: 0 })).status).toBe(
        404,
      );
      const ok = await c.monitor!.post<{ verifiedAt: string | null; valueVersion: number; version: number }>(
        url,
        {
          version: 0,
        },
      );
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ valueVersion: 1, version: 1 });
      expect(ok.body.verifiedAt).not.toBeNull();
      expect((await c.monitor!.post(url, { version: 0 })).status).toBe(409);
      let form = (await reviews(v1)).find((r) => r.formId === lab.id)!;
      expect(form.verifiedAt).toBeNull();
      expect(form.items).toMatchObject([{ itemCode: 'HGB', verifiedByName: expect.any(String), version: 1 }]);

      const plt = lab.items.find((i) => i.itemCode === 'PLT')!;
      expect(
        (
          await c.coordinator!.put(`/api/visits/${v1}/forms/LAB`, {
            items: [{ itemCode: 'PLT', value: '215', unit: '10^9/L', version: plt.version }],
            reason: 'lab re-issued the report',
          })
        ).status,
      ).toBe(200);
      form = (await reviews(v1)).find((r) => r.formId === lab.id)!;
      expect(form.items[0]!.verifiedAt).not.toBeNull();

      const hgb = lab.items.find((i) => i.itemCode === 'HGB')!;
      expect(
        (
          await c.coordinator!.put(`/api/visits/${v1}/forms/LAB`, {
            items: [{ itemCode: 'HGB', value: '11.9', unit: 'g/dL', version: hgb.version }],
            reason: 'transcription error',
          })
        ).status,
      ).toBe(200);
      form = (await reviews(v1)).find((r) => r.formId === lab.id)!;
      expect(form.items[0]).toMatchObject({ itemCode: 'HGB', verifiedAt: null, version: 2 });
      const trail = await audit();
      expect(trail.map((e) => e.action)).toEqual(
        expect.arrayContaining(['item.verify', 'item.verify.clear']),
      );
      expect(trail.find((e) => e.action === 'item.verify.clear')?.reason).toBe(
        'LAB.HGB changed after it was source verified',
      );
      // Verified again, on the new value.
      const again = await c.monitor!.post<{ valueVersion: number; version: number }>(url, { version: 2 });
      expect(again.body).toMatchObject({ valueVersion: 2, version: 3 });
    });

    it('verifies a whole visit in one action: each form recorded and audited; a form not shown refuses all', async () => {
      const shown = await reviews(v1);
      expect(shown).toHaveLength(2);
      const url = `/api/subjects/${subjectId}/verifications`;
      const partial = await c.monitor!.post<{ detail: string }>(url, {
        visitId: v1,
        forms: [{ formId: shown[0]!.formId, version: shown[0]!.version }],
      });
      expect(partial.status).toBe(409);
      expect(partial.body.detail).toMatch(/was not shown to you/);
      expect((await reviews(v1)).every((r) => r.verifiedAt === null)).toBe(true);
      // A stale version refuses all too.
      expect(
        (
          await c.monitor!.post(url, {
            visitId: v1,
            forms: shown.map((r) => ({ formId: r.formId, version: r.version + 1 })),
          })
        ).status,
      ).toBe(409);
      // Another visit's form in a visit's action: not found.
      const other = await reviews(v2);
      expect(
        (await c.monitor!.post(url, { visitId: v1, forms: [{ formId: other[0]!.formId, version: 0 }] }))
          .status,
      ).toBe(404);
      expect((await c.coordinator!.post(url, { visitId: v1, forms: [] })).status).toBe(400);
      expect(
        (
          await c.coordinator!.post(url, {
            visitId: v1,
            forms: shown.map((r) => ({ formId: r.formId, version: r.version })),
          })
        ).status,
      ).toBe(403);
      const before = (await audit()).filter((e) => e.action === 'form.verify').length;
      const done = await c.monitor!.post<{ verified: string[]; alreadyVerified: string[] }>(url, {
        visitId: v1,
        forms: shown.map((r) => ({ formId: r.formId, version: r.version })),
      });
      expect(done.status).toBe(200);
      expect(done.body.verified.sort()).toEqual(shown.map((r) => r.formId).sort());
      expect((await reviews(v1)).every((r) => r.verifiedAt !== null)).toBe(true);
      expect((await audit()).filter((e) => e.action === 'form.verify').length).toBe(before + 2);
    });

    it("verifies the rest of the casebook in one action; another site's subject is not found", async () => {
      const all = [...(await reviews(v1)), ...(await reviews(v2))];
      const url = `/api/subjects/${subjectId}/verifications`;
      const done = await c.monitor!.post<{ verified: string[]; alreadyVerified: string[] }>(url, {
        forms: all.map((r) => ({ formId: r.formId, version: r.version })),
      });
      expect(done.status).toBe(200);
      expect(done.body.verified).toEqual([(await reviews(v2))[0]!.formId]);
      expect(done.body.alreadyVerified).toHaveLength(2);
      expect(
        (await c.coordinator_b!.post(url, { forms: all.map((r) => ({ formId: r.formId, version: 0 })) }))
          .status,
      ).toBe(404);
      const verify = await c.admin!.get<{ ok: boolean; data: { findings: unknown[] } }>('/api/audit/verify');
      expect(verify.body.data.findings).toEqual([]);
      expect(verify.body.ok).toBe(true);
    });
  });
