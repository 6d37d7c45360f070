// POST /api/studies validates the study definition through core's one schema (issue #20): an
// invalid one is refused with 422 and every problem by path, nothing stored; none (or `{}`) is an
// ad-hoc study. A definition stored before validation existed, now invalid, is answered 409 with
// its problems wherever it is read, not 500.
import { msctSleTrial } from '@msct/core/protocol';
import { createStudy, listStudies } from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createTestTrial, startTestServer, type TestServer } from '../testing/test-server.js';

interface Problem {
  code: string;
  detail: string;
  problems: string[];
  errors: { field: string; rule: string; message: string }[];
}

for (const dialect of TEST_DIALECTS)
  describe(`POST /api/studies validates the definition on ${dialect}`, () => {
    let server: TestServer;
    let admin: ApiClient;

    beforeAll(async () => {
      server = await startTestServer(dialect);
      await createTestTrial(server.db);
      admin = new ApiClient(server.baseUrl);
      expect((await admin.login('admin')).status).toBe(200);
    });
    afterAll(async () => {
      await server?.close();
    });

    it('stores a valid definition as given', async () => {
      const r = await admin.post<{ id: string; definition: unknown }>('/api/studies', {
        code: 'DEF-OK',
        title: 'Valid',
        definition: msctSleTrial,
      });
      expect(r.status).toBe(201);
      const back = await admin.get<{ definition: unknown }>(`/api/studies/${r.body.id}`);
      expect(back.body.definition).toEqual(JSON.parse(JSON.stringify(msctSleTrial)));
    });

    it('keeps ad-hoc studies: no definition, or an empty one', async () => {
      expect((await admin.post('/api/studies', { code: 'ADHOC-1', title: 'Ad hoc' })).status).toBe(201);
      expect(
        (await admin.post('/api/studies', { code: 'ADHOC-2', title: 'Ad hoc', definition: {} })).status,
      ).toBe(201);
    });

    it('refuses an invalid definition with 422 listing every problem by path, and stores nothing', async () => {
      const bad = JSON.parse(JSON.stringify(msctSleTrial));
      bad.forms[4].items[7].codeList = 'yn2';
      bad.visits[2].windowDays = -1;
      bad.title = ' ';
      const r = await admin.post<Problem>('/api/studies', {
        code: 'DEF-BAD',
        title: 'Invalid',
        definition: bad,
      });
      expect(r.status).toBe(422);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.code).toBe('MSCT_E_DEFINITION_INVALID');
      expect(r.body.problems).toEqual([
        'title: must not be empty',
        'visits[2].windowDays: must be ≥ 0, got -1',
        'forms[4].items[7].codeList: unknown code list "yn2" (bilag-classic-grade, end-of-study-status, lab_significance)',
      ]);
      expect(r.body.errors.map((e) => [e.field, e.rule])).toEqual([
        ['definition.title', 'invalid_value'],
        ['definition.visits[2].windowDays', 'invalid_value'],
        ['definition.forms[4].items[7].codeList', 'unknown_reference'],
      ]);
      expect(r.body.detail).toContain('3 problems');
      expect((await listStudies(server.db)).map((s) => s.code)).not.toContain('DEF-BAD');
    });

    it('answers 409 with the problems, not 500, where an invalid stored definition is read', async () => {
      const bad = { ...JSON.parse(JSON.stringify(msctSleTrial)), endpointRuleSetId: 'sri-4' };
      const study = await createStudy(
        server.db,
        { id: null, name: 'test' },
        {
          code: 'OLD-BAD',
          title: 'Stored before validation',
          definition: bad,
        },
      );
      const r = await admin.get<Problem>(`/api/studies/${study.id}/export.odm.xml`);
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('MSCT_E_STORED_DEFINITION_INVALID');
      expect(r.body.problems).toEqual([
        'endpointRuleSetId: unknown endpoint rule set "sri-4" (msct-sle-bilag-2014)',
      ]);
      expect(r.body.detail).toContain('study OLD-BAD');
    });
  });

