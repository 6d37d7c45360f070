// GET /api/studies/:studyId/export.odm.xml through the real HTTP server, on both databases: an
// admin gets the identified, XSD-valid file as an XML attachment; a statistician a pseudonymised one
// without free text (and study days on request); roles without study.export get a problem.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msctSleTrial } from '@msct/core/protocol';
import { xsdErrors } from '@msct/exchange/testing';
import { createSubject, createSubjectRecord, createVisit, getStudy, saveItems } from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  type TestServer,
  type TestTrial,
} from '../testing/test-server.js';

for (const dialect of TEST_DIALECTS)
  describe(`GET export.odm.xml on ${dialect}`, () => {
    let server: TestServer;
    let trial: TestTrial;
    let studyCode: string;
    let subjectCode: string;
    let dir: string;
    const as = async (username: string) => {
      const c = new ApiClient(server.baseUrl);
      expect((await c.login(username)).status).toBe(200);
      return c;
    };
    const valid = (name: string, xml: string) => {
      const file = join(dir, name);
      writeFileSync(file, xml);
      return xsdErrors(file);
    };

    beforeAll(async () => {
      server = await startTestServer(dialect);
      trial = await createTestTrial(server.db, { definition: msctSleTrial });
      studyCode = (await getStudy(server.db, trial.studyId)).code;
      const actor = { id: trial.users.coordinator!.id, name: 'coordinator' };
      const s = await createSubject(server.db, actor, {
        studyId: trial.studyId,
        siteId: trial.siteA,
        sex: 'F',
        birthDate: '1985-02-03',
        day0Date: '2024-01-10',
      });
      subjectCode = s.subject_code;
      const v = await createVisit(server.db, actor, {
        subjectId: s.id,
        visitCode: 'D0',
        visitDate: '2024-01-10',
      });
      await saveItems(server.db, actor, {
        visitId: v.id,
        formCode: 'medication',
        items: [
          { itemCode: 'prednisone_mg_day', value: '20', unit: 'mg/day' },
          { itemCode: 'other_immunosuppressant', value: 'tacrolimus from Dr Wu' },
        ],
      });
      await createSubjectRecord(server.db, actor, 'adverse_events', s.id, {
        term: 'Headache',
        onset_date: '2024-01-12',
        resolution_date: null,
        ctcae_grade: 1,
        serious: 0,
        seriousness_json: '[]',
        relatedness: 'unlikely',
        action_taken: 'rest, advised by Dr Wu',
        outcome: 'recovered',
        infusion_id: null,
        death_date: null,
        death_cause: null,
      });
      dir = mkdtempSync(join(tmpdir(), 'msct-odm-route-'));
    }, 60_000);
    afterAll(async () => {
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const path = () => `/api/studies/${trial.studyId}/export.odm.xml`;

    it('gives an admin the identified file, XSD-valid, as an XML attachment', async () => {
      const res = await (await as('admin')).get<string>(path());
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/xml; charset=utf-8');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${studyCode}.odm.xml"`);
      expect(valid('admin.xml', res.body)).toBe('');
      expect(res.body).toContain(`SubjectKey="${subjectCode}"`);
      expect(res.body).toContain('FileType="Transactional"');
      expect(res.body).toContain('tacrolimus from Dr Wu');
      expect(res.body).toContain('<ItemData ItemOID="I.AE.TERM" Value="Headache"/>');
      expect(res.body).toContain('<UserRef UserOID="USR.coordinator"/>');
    });

    it('gives a statistician a pseudonymised file without free text; study days on request', async () => {
      const stat = await as('statistician');
      const res = await stat.get<string>(path());
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${studyCode}-deid.odm.xml"`);
      expect(valid('stat.xml', res.body)).toBe('');
      expect(res.body).not.toContain(subjectCode);
      expect(res.body).toMatch(/SubjectKey="P[0-9A-F]{10}"/);
      expect(res.body).not.toContain('Dr Wu');
      expect(res.body).not.toContain('1985-02-03');
      expect(res.body).toContain('<ItemData ItemOID="I.AE.TERM" Value="Headache"/>');
      const days = await stat.get<string>(`${path()}?shiftDates=study-day`);
      expect(days.status).toBe(200);
      expect(valid('days.xml', days.body)).toBe('');
      expect(days.body).not.toMatch(/Value="\d{4}-\d{2}-\d{2}/);
      expect(days.body).toContain('<ItemData ItemOID="I.AE.ONSET_DATE" Value="2"/>');
      expect(days.body).not.toContain('AuditRecord');
    });

    it('refuses roles without study.export, and anonymous callers, with a problem', async () => {
      for (const role of ['safety', 'coordinator', 'investigator']) {
        const res = await (await as(role)).get<{ status: number; code: string }>(path());
        expect(res.status, role).toBe(403);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.body.status).toBe(403);
        expect(JSON.stringify(res.body)).not.toContain(subjectCode);
      }
      const anonymous = await new ApiClient(server.baseUrl).get(path());
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
    });
  });
