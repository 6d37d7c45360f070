// Protocol amendments over the API (issue #20, "Versions and amendments"), both dialects:
// POST /api/studies/:studyId/definition/amendments validates the new definition like a new study's
// (422, every problem by path), reports against the stored data on a dry run (nothing stored),
// applies with a reason (audited, audit verify passes), refuses a stale study version (409) and a
// missing reason; GET …/definition/versions lists who, when and why. Only admins amend.
import { msctSleTrial, type StudyDefinition } from '@msct/core/protocol';
import { createSubject, createVisit, saveItems, verifyAuditChain, verifyAuditedData } from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  type TestServer,
  type TestTrial,
} from '../testing/test-server.js';

interface Result {
  applied: boolean;
  studyVersion: number;
  fromVersion: number;
  toVersion: number;
  report: {
    narrowed: { message: string }[];
    invalidValues: {
      subjectCode: string;
      visitCode: string;
      formCode: string;
      itemCode: string;
      value: string;
      rule: string;
    }[];
    invalidValuesTotal: number;
  };
}
interface Problem {
  code: string;
  problems?: string[];
  errors?: { field: string }[];
}

function narrowedC3(): StudyDefinition {
  const d: StudyDefinition = JSON.parse(JSON.stringify(msctSleTrial));
  const labs = d.forms.find((f) => f.id === 'labs')!;
  labs.items = labs.items!.map((i) => (i.code === 'c3' ? { ...i, max: 3 } : i));
  return d;
}

