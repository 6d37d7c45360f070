// Records of a repeating form over the API (issues #20, #23), both dialects: PUT
// /api/visits/:visitId/forms/:formCode?record=N saves record N of a repeating form (a new N opens
// it); GET /api/visits/:visitId lists each record as its own form with its number; a change of one
// record needs its version and a reason and leaves the other alone; a non-repeating form refuses
// record 2 (422, rule form-not-repeating, field record); the audit trail names the record.
import { msctSleTrial, type StudyDefinition } from '@msct/core/protocol';
import { createSubject, createVisit, verifyAuditedData } from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createTestTrial, startTestServer, type TestServer } from '../testing/test-server.js';

interface Item {
  itemCode: string;
  value: string | null;
  version: number;
}
interface Form {
  id: string;
  formCode: string;
  record: number;
  items: Item[];
}
interface Problem {
  code: string;
  detail: string;
  rule?: string;
  errors?: { field: string; rule: string }[];
}

function withConmed(): StudyDefinition {
  const d: StudyDefinition = JSON.parse(JSON.stringify(msctSleTrial));
  d.forms.push({
    id: 'conmed',
    title: 'Concomitant medication',
    visitCodes: ['M3'],
    repeating: true,
    items: [{ code: 'drug', label: 'Drug', type: 'text' }],
  });
  return d;
}

for (const dialect of TEST_DIALECTS)
  describe(`records of a repeating form over the API on ${dialect}`, () => {
    let server: TestServer;
    let coord: ApiClient;
    let visitId: string;
    const save = (form: string, query: string, body: unknown) =>
      coord.put<Form & Problem>(`/api/visits/${visitId}/forms/${form}${query}`, body);

    beforeAll(async () => {
      server = await startTestServer(dialect);
      const trial = await createTestTrial(server.db, { definition: withConmed() });
      coord = new ApiClient(server.baseUrl);
      expect((await coord.login('coordinator')).status).toBe(200);
      const actor = { id: trial.users.coordinator!.id, name: 'coordinator' };
      const subject = await createSubject(server.db, actor, { studyId: trial.studyId, siteId: trial.siteA });
      visitId = (await createVisit(server.db, actor, { subjectId: subject.id, visitCode: 'M3' })).id;
    });
    afterAll(async () => {
      await server?.close();
    });

    it('saves two records of the repeating form at one visit and lists both', async () => {
      const first = await save('conmed', '', { items: [{ itemCode: 'drug', value: 'Hydroxychloroquine' }] });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ formCode: 'conmed', record: 1 });
      const second = await save('conmed', '?record=2', {
        items: [{ itemCode: 'drug', value: 'Prednisone' }],
      });
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ formCode: 'conmed', record: 2 });
      expect(second.body.id).not.toBe(first.body.id);
      const visit = await coord.get<{ forms: Form[] }>(`/api/visits/${visitId}`);
      expect(
        visit.body.forms
          .filter((f) => f.formCode === 'conmed')
          .map((f) => [f.record, f.items.map((i) => i.value)]),
      ).toEqual([
        [1, ['Hydroxychloroquine']],
        [2, ['Prednisone']],
      ]);
    });

    it('a change of one record needs its version and a reason, and leaves the other alone', async () => {
      const noReason = await save('conmed', '?record=2', {
        items: [{ itemCode: 'drug', value: 'Prednisolone', version: 1 }],
      });
      expect(noReason.status).toBe(400);
      const changed = await save('conmed', '?record=2', {
        items: [{ itemCode: 'drug', value: 'Prednisolone', version: 1 }],
        reason: 'transcription error',
      });
      expect(changed.status).toBe(200);
      expect(changed.body.items).toMatchObject([{ value: 'Prednisolone', version: 2 }]);
      const visit = await coord.get<{ forms: Form[] }>(`/api/visits/${visitId}`);
      expect(visit.body.forms.find((f) => f.formCode === 'conmed' && f.record === 1)?.items).toMatchObject([
        { value: 'Hydroxychloroquine', version: 1 },
      ]);
    });

    it('a form that is not repeating refuses record 2 (422 naming the rule), and a record 0 is not a number', async () => {
      const refused = await save('labs', '?record=2', {
        items: [{ itemCode: 'c3', value: '0.9', unit: 'g/L' }],
      });
      expect(refused.status).toBe(422);
      expect(refused.body.detail).toContain('form "labs" of study');
      expect(refused.body.detail).toContain('is not repeating');
      expect(JSON.stringify(refused.body)).toContain('form-not-repeating');
      const zero = await save('conmed', '?record=0', { items: [{ itemCode: 'drug', value: 'x' }] });
      expect(zero.status).toBe(400);
    });

    it('the audit trail names the record, and the audited data verifies', async () => {
      const created = await server.db.kysely
        .selectFrom('audit_events')
        .select('new_value')
        .where('action', '=', 'form.create')
        .orderBy('seq')
        .execute();
      expect(created.map((e) => e.new_value)).toEqual(['conmed', 'conmed record 2']);
      expect((await verifyAuditedData(server.db)).findings).toEqual([]);
    });
  });
