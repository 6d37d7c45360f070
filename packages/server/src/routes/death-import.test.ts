// Issue #21 "Deaths recorded once and consistently": the death-record check raises its system query
// for data arriving by CSV and ODM import too, not only by form entry — on both databases.
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
  status: string;
  text: string;
  raisedByName: string;
  entityType: string;
}

for (const dialect of TEST_DIALECTS)
  describe(`death records checked on import (${dialect})`, () => {
    let server: TestServer;
    let trial: TestTrial;
    let admin: ApiClient;
    let subjectId = '';
    let subjectCode = '';

    beforeAll(async () => {
      server = await startTestServer(dialect);
      trial = await createTestTrial(server.db, { definition: msctSleTrial });
      admin = new ApiClient(server.baseUrl);
      expect((await admin.login('admin')).status).toBe(200);
      const coordinator = new ApiClient(server.baseUrl);
      expect((await coordinator.login('coordinator')).status).toBe(200);
      const s = await coordinator.post<{ id: string; subjectCode: string }>(
        `/api/studies/${trial.studyId}/subjects`,
        { siteId: trial.siteA },
      );
      subjectId = s.body.id;
      subjectCode = s.body.subjectCode;
    }, 60_000);
    afterAll(async () => server?.close());

    const deathQueries = async () =>
      (
        await admin.get<{ queries: Listed[] }>(`/api/studies/${trial.studyId}/queries?subjectId=${subjectId}`)
      ).body.queries.filter((q) => q.text.startsWith('Automatic check, death records disagree: '));

    it('a CSV import of an end-of-study death without a fatal AE raises the system query, once', async () => {
      const body = [
        'subject,visit,form,item,value,unit',
        `${subjectCode},M12,end-of-study,status,died,`,
        `${subjectCode},M12,end-of-study,date,2026-03-01,`,
      ].join('\n');
      const r = await admin.request('POST', `/api/studies/${trial.studyId}/import.csv`, body, {
        'content-type': 'text/csv',
      });
      expect(r.status).toBe(200);
      const q = await deathQueries();
      expect(q.map((x) => x.text)).toEqual([
        'Automatic check, death records disagree: the end-of-study form records a death, but no adverse event has outcome fatal.',
      ]);
      expect(q[0]).toMatchObject({
        status: 'open',
        raisedByName: 'msct automatic check',
        entityType: 'subject',
      });
      // The same data imported again (a change of the date): no second query while it is open.
      const again = await admin.request(
        'POST',
        `/api/studies/${trial.studyId}/import.csv?reason=corrected`,
        `subject,visit,form,item,value,unit\n${subjectCode},M12,end-of-study,date,2026-03-02,\n`,
        { 'content-type': 'text/csv' },
      );
      expect(again.status).toBe(200);
      expect(await deathQueries()).toHaveLength(1);
    });

    it('an ODM import of a fatal AE without the death criterion and on another date raises its queries', async () => {
      const odm = `<?xml version="1.0" encoding="UTF-8"?>
<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" ODMVersion="1.3.2" FileType="Snapshot" FileOID="t" CreationDateTime="2026-03-05T00:00:00">
  <Study OID="S.X"><GlobalVariables><StudyName>x</StudyName><StudyDescription>x</StudyDescription><ProtocolName>x</ProtocolName></GlobalVariables></Study>
  <ClinicalData StudyOID="S.X" MetaDataVersionOID="MDV.1">
    <SubjectData SubjectKey="${subjectCode}">
      <StudyEventData StudyEventOID="SE.SUBJECT">
        <FormData FormOID="F.AE"><ItemGroupData ItemGroupOID="IG.AE" ItemGroupRepeatKey="1">
          <ItemData ItemOID="I.AE.TERM" Value="Stroke"/>
          <ItemData ItemOID="I.AE.ONSET_DATE" Value="2026-02-20"/>
          <ItemData ItemOID="I.AE.CTCAE_GRADE" Value="5"/>
          <ItemData ItemOID="I.AE.AESHOSP" Value="1"/>
          <ItemData ItemOID="I.AE.RELATEDNESS" Value="unlikely"/>
          <ItemData ItemOID="I.AE.OUTCOME" Value="fatal"/>
          <ItemData ItemOID="I.AE.DEATH_DATE" Value="2026-02-28"/>
        </ItemGroupData></FormData>
      </StudyEventData>
    </SubjectData>
  </ClinicalData>
</ODM>`;
      const r = await admin.request<Record<string, unknown>>(
        'POST',
        `/api/studies/${trial.studyId}/import.odm`,
        odm,
        { 'content-type': 'application/xml' },
      );
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ adverseEvents: { entered: 1 } });
      const texts = (await deathQueries()).filter((q) => q.status === 'open').map((q) => q.text);
      expect(texts).toHaveLength(3);
      expect(texts.join('\n')).toContain(
        '"Stroke" resulted in death but does not carry the seriousness criterion',
      );
      expect(texts.join('\n')).toContain('the end-of-study death date 2026-03-02 differs');
      // The trail explains every row the checks wrote.
      const verify = await admin.get<{ ok: boolean; data: { findings: unknown[] } }>('/api/audit/verify');
      expect(verify.body.data.findings).toEqual([]);
    });
  });