for (const dialect of TEST_DIALECTS)
  describe(`protocol amendments over the API on ${dialect}`, () => {
    let server: TestServer;
    let trial: TestTrial;
    let admin: ApiClient;
    let subjectCode: string;
    let subjectId: string;
    const path = () => `/api/studies/${trial.studyId}/definition/amendments`;
    const studyVersion = async () =>
      (await admin.get<{ version: number }>(`/api/studies/${trial.studyId}`)).body.version;

    beforeAll(async () => {
      server = await startTestServer(dialect);
      trial = await createTestTrial(server.db, { definition: msctSleTrial });
      admin = new ApiClient(server.baseUrl);
      expect((await admin.login('admin')).status).toBe(200);
      const coord = { id: trial.users.coordinator!.id, name: 'coordinator' };
      const subject = await createSubject(server.db, coord, { studyId: trial.studyId, siteId: trial.siteA });
      subjectCode = subject.subject_code;
      subjectId = subject.id;
      const m3 = await createVisit(server.db, coord, {
        subjectId: subject.id,
        visitCode: 'M3',
        visitDate: '2024-04-10',
      });
      await saveItems(server.db, coord, {
        visitId: m3.id,
        formCode: 'labs',
        items: [{ itemCode: 'c3', value: '4.5', unit: 'g/L' }],
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('refuses an invalid definition with 422 and the same problem list as msct study validate', async () => {
      const bad = narrowedC3() as unknown as Record<string, unknown> & {
        forms: { items?: { codeList?: string }[] }[];
      };
      bad.forms[4]!.items![7]!.codeList = 'yn2';
      const r = await admin.post<Problem>(path(), {
        definition: bad,
        version: await studyVersion(),
        dryRun: true,
      });
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('MSCT_E_DEFINITION_INVALID');
      expect(r.body.problems).toEqual([
        'forms[4].items[7].codeList: unknown code list "yn2" (bilag-classic-grade, end-of-study-status, lab_significance)',
      ]);
      const empty = await admin.post<Problem>(path(), {
        definition: {},
        version: await studyVersion(),
        dryRun: true,
      });
      expect([empty.status, empty.body.code]).toEqual([422, 'MSCT_E_DEFINITION_INVALID']);
    });

    it('a dry run reports the narrowed range and the stored value it makes invalid; nothing stored', async () => {
      const version = await studyVersion();
      const r = await admin.post<Result>(path(), { definition: narrowedC3(), version, dryRun: true });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ applied: false, fromVersion: 1, toVersion: 2, studyVersion: version });
      expect(r.body.report.narrowed.map((c) => c.message)).toEqual(['item labs.c3: range 0–5 → 0–3 g/L']);
      expect(r.body.report.invalidValues).toEqual([
        expect.objectContaining({
          subjectCode,
          visitCode: 'M3',
          formCode: 'labs',
          itemCode: 'c3',
          value: '4.5',
          rule: 'value-out-of-range',
        }),
      ]);
      expect(await studyVersion()).toBe(version);
      const versions = await admin.get<unknown[]>(`/api/studies/${trial.studyId}/definition/versions`);
      expect(versions.body).toHaveLength(1);
    });

    it('applies only with a reason and the current study version', async () => {
      const version = await studyVersion();
      const noReason = await admin.post<Problem>(path(), { definition: narrowedC3(), version });
      expect([noReason.status, noReason.body.code]).toEqual([400, 'MSCT_E_REASON_REQUIRED']);
      const stale = await admin.post<Problem>(path(), {
        definition: narrowedC3(),
        version: version - 1,
        reason: 'x',
      });
      expect([stale.status, stale.body.code]).toEqual([409, 'MSCT_E_CONFLICT']);
      const staleDry = await admin.post<Problem>(path(), {
        definition: narrowedC3(),
        version: version + 5,
        dryRun: true,
      });
      expect(staleDry.status).toBe(409);
      expect(await studyVersion()).toBe(version);
    });

    it('applies: version 2 listed with who and why, the study reads it, the audit verifies', async () => {
      const version = await studyVersion();
      const r = await admin.post<Result>(path(), {
        definition: narrowedC3(),
        version,
        reason: 'Amendment 1: C3 assay upper limit',
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ applied: true, toVersion: 2, studyVersion: version + 1 });
      expect(r.body.report.invalidValuesTotal).toBe(1);
      const study = await admin.get<{ definitionVersion: number; definition: StudyDefinition }>(
        `/api/studies/${trial.studyId}`,
      );
      expect(study.body.definitionVersion).toBe(2);
      expect(study.body.definition).toEqual(narrowedC3());
      const versions = await admin.get<
        { version: number; createdByName: string; reason: string | null; current: boolean }[]
      >(`/api/studies/${trial.studyId}/definition/versions`);
      expect(versions.body.map((v) => [v.version, v.createdByName, v.reason, v.current])).toEqual([
        [1, 'test', null, false],
        [2, 'admin', 'Amendment 1: C3 assay upper limit', true],
      ]);
      // Entry follows version 2 now: a C3 of 4.5 is refused at a new visit, 2.5 is entered under it.
      const coordinator = new ApiClient(server.baseUrl);
      expect((await coordinator.login('coordinator')).status).toBe(200);
      const m6 = await coordinator.post<{ id: string }>(`/api/subjects/${subjectId}/visits`, {
        visitCode: 'M6',
        visitDate: '2024-07-10',
      });
      expect(m6.status).toBe(201);
      const refused = await coordinator.put<{ errors: { rule: string; message: string }[] }>(
        `/api/visits/${m6.body.id}/forms/labs`,
        { items: [{ itemCode: 'c3', value: '4.5', unit: 'g/L' }] },
      );
      expect(refused.status).toBe(400);
      expect(refused.body.errors.map((e) => e.rule)).toEqual(['value-out-of-range']);
      const saved = await coordinator.put(`/api/visits/${m6.body.id}/forms/labs`, {
        items: [{ itemCode: 'c3', value: '2.5', unit: 'g/L' }],
      });
      expect(saved.status).toBe(200);
      const bound = await server.db.kysely
        .selectFrom('visits')
        .select(['visit_code', 'definition_version'])
        .where('subject_id', '=', subjectId)
        .orderBy('visit_code')
        .execute();
      expect(bound.map((v) => [v.visit_code, Number(v.definition_version)])).toEqual([
        ['M3', 1],
        ['M6', 2],
      ]);
      expect((await verifyAuditChain(server.db)).ok).toBe(true);
      expect((await verifyAuditedData(server.db)).findings).toEqual([]);
    });

    it('only admins amend; every role of the study reads the versions', async () => {
      const monitor = new ApiClient(server.baseUrl);
      expect((await monitor.login('monitor')).status).toBe(200);
      const r = await monitor.post<Problem>(path(), {
        definition: narrowedC3(),
        version: await studyVersion(),
        dryRun: true,
      });
      expect(r.status).toBe(403);
      expect((await monitor.get(`/api/studies/${trial.studyId}/definition/versions`)).status).toBe(200);
    });
  });
