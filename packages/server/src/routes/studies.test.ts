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
        'forms[4].items[7].codeList: unknown code list "yn2" (bilag-classic-grade, end-of-study-status)',
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