for (const dialect of TEST_DIALECTS)
  describe(`entry follows the definition on ${dialect}`, () => {
    let server: TestServer;
    let coord: ApiClient;
    let subjectId: string;
    let studyCode: string;

    beforeAll(async () => {
      server = await startTestServer(dialect);
      const trial = await createTestTrial(server.db, { definition: msctSleTrial });
      studyCode = (await listStudies(server.db)).find((s) => s.id === trial.studyId)!.code;
      coord = new ApiClient(server.baseUrl);
      expect((await coord.login('coordinator')).status).toBe(200);
      subjectId = (
        await coord.post<{ id: string }>(`/api/studies/${trial.studyId}/subjects`, { siteId: trial.siteA })
      ).body.id;
    });
    afterAll(async () => {
      await server?.close();
    });

    it('opens only a visit of the schedule, naming the rule and the choices', async () => {
      const r = await coord.post<Problem>(`/api/subjects/${subjectId}/visits`, { visitCode: 'BASELINE' });
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('MSCT_E_NOT_IN_DEFINITION');
      expect(r.body.detail).toBe(
        `visitCode: "BASELINE" is not a visit of study ${studyCode} (SCR, D0, D7, M1, M3, M6, M9, M12, UNSCHEDULED)`,
      );
      expect(r.body.errors).toEqual([
        { field: 'visitCode', rule: 'visit-not-in-schedule', message: r.body.detail },
      ]);
      expect((await coord.get<unknown[]>(`/api/subjects/${subjectId}/visits`)).body).toEqual([]);
      expect((await coord.post(`/api/subjects/${subjectId}/visits`, { visitCode: 'D7' })).status).toBe(201);
    });

    it('opens an unscheduled visit only with a reason, kept in the audit trail', async () => {
      const bare = await coord.post<Problem>(`/api/subjects/${subjectId}/visits`, {
        visitCode: 'UNSCHEDULED',
      });
      expect(bare.status).toBe(422);
      expect(bare.body.errors[0]).toMatchObject({
        field: 'reason',
        rule: 'unscheduled-reason-required',
      });
      const ok = await coord.post<{ id: string }>(`/api/subjects/${subjectId}/visits`, {
        visitCode: 'UNSCHEDULED',
        reason: 'Flare between visits',
      });
      expect(ok.status).toBe(201);
      const event = await server.db.kysely
        .selectFrom('audit_events')
        .select(['action', 'reason'])
        .where('entity_id', '=', ok.body.id)
        .executeTakeFirst();
      expect(event).toEqual({ action: 'visit.create', reason: 'Flare between visits' });
    });

    it('enters a form only where the definition collects it', async () => {
      const visits = await coord.get<{ id: string; visitCode: string }[]>(
        `/api/subjects/${subjectId}/visits`,
      );
      const d7 = visits.body.find((v) => v.visitCode === 'D7')!;
      const labs = await coord.put<Problem>(`/api/visits/${d7.id}/forms/labs`, {
        items: [{ itemCode: 'c3', value: '0.5', unit: 'g/L' }],
      });
      expect(labs.status).toBe(422);
      expect(labs.body.errors[0]).toMatchObject({ field: 'formCode', rule: 'form-not-at-visit' });
      const unknown = await coord.put<Problem>(`/api/visits/${d7.id}/forms/LAB`, {
        items: [{ itemCode: 'HGB', value: '12.5' }],
      });
      expect(unknown.body.errors[0]).toMatchObject({
        field: 'formCode',
        rule: 'form-not-in-definition',
      });
      const vitals = await coord.put(`/api/visits/${d7.id}/forms/vital-signs`, {
        items: [{ itemCode: 'weight_kg', value: '61', unit: 'kg' }],
      });
      expect(vitals.status).toBe(200);
      const visit = await coord.get<{ forms: { formCode: string }[] }>(`/api/visits/${d7.id}`);
      expect(visit.body.forms.map((f) => f.formCode)).toEqual(['vital-signs']);
    });
  });
