// Deleting a visit or a form opened by mistake over the API (issue #20, "Entry follows the
// definition"), both dialects: an empty visit and a blank form (saved with no value) are deleted with
// a reason and audited (`visit.delete`, `form.delete`, `item.delete`), and the audit still proves the
// data (`verifyAuditedData`: a row deleted through the trail is not "deleted around the trail"); a
// form holding a value or a missing-data code, a signed form, a queried form, a visit with such a form,
// a missing reason and a stale version are refused with the rule, and nothing is deleted.
import { msctSleTrial, type StudyDefinition } from '@msct/core/protocol';
import {
  createRecordLock,
  createSubject,
  createVisit,
  raiseQuery,
  saveItems,
  setFormStatus,
  verifyAuditChain,
  verifyAuditedData,
} from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createTestTrial, startTestServer, type TestServer } from '../testing/test-server.js';

interface Problem {
  code: string;
  detail: string;
  rule?: string;
  errors?: { field: string; rule: string; message: string }[];
}

/** The built-in trial with labs.c3 allowed ND. */
function withMissingCodes(): StudyDefinition {
  const d: StudyDefinition = JSON.parse(JSON.stringify(msctSleTrial));
  const labs = d.forms.find((f) => f.id === 'labs')!;
  labs.items = labs.items!.map((i) => (i.code === 'c3' ? { ...i, missingCodes: ['ND'] } : i));
  return d;
}

