// Issues #20/#21: the study definition's edit checks run at the commit of a form save and of an
// import; a broken check raises ONE system query on the field (author "msct automatic check"), not
// again while it is open, and the query is closed automatically when the data pass, audited — on
// both databases.
import { msctSleTrial } from '@msct/core/protocol';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  type TestServer,
  type TestTrial,
} from '../testing/test-server.js';

interface Listed {
  id: string;
  status: string;
  field: string | null;
  entityType: string;
  entityId: string;
  text: string;
  raisedByName: string;
  visitCode: string | null;
}
interface Thread {
  status: string;
  messages: { authorName: string; kind: string; text: string }[];
}
interface SavedForm {
  id: string;
  items: { id: string; itemCode: string; version: number }[];
}

for (const dialect of TEST_DIALECTS)
  describe(`edit checks raise and close system queries on ${dialect}`, () => {
    let server: TestServer;
    let trial: TestTrial;
    const c: Record<string, ApiClient> = {};
    let subjectId = '';
    let subjectCode = '';
    let d0 = '';

    beforeAll(async () => {
      server = await startTestServer(dialect);
      trial = await createTestTrial(server.db, { definition: msctSleTrial });
      for (const u of ['admin', 'coordinator', 'monitor']) {
        c[u] = new ApiClient(server.baseUrl);
        expect((await c[u].login(u)).status).toBe(200);
      }
      const s = await c.coordinator!.post<{ id: string; subjectCode: string }>(
        `/api/studies/${trial.studyId}/subjects`,
        { siteId: trial.siteA },
      );
      subjectId = s.body.id;
      subjectCode = s.body.subjectCode;
      const v = await c.coordinator!.post<{ id: string }>(`/api/subjects/${subjectId}/visits`, {
        visitCode: 'D0',
        visitDate: '2026-03-01',
      });
      expect(v.status).toBe(201);
      d0 = v.body.id;
    }, 60_000);
    afterAll(async () => server?.close());

    const queries = async () =>
      (
        await c.monitor!.get<{ queries: Listed[] }>(
          `/api/studies/${trial.studyId}/queries?subjectId=${subjectId}`,
        )
      ).body.queries;
    const thread = async (id: string) => (await c.monitor!.get<Thread>(`/api/queries/${id}`)).body;

    it('a save that breaks a check raises one query on the field; a correction closes it', async () => {
      const saved = await c.coordinator!.put<SavedForm>(`/api/visits/${d0}/forms/vital-signs`, {
        items: [
          { itemCode: 'systolic_bp', value: '120', unit: 'mmHg' },
          { itemCode: 'diastolic_bp', value: '130', unit: 'mmHg' },
          { itemCode: 'weight_kg', value: '60', unit: 'kg' },
        ],
      });
      expect(saved.status).toBe(200);
      const dbp = saved.body.items.find((i) => i.itemCode === 'diastolic_bp')!;
      let list = await queries();
      expect(list).toHaveLength(1);
      const q = list[0]!;
      expect(q).toMatchObject({
        status: 'open',
        entityType: 'item',
        entityId: dbp.id,
        field: 'vital-signs.diastolic_bp',
        raisedByName: 'msct automatic check',
        visitCode: 'D0',
      });
      expect(q.text).toBe(
        'Automatic check: Diastolic blood pressure must be below systolic blood pressure (Diastolic blood pressure = 130 mmHg, expected < Systolic blood pressure = 120 mmHg)',
      );

      // Another save of the form while the check still fails: no second query.
      const again = await c.coordinator!.put(`/api/visits/${d0}/forms/vital-signs`, {
        items: [{ itemCode: 'heart_rate', value: '70', unit: '/min' }],
      });
      expect(again.status).toBe(200);
      const sbp = saved.body.items.find((i) => i.itemCode === 'systolic_bp')!;
      const still = await c.coordinator!.put(`/api/visits/${d0}/forms/vital-signs`, {
        items: [{ itemCode: 'systolic_bp', value: '125', unit: 'mmHg', version: sbp.version }],
        reason: 'transcription',
      });
      expect(still.status, JSON.stringify(still.body)).toBe(200);
      expect((await queries()).map((x) => x.status)).toEqual(['open']);

      // The correction: the check passes, the query closes with a system message.
      const fixed = await c.coordinator!.put(`/api/visits/${d0}/forms/vital-signs`, {
        items: [{ itemCode: 'diastolic_bp', value: '80', unit: 'mmHg', version: dbp.version }],
        reason: 'fields swapped at entry',
      });
      expect(fixed.status).toBe(200);
      list = await queries();
      expect(list.map((x) => x.status)).toEqual(['closed']);
      const t = await thread(q.id);
      expect(t.messages.map((m) => [m.authorName, m.kind])).toEqual([
        ['msct automatic check', 'raise'],
        ['msct automatic check', 'close'],
      ]);
      expect(t.messages[1]!.text).toBe(
        'Closed automatically: the data now pass the check "Diastolic blood pressure must be below systolic blood pressure".',
      );
      const audit = await c.admin!.get<{ action: string; entityId: string }[]>(
        `/api/subjects/${subjectId}/audit`,
      );
      expect(audit.status).toBe(200);
      expect(audit.body.filter((e) => e.entityId === q.id).map((e) => e.action)).toEqual([
        'query.raise',
        'query.close',
      ]);
      // The trail explains every row the checks wrote (queries, messages, the system account).
      const verify = await c.admin!.get<{ ok: boolean; data: { findings: unknown[] } }>('/api/audit/verify');
      expect(verify.body.data.findings, JSON.stringify(verify.body.data.findings)).toEqual([]);
      expect(verify.body.ok).toBe(true);
    });

    it('an import that breaks a cross-visit check raises its query; a passing import raises none', async () => {
      const body = [
        'subject,visit,form,item,value,unit',
        `${subjectCode},M1,vital-signs,weight_kg,70,kg`,
        `${subjectCode},M1,vital-signs,heart_rate,72,/min`,
      ].join('\n');
      const r = await c.admin!.request<Record<string, unknown>>(
        'POST',
        `/api/studies/${trial.studyId}/import.csv`,
        body,
        { 'content-type': 'text/csv' },
      );
      expect(r.status).toBe(200);
      const open = (await queries()).filter((x) => x.status === 'open');
      expect(open).toHaveLength(1);
      expect(open[0]).toMatchObject({ field: 'vital-signs.weight_kg', visitCode: 'M1', entityType: 'item' });
      expect(open[0]!.text).toContain('Weight = 70 kg, Weight = 60 kg at D0: +16.7 % (limit ±10 %)');

      // Corrected at source and imported again: the query closes.
      const fixed = await c.admin!.request<Record<string, unknown>>(
        'POST',
        `/api/studies/${trial.studyId}/import.csv?reason=corrected%20at%20source`,
        `subject,visit,form,item,value,unit\n${subjectCode},M1,vital-signs,weight_kg,62,kg\n`,
        { 'content-type': 'text/csv' },
      );
      expect(fixed.status).toBe(200);
      expect((await queries()).filter((x) => x.status === 'open')).toEqual([]);
    });
  });
