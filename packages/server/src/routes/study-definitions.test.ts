// POST /api/studies/from-file and GET /api/studies/:studyId/definition.{odm.xml,csv,html} (issue #20
// "Build without code"): a REDCap data dictionary or ODM metadata becomes a study over the API, with
// the same problems and unmapped list as `msct study create`; an invalid one is refused with 422 and
// nothing is created; the definition exports as ODM metadata and as a data dictionary.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listStudies } from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createTestTrial, startTestServer, type TestServer } from '../testing/test-server.js';

const fixtures = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'exchange',
  'src',
  'testing',
  'fixtures',
  'definitions',
);
const text = (...p: string[]) => readFileSync(join(fixtures, ...p), 'utf8');
const redcap = {
  format: 'redcap',
  file: text('hand-written', 'dictionary.csv'),
  events: text('hand-written', 'event.csv'),
  instrumentEvents: text('hand-written', 'instrument-event.csv'),
  frame: JSON.parse(text('hand-written', 'frame.json')),
};

interface Report {
  dryRun: boolean;
  valid: boolean;
  problems: string[];
  unmapped: { row: number | string; field: string; what: string; kind: string }[];
  study: { id: string; code: string; title: string } | null;
}

for (const dialect of TEST_DIALECTS)
  describe(`a study from a definition file on ${dialect}`, () => {
    let server: TestServer;
    let admin: ApiClient;
    let monitor: ApiClient;

    beforeAll(async () => {
      server = await startTestServer(dialect);
      await createTestTrial(server.db);
      admin = new ApiClient(server.baseUrl);
      monitor = new ApiClient(server.baseUrl);
      expect((await admin.login('admin')).status).toBe(200);
      expect((await monitor.login('monitor')).status).toBe(200);
    });
    afterAll(async () => {
      await server?.close();
    });

    it('dry run: the report lists the unmapped constructs, nothing is created', async () => {
      const before = (await listStudies(server.db)).length;
      const r = await admin.post<Report>('/api/studies/from-file', { ...redcap, dryRun: true });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ dryRun: true, valid: true, problems: [], study: null });
      expect(r.body.unmapped.length).toBe(14);
      // The dictionary's branching logic ([sex] = 'F') is mapped to showIf since session 8 (defn).
      expect(r.body.unmapped).not.toContainEqual(expect.objectContaining({ field: 'pregnant' }));
      expect((await listStudies(server.db)).length).toBe(before);
    });

    it('refuses a definition the frame does not complete with 422, every problem and the unmapped list', async () => {
      const before = (await listStudies(server.db)).length;
      const { frame: _, ...noFrame } = redcap;
      const r = await admin.post<{ code: string; problems: string[]; unmapped: unknown[] }>(
        '/api/studies/from-file',
        { ...noFrame, code: 'RC-NOFRAME' },
      );
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('MSCT_E_DEFINITION_INVALID');
      expect(r.body.problems).toContain('centres: is required');
      expect(r.body.problems.length).toBe(11);
      expect(r.body.unmapped.length).toBe(14);
      expect((await listStudies(server.db)).length).toBe(before);
    });

    it('refuses a frame that is not part of a definition with 400, field by field', async () => {
      const r = await admin.post<{ detail: string; errors: { field: string }[] }>('/api/studies/from-file', {
        ...redcap,
        frame: { ...redcap.frame, visits: 'week 4', colour: 'blue' },
        dryRun: true,
      });
      expect(r.status).toBe(400);
      expect(r.body.errors[0]?.field).toBe('frame');
      expect(r.body.detail).toContain('the study frame is not part of a study definition: ');
      expect(r.body.detail).toContain('frame.visits: ');
    });

    it('refuses an unreadable file with 400 naming what is wrong', async () => {
      const r = await admin.post<{ code: string; detail: string }>('/api/studies/from-file', {
        format: 'odm',
        file: '<ODM><Study',
      });
      expect(r.status).toBe(400);
      expect(r.body.detail).toMatch(/^the odm file cannot be read: malformed XML/);
    });

    it('creates the study from REDCap, and exports its definition as ODM, CSV and HTML to its readers', async () => {
      const r = await admin.post<Report>('/api/studies/from-file', { ...redcap, code: 'RC-API' });
      expect(r.status).toBe(201);
      expect(r.body.study).toMatchObject({
        code: 'RC-API',
        title: 'Demo study converted from a REDCap data dictionary',
      });
      const id = r.body.study!.id;
      const odm = await admin.request<string>('GET', `/api/studies/${id}/definition.odm.xml`);
      expect(odm.status).toBe(200);
      expect(odm.headers.get('content-type')).toBe('application/xml; charset=utf-8');
      expect(odm.body).toContain('<ItemDef OID="I.vitals.weight" Name="weight" DataType="float">');
      // Read back through the same endpoint a file from another system would use.
      const back = await admin.post<Report>('/api/studies/from-file', {
        format: 'odm',
        file: odm.body,
        frame: redcap.frame,
        dryRun: true,
      });
      expect(back.body).toMatchObject({ valid: true, unmapped: [] });
      const csv = await admin.request<string>('GET', `/api/studies/${id}/definition.csv`);
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(csv.body.trimEnd().split('\r\n').length).toBe(13);
      const html = await admin.request<string>('GET', `/api/studies/${id}/definition.html`);
      expect(html.body).toContain('<h2>Screening <small>(screening)</small></h2>');
      // The monitor has no role in this new study: 404, as for the study itself.
      expect((await monitor.request('GET', `/api/studies/${id}/definition.csv`)).status).toBe(404);
    });

    it('an ad-hoc study has no definition to export', async () => {
      const s = await admin.post<{ id: string }>('/api/studies', { code: 'ADHOC-DEF', title: 'Ad hoc' });
      const r = await admin.request<{ detail: string }>('GET', `/api/studies/${s.body.id}/definition.html`);
      expect(r.status).toBe(404);
      expect(r.body.detail).toBe('study ADHOC-DEF has no definition (an ad-hoc study)');
    });
  });
