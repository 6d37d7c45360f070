// Missing-data codes at entry over the API (issues #20/#22), both dialects: an item whose definition
// allows them is saved as ND/NK/NA instead of a value, stored apart from a blank (value null,
// missingCode set); a code the item does not allow, or a code with a value, is refused (400); a
// required item holding a code counts as answered when the form is marked complete, a blank does
// not; replacing a code by a value is a change (version, reason) and the audit trail shows the code's
// words; the audited-data check still passes.
import { msctSleTrial, type StudyDefinition } from '@msct/core/protocol';
import { createSubject, createVisit, verifyAuditedData } from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createTestTrial, startTestServer, type TestServer } from '../testing/test-server.js';

interface Item {
  id: string;
  itemCode: string;
  value: string | null;
  unit: string | null;
  missingCode: string | null;
  version: number;
}
interface Form {
  id: string;
  status: string;
  version: number;
  items: Item[];
}
interface Problem {
  code: string;
  detail: string;
  errors?: { field: string; rule: string }[];
}

/** The built-in trial with labs.c3 required and allowed ND/NK. */
function withMissingCodes(): StudyDefinition {
  const d: StudyDefinition = JSON.parse(JSON.stringify(msctSleTrial));
  const labs = d.forms.find((f) => f.id === 'labs')!;
  labs.items = labs.items!.map((i) =>
    i.code === 'c3' ? { ...i, required: true, missingCodes: ['ND', 'NK'] } : i,
  );
  return d;
}

for (const dialect of TEST_DIALECTS)
  describe(`missing-data codes at entry on ${dialect}`, () => {
    let server: TestServer;
    let coord: ApiClient;
    let visitId: string;
    let subjectId: string;
    const save = (body: unknown) => coord.put<Form & Problem>(`/api/visits/${visitId}/forms/labs`, body);

    beforeAll(async () => {
      server = await startTestServer(dialect);
      const trial = await createTestTrial(server.db, { definition: withMissingCodes() });
      coord = new ApiClient(server.baseUrl);
      expect((await coord.login('coordinator')).status).toBe(200);
      const actor = { id: trial.users.coordinator!.id, name: 'coordinator' };
      const subject = await createSubject(server.db, actor, { studyId: trial.studyId, siteId: trial.siteA });
      subjectId = subject.id;
      const m3 = await createVisit(server.db, actor, { subjectId, visitCode: 'M3', visitDate: '2024-04-10' });
      visitId = m3.id;
    });
    afterAll(async () => {
      await server?.close();
    });

    it('refuses a code the item does not allow, a code with a value, and a code with a unit', async () => {
      const notAllowed = await save({ items: [{ itemCode: 'c3', value: null, missingCode: 'NA' }] });
      expect(notAllowed.status).toBe(400);
      expect(notAllowed.body.detail).toContain('takes ND, NK, not NA');
      const noCodes = await save({ items: [{ itemCode: 'c4', value: null, missingCode: 'ND' }] });
      expect(noCodes.status).toBe(400);
      expect(noCodes.body.detail).toContain('takes no missing-data code');
      const both = await save({ items: [{ itemCode: 'c3', value: '0.9', unit: 'g/L', missingCode: 'ND' }] });
      expect(both.status).toBe(400);
      expect(both.body.detail).toContain('a value or a missing-data code, not both');
      const unknown = await save({ items: [{ itemCode: 'c3', value: null, missingCode: 'XX' }] });
      expect(unknown.status).toBe(400);
    });

    it('a blank required item leaves the form incomplete; "not done" completes it', async () => {
      const blank = await save({ items: [{ itemCode: 'c4', value: '0.2', unit: 'g/L' }] });
      expect(blank.status).toBe(200);
      const refused = await coord.post<Problem>(`/api/forms/${blank.body.id}/status`, {
        version: blank.body.version,
        status: 'complete',
      });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'c3', rule: 'required' })]);
      const nd = await save({ items: [{ itemCode: 'c3', value: null, missingCode: 'ND' }] });
      expect(nd.status).toBe(200);
      const c3 = nd.body.items.find((i) => i.itemCode === 'c3')!;
      expect(c3).toMatchObject({ value: null, unit: null, missingCode: 'ND', version: 1 });
      expect(nd.body.items.find((i) => i.itemCode === 'c4')!.missingCode).toBeNull();
      const done = await coord.post<Form>(`/api/forms/${nd.body.id}/status`, {
        version: nd.body.version,
        status: 'complete',
      });
      expect(done.status).toBe(200);
      expect(done.body.status).toBe('complete');
    });

    it('replacing the code by a value is a change with a reason; the history shows the words', async () => {
      const visit = await coord.get<{ forms: Form[] }>(`/api/visits/${visitId}`);
      expect(visit.status, JSON.stringify(visit.body)).toBe(200);
      const c3 = visit.body.forms
        .find((f) => f.items.some((i) => i.itemCode === 'c3'))!
        .items.find((i) => i.itemCode === 'c3')!;
      expect(c3.missingCode).toBe('ND');
      const noReason = await save({ items: [{ itemCode: 'c3', value: '0.8', unit: 'g/L', version: 1 }] });
      expect(noReason.status).toBe(400);
      expect(noReason.body.detail).toContain('a reason is required');
      const changed = await save({
        items: [{ itemCode: 'c3', value: '0.8', unit: 'g/L', version: 1 }],
        reason: 'result arrived from the lab',
      });
      expect(changed.status).toBe(200);
      expect(changed.body.items.find((i) => i.itemCode === 'c3')).toMatchObject({
        value: '0.8',
        missingCode: null,
        version: 2,
      });
      const history = await coord.get<{ action: string; oldValue: string | null; newValue: string | null }[]>(
        `/api/subjects/${subjectId}/audit?entityType=item&entityId=${c3.id}`,
      );
      expect(history.body.map((e) => [e.action, e.oldValue, e.newValue])).toEqual([
        ['item.enter', null, '[ND: not done]'],
        ['item.change', '[ND: not done]', '0.8 g/L'],
      ]);
      expect((await verifyAuditedData(server.db)).findings).toEqual([]);
    });
  });