for (const dialect of TEST_DIALECTS)
  describe(`deleting a visit or form opened by mistake on ${dialect}`, () => {
    let server: TestServer;
    let coord: ApiClient;
    let otherSite: ApiClient;
    let subjectId: string;
    let actor: { id: string; name: string };
    let studyId: string;
    let siteA: string;

    const visitRow = (id: string) =>
      server.db.kysely.selectFrom('visits').selectAll().where('id', '=', id).executeTakeFirst();
    const formRow = (id: string) =>
      server.db.kysely.selectFrom('form_instances').selectAll().where('id', '=', id).executeTakeFirst();
    const del = (path: string, version: number, reason?: string) =>
      coord.delete<Problem>(
        `${path}?version=${version}${reason === undefined ? '' : `&reason=${encodeURIComponent(reason)}`}`,
      );
    const deletions = () =>
      server.db.kysely
        .selectFrom('audit_events')
        .select(['action', 'entity_id', 'field', 'old_value', 'reason', 'actor_name'])
        .where('action', 'in', ['visit.delete', 'form.delete', 'item.delete'])
        .orderBy('seq')
        .execute();

    beforeAll(async () => {
      server = await startTestServer(dialect);
      const trial = await createTestTrial(server.db, { definition: withMissingCodes() });
      studyId = trial.studyId;
      siteA = trial.siteA;
      coord = new ApiClient(server.baseUrl);
      expect((await coord.login('coordinator')).status).toBe(200);
      otherSite = new ApiClient(server.baseUrl);
      expect((await otherSite.login('coordinator_b')).status).toBe(200);
      actor = { id: trial.users.coordinator!.id, name: 'coordinator' };
      subjectId = (await createSubject(server.db, actor, { studyId, siteId: siteA })).id;
    });
    afterAll(async () => {
      await server?.close();
    });

    it('deletes an empty visit with a reason, audited; refuses without a reason, at a stale version, elsewhere', async () => {
      const v = await createVisit(server.db, actor, { subjectId, visitCode: 'M6', visitDate: '2024-07-10' });
      const noReason = await del(`/api/visits/${v.id}`, 1);
      expect(noReason.status).toBe(400);
      expect(noReason.body.errors?.[0]?.field).toBe('querystring.reason');
      expect((await del(`/api/visits/${v.id}`, 7, 'opened M6 instead of M3')).status).toBe(409);
      // Another site's coordinator does not learn that it exists.
      expect((await otherSite.delete(`/api/visits/${v.id}?version=1&reason=x`)).status).toBe(404);
      expect(await visitRow(v.id)).toBeDefined();

      expect((await del(`/api/visits/${v.id}`, 1, 'opened M6 instead of M3')).status).toBe(204);
      expect(await visitRow(v.id)).toBeUndefined();
      expect((await coord.get(`/api/visits/${v.id}`)).status).toBe(404);
      expect(await deletions()).toEqual([
        {
          action: 'visit.delete',
          entity_id: v.id,
          field: 'visit_code',
          old_value: 'M6 cycle 1 on 2024-07-10',
          reason: 'opened M6 instead of M3',
          actor_name: 'coordinator',
        },
      ]);
      // The visit can be opened again, properly.
      expect((await coord.post(`/api/subjects/${subjectId}/visits`, { visitCode: 'M6' })).status).toBe(201);
    });

    it('a form holding a value, or a code, is refused with has-values; the visit with it too', async () => {
      const v = await createVisit(server.db, actor, { subjectId, visitCode: 'M3', visitDate: '2024-04-10' });
      const saved = await saveItems(server.db, actor, {
        visitId: v.id,
        formCode: 'labs',
        items: [
          { itemCode: 'c3', value: null, missingCode: 'ND' },
          { itemCode: 'c4', value: '0.2', unit: 'g/L' },
        ],
      });
      const form = await del(`/api/forms/${saved.form.id}`, saved.form.version, 'mistake');
      expect(form.status).toBe(400);
      expect(form.body.errors).toEqual([
        {
          field: 'record',
          rule: 'has-values',
          message: expect.stringContaining('form labs holds values (c3, c4)'),
        },
      ]);
      const visit = await del(`/api/visits/${v.id}`, Number((await visitRow(v.id))!.version), 'mistake');
      expect(visit.status).toBe(400);
      expect(visit.body.detail).toContain('visit M3: form labs holds values (c3, c4)');
      expect(await formRow(saved.form.id)).toBeDefined();
      expect(await visitRow(v.id)).toBeDefined();
    });

    it('a blank form (saved with no value) is deleted with its blank rows; signed or queried ones are refused', async () => {
      const v = await createVisit(server.db, actor, { subjectId, visitCode: 'M1', visitDate: '2024-02-10' });
      const blank = await saveItems(server.db, actor, {
        visitId: v.id,
        formCode: 'vital-signs',
        items: [{ itemCode: 'systolic_bp', value: null }],
      });
      const signed = await saveItems(server.db, actor, {
        visitId: v.id,
        formCode: 'medication',
        items: [{ itemCode: 'prednisone_mg_day', value: null }],
      });
      const s = await setFormStatus(
        server.db,
        actor,
        signed.form.id,
        signed.form.version,
        'signed',
        'meaning',
      );
      const refusedSigned = await del(`/api/forms/${s.id}`, s.version, 'mistake');
      expect(refusedSigned.status).toBe(400);
      expect(refusedSigned.body.errors?.[0]?.rule).toBe('form-signed');
      const queried = await saveItems(server.db, actor, {
        visitId: v.id,
        formCode: 'labs',
        items: [{ itemCode: 'c4', value: null }],
      });
      await raiseQuery(server.db, actor, {
        subjectId,
        entityType: 'form',
        entityId: queried.form.id,
        field: 'c4',
        text: 'why empty?',
      });
      const refusedQueried = await del(`/api/forms/${queried.form.id}`, queried.form.version, 'mistake');
      expect(refusedQueried.status).toBe(400);
      expect(refusedQueried.body.errors?.[0]?.rule).toBe('has-queries');
      // The visit has a queried and a signed form: refused as a whole (the first, labs), nothing deleted.
      const refusedVisit = await del(`/api/visits/${v.id}`, 1, 'mistake');
      expect(refusedVisit.body.errors?.[0]?.rule).toBe('has-queries');
      expect(refusedVisit.body.detail).toContain('visit M1: form labs has a query');
      expect(await formRow(blank.form.id)).toBeDefined();

      const before = (await deletions()).length;
      expect((await del(`/api/forms/${blank.form.id}`, blank.form.version, 'wrong form opened')).status).toBe(
        204,
      );
      expect(await formRow(blank.form.id)).toBeUndefined();
      const events = (await deletions()).slice(before);
      expect(events.map((e) => `${e.action} ${e.field} ${e.reason}`)).toEqual([
        'item.delete vital-signs.systolic_bp wrong form opened',
        'form.delete form_code wrong form opened',
      ]);
      expect((await verifyAuditChain(server.db)).ok).toBe(true);
      const data = await verifyAuditedData(server.db);
      expect(data.findings).toEqual([]);
      expect(data.ok).toBe(true);
    });

    it('a lock of the subject refuses the deletion (423)', async () => {
      const v = await createVisit(server.db, actor, { subjectId, visitCode: 'M9' });
      await createRecordLock(server.db, actor, {
        studyId,
        level: 'subject',
        subjectId,
        kind: 'freeze',
        reason: 'interim analysis',
      });
      const r = await del(`/api/visits/${v.id}`, 1, 'mistake');
      expect(r.status).toBe(423);
      expect(await visitRow(v.id)).toBeDefined();
    });
  });
