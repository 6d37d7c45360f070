// POST /api/studies/:studyId/import.csv over the real server: who may import, the dry run, the
// problem list of a bad file (row, column, rule) with nothing written, a wide file with a mapping,
// and the limits on what is sent.
import { readFileSync } from 'node:fs';
import { msctSleTrial, validateStudyDefinition } from '@msct/core/protocol';
import { parseStudyFrame, readDefinitionFile } from '@msct/exchange';
import { databaseFingerprint } from '@msct/exchange/testing';
import { encoded, eventWith, FOREIGN_OID_MAP, foreignOdm, item } from '@msct/exchange/testing/foreign-odm';
import { createSite, createStudy, createSubject, createVisit, saveItems, setFormStatus } from '@msct/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  type TestServer,
  type TestTrial,
} from '../testing/test-server.js';

let server: TestServer;
let trial: TestTrial;
let s1 = '';
let s2 = '';

beforeAll(async () => {
  server = await startTestServer('sqlite');
  trial = await createTestTrial(server.db, { definition: msctSleTrial });
  const system = { id: null, name: 'test' };
  s1 = (await createSubject(server.db, system, { studyId: trial.studyId, siteId: trial.siteA })).subject_code;
  s2 = (await createSubject(server.db, system, { studyId: trial.studyId, siteId: trial.siteB })).subject_code;
}, 30_000);
afterAll(async () => server?.close());

async function as(username: string) {
  const c = new ApiClient(server.baseUrl);
  expect((await c.login(username)).status).toBe(200);
  return c;
}
const url = (query = '') => `/api/studies/${trial.studyId}/import.csv${query}`;
const csv = (c: ApiClient, query: string, body: string | Buffer) =>
  c.request<Record<string, unknown>>('POST', url(query), body, { 'content-type': 'text/csv' });

describe('CSV import route', () => {
  it('only a role with data.import may import; site roles and readers are refused', async () => {
    const body = `subject,visit,form,item,value,unit\n${s1},M1,labs,c3,0.8,g/L\n`;
    for (const user of ['investigator', 'coordinator', 'monitor', 'statistician', 'safety']) {
      const r = await csv(await as(user), '?dryRun=true', body);
      expect(r.status, user).toBe(403);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await csv(new ApiClient(server.baseUrl), '', body)).status).toBe(401);
  });

  it('a bad file: every problem with its row, column and rule, 422, and nothing written', async () => {
    const admin = await as('admin');
    const before = await databaseFingerprint(server.db);
    const body = [
      'subject,visit,form,item,value,unit',
      `${s1},M1,labs,c3,0.8,g/L`,
      `${s1},M1,labs,c3,0.8,`,
      `NOPE-1,M1,labs,c3,0.8,g/L`,
      `${s1},M1,labs,no_such,1,`,
    ].join('\n');
    const r = await csv(admin, '', body);
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('MSCT_E_IMPORT_INVALID');
    const report = r.body.report as {
      written: boolean;
      problems: { row: number; column: string; rule: string }[];
    };
    expect(report.written).toBe(false);
    expect(report.problems.map((p) => [p.row, p.column, p.rule])).toEqual([
      [3, 'unit', 'unit-missing'],
      [4, 'subject', 'subject-unknown'],
      [5, 'item', 'item-unknown'],
    ]);
    expect(await databaseFingerprint(server.db)).toBe(before);
  });

  it('dry run writes nothing; the import writes every value as the importing user, audited with the reason', async () => {
    const admin = await as('admin');
    const body = [
      'subject,visit,form,item,value,unit',
      `${s1},M1,labs,c3,0.8,g/L`,
      `${s2},M1,bilag,renal,C,`,
    ].join('\r\n');
    const before = await databaseFingerprint(server.db);
    const dry = await csv(admin, '?dryRun=true', body);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, written: false, rows: 2, values: 2, problems: [] });
    expect(await databaseFingerprint(server.db)).toBe(before);
    const real = await csv(admin, '?reason=migrated%20from%20REDCap', body);
    expect(real.status).toBe(200);
    expect(real.body).toMatchObject({ written: true, entered: 2, visitsCreated: 2 });
    const entered = await server.db.kysely
      .selectFrom('audit_events')
      .select(['actor_name', 'reason'])
      .where('study_id', '=', trial.studyId)
      .where('action', '=', 'item.enter')
      .execute();
    expect(entered.map((e) => e.actor_name)).toEqual(['admin', 'admin']);
    const change = `subject,visit,form,item,value,unit\n${s1},M1,labs,c3,0.9,g/L\n`;
    const changed = await csv(admin, '?reason=corrected%20at%20source', change);
    expect(changed.body).toMatchObject({ written: true, changed: 1 });
    const reason = await server.db.kysely
      .selectFrom('audit_events')
      .select('reason')
      .where('study_id', '=', trial.studyId)
      .where('action', '=', 'item.change')
      .executeTakeFirstOrThrow();
    expect(reason.reason).toBe('corrected at source');
  });

  it('a wide file through a mapping; a bad mapping is a 400 naming the field', async () => {
    const admin = await as('admin');
    const mapping = {
      subject: 'record_id',
      visit: 'redcap_event_name',
      visits: { month_3_arm_1: 'M3' },
      columns: { c3_gl: { item: 'labs.c3', unit: 'g/L' }, bilag_renal: 'bilag.renal' },
    };
    const body = `record_id,redcap_event_name,c3_gl,bilag_renal\n${s1},month_3_arm_1,1.1,D\n`;
    const q = `?format=wide&mapping=${encodeURIComponent(JSON.stringify(mapping))}`;
    const r = await csv(admin, q, body);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ written: true, entered: 2 });
    const noMap = await csv(admin, '?format=wide', body);
    expect(noMap.status).toBe(400);
    const badMap = await csv(
      admin,
      `?format=wide&mapping=${encodeURIComponent('{"columns":{"x":5}}')}`,
      body,
    );
    expect(badMap.status).toBe(400);
    expect((badMap.body.errors as { field: string }[])[0]!.field).toMatch(/^mapping\.columns\.x/);
    const notJson = await csv(admin, '?format=wide&mapping=%7Bnope', body);
    expect(notJson.status).toBe(400);
  });

  it('refuses other media types and unknown studies', async () => {
    const admin = await as('admin');
    const json = await admin.post(url(), { csv: 'x' });
    expect(json.status).toBe(415);
    const unknown = await admin.request(
      'POST',
      '/api/studies/00000000-0000-7000-8000-000000000000/import.csv',
      'a\n',
      { 'content-type': 'text/csv' },
    );
    expect(unknown.status).toBe(404);
  });

  it('imports ODM from another system through an OID map; a bad value is a 422 naming ItemData and rule', async () => {
    const admin = await as('admin');
    const odm = (renal: string) => `<?xml version="1.0"?>
<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" ODMVersion="1.3.2" FileType="Snapshot" FileOID="x" CreationDateTime="2024-01-01T00:00:00">
  <Study OID="OTHER"><GlobalVariables><StudyName>x</StudyName><StudyDescription>x</StudyDescription><ProtocolName>x</ProtocolName></GlobalVariables>
    <BasicDefinitions><MeasurementUnit OID="U1" Name="g/L"><Symbol><TranslatedText>g/L</TranslatedText></Symbol></MeasurementUnit></BasicDefinitions>
  </Study>
  <ClinicalData StudyOID="OTHER" MetaDataVersionOID="v1">
    <SubjectData SubjectKey="${s2}">
      <StudyEventData StudyEventOID="EV_MONTH9">
        <FormData FormOID="LAB"><ItemGroupData ItemGroupOID="LAB_IG">
          <ItemData ItemOID="C3" Value="0.95"><MeasurementUnitRef MeasurementUnitOID="U1"/></ItemData>
          <ItemData ItemOID="BILAG_REN" Value="${renal}"/>
        </ItemGroupData></FormData>
      </StudyEventData>
    </SubjectData>
  </ClinicalData>
</ODM>`;
    const oidMap = encodeURIComponent(
      JSON.stringify({ EV_MONTH9: 'M9', C3: 'labs.c3', BILAG_REN: 'bilag.renal' }),
    );
    const post = (query: string, body: string) =>
      admin.request<Record<string, unknown>>(
        'POST',
        `/api/studies/${trial.studyId}/import.odm${query}`,
        body,
        {
          'content-type': 'application/xml',
        },
      );
    const before = await databaseFingerprint(server.db);
    const bad = await post(`?oidMap=${oidMap}`, odm('Q'));
    expect(bad.status).toBe(422);
    const report = bad.body.report as { problems: { row: number; column: string; rule: string }[] };
    expect(report.problems).toMatchObject([{ row: 2, rule: 'code-invalid' }]);
    expect(report.problems[0]!.column).toContain('BILAG_REN');
    expect(await databaseFingerprint(server.db)).toBe(before);
    const dry = await post(`?dryRun=true&oidMap=${oidMap}`, odm('B'));
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, written: false, problems: [] });
    expect(await databaseFingerprint(server.db)).toBe(before);
    const ok = await post(`?oidMap=${oidMap}&reason=from%20the%20site%20EDC`, odm('B'));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ written: true, entered: 2, visitsCreated: 1, subjectsCreated: 0 });
    const doctype = await post('', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><ODM/>');
    expect(doctype.status).toBe(422);
    expect(JSON.stringify(doctype.body)).toMatch(/DOCTYPE/i);
    const badMap = await post('?oidMap=%5B1%5D', odm('B'));
    expect(badMap.status).toBe(400);
    // The CLI's mapping file format (issue #23): a CSV-only key is a 400 naming it.
    const csvKey = await post(
      `?mapping=${encodeURIComponent(JSON.stringify({ subject: 'x', columns: {} }))}`,
      odm('B'),
    );
    expect(csvKey.status).toBe(400);
    expect(JSON.stringify(csvKey.body)).toContain('mapping.subject');
    // With it, an item the mapping leaves out is skipped and listed (skipUnmapped), not a problem.
    const mapping = encodeURIComponent(
      JSON.stringify({ visits: { EV_MONTH9: 'M9' }, columns: { C3: { item: 'labs.c3', unit: 'g/L' } } }),
    );
    const skipped = await post(`?dryRun=true&skipUnmapped=true&mapping=${mapping}`, odm('B'));
    expect(skipped.status).toBe(200);
    expect(skipped.body).toMatchObject({
      problems: [],
      skipped: [{ row: 2, rule: 'item-unmapped' }],
      unitsConverted: 0,
    });
    for (const user of ['investigator', 'monitor', 'statistician'])
      expect(
        (
          await (
            await as(user)
          ).request('POST', `/api/studies/${trial.studyId}/import.odm`, odm('B'), {
            'content-type': 'application/xml',
          })
        ).status,
        user,
      ).toBe(403);
  });
});

describe('ODM and CSV import routes lose and bend nothing (issue #23)', () => {
  const odmPost = (c: ApiClient, query: string, body: string | Buffer) =>
    c.request<Record<string, unknown>>('POST', `/api/studies/${trial.studyId}/import.odm${query}`, body, {
      'content-type': 'application/xml',
    });
  const map = encodeURIComponent(JSON.stringify(FOREIGN_OID_MAP));

  it('the dry run refuses a signed form as the write does: 200 with the problem, then 422, nothing written', async () => {
    const admin = await as('admin');
    const subject = await server.db.kysely
      .selectFrom('subjects')
      .select('id')
      .where('subject_code', '=', s1)
      .executeTakeFirstOrThrow();
    const actor = { id: trial.users.admin!.id, name: 'admin' };
    const visit = await createVisit(server.db, actor, { subjectId: subject.id, visitCode: 'M6' });
    const { form } = await saveItems(server.db, actor, {
      visitId: visit.id,
      formCode: 'labs',
      items: [{ itemCode: 'c3', value: '0.8', unit: 'g/L' }],
    });
    await setFormStatus(server.db, actor, form.id, form.version, 'signed');
    const before = await databaseFingerprint(server.db);
    const xml = foreignOdm(s1, eventWith('SE_M6', 'F_LAB', 'IG_LAB', item('I_C3', '0.9', 'MU_GL')));
    const dry = await odmPost(admin, `?dryRun=true&oidMap=${map}`, xml);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ written: false, problems: [{ row: 1, rule: 'form-signed' }] });
    const real = await odmPost(admin, `?oidMap=${map}`, xml);
    expect(real.status).toBe(422);
    expect((real.body.report as { problems: unknown[] }).problems).toMatchObject([{ rule: 'form-signed' }]);
    const body = `subject,visit,form,item,value,unit\n${s1},M6,labs,c3,0.9,g/L\n`;
    const csvDry = await csv(admin, '?dryRun=true', body);
    expect(csvDry.status).toBe(200);
    expect(csvDry.body).toMatchObject({ problems: [{ row: 2, rule: 'form-signed' }] });
    expect((await csv(admin, '', body)).status).toBe(422);
    expect(await databaseFingerprint(server.db)).toBe(before);
  });

  it('repeats are refused by name, a UTF-16 file is read, undecodable CSV bytes are refused', async () => {
    const admin = await as('admin');
    const before = await databaseFingerprint(server.db);
    const repeats = foreignOdm(
      s2,
      eventWith('SE_M9', 'F_LAB', 'IG_LAB', item('I_C3', '0.8', 'MU_GL'), { group: '1' }) +
        eventWith('SE_M9', 'F_LAB', 'IG_LAB', item('I_C3', '0.9', 'MU_GL'), { group: '2' }),
    );
    const refused = await odmPost(admin, `?oidMap=${map}&skipInvalid=true`, repeats);
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ entered: 0, invalidRows: 2 });
    expect((refused.body.problems as { rule: string }[]).map((p) => p.rule)).toEqual([
      'repeat-unsupported',
      'repeat-unsupported',
    ]);
    const latin = Buffer.from(
      `subject,visit,form,item,value,unit\n${s2},M12,end-of-study,withdrawal_reason,Zürich,\n`,
      'latin1',
    );
    const bad = await csv(admin, '?skipInvalid=true', latin);
    expect(bad.status).toBe(422);
    expect((bad.body.report as { problems: unknown[] }).problems).toMatchObject([
      { row: 2, rule: 'encoding-invalid' },
    ]);
    expect(await databaseFingerprint(server.db)).toBe(before);
    const utf16 = encoded(
      foreignOdm(s2, eventWith('SE_M12', 'F_EOS', 'IG_EOS', item('I_WDR', '搬到北京')), {
        encoding: 'UTF-16',
      }),
      'utf16le',
      true,
    );
    const ok = await odmPost(admin, `?oidMap=${map}`, utf16);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ written: true, entered: 1 });
  });
});

describe("another system's study over the API (issue #23): its metadata as a study, then its data", () => {
  it('mapByMetadata, createSubjects and createSites import every ItemData of a REDCap project export', async () => {
    // Repository OuhscBbmc/REDCapR, commit c2abbc19f41c07519f19f637693a63007ce67b05, path
    // inst/test-data/projects/dag/project.xml (exchange fixtures/definitions/README.md).
    const fixtures = new URL('../../../exchange/src/testing/fixtures/definitions/', import.meta.url);
    const file = readFileSync(new URL('dag/project.xml', fixtures));
    const frame = parseStudyFrame(readFileSync(new URL('hand-written/frame.json', fixtures), 'utf8'));
    const converted = await readDefinitionFile({
      format: 'odm',
      file,
      frame: { ...frame, infusion: { ...frame.infusion!, infusionVisitCodes: ['event_1_arm_1'] } },
    });
    const v = validateStudyDefinition(converted.definition);
    if (!v.ok) throw new Error(converted.problems.join('; '));
    const system = { id: null, name: 'test' };
    const study = await createStudy(server.db, system, {
      code: 'REDCAP-DAG',
      title: 'dag',
      definition: v.value,
    });
    await createSite(server.db, system, { studyId: study.id, code: 'A', name: 'Group A' });
    const admin = await as('admin');
    const post = (query: string) =>
      admin.request<Record<string, unknown>>('POST', `/api/studies/${study.id}/import.odm${query}`, file, {
        'content-type': 'application/xml',
      });
    const mapping = encodeURIComponent(JSON.stringify({ columns: {}, sites: { daga: 'A' } }));
    // Without createSubjects: 422, every ItemData refused with the way to create the subjects.
    const refused = await post(`?mapByMetadata=true&mapping=${mapping}`);
    expect(refused.status).toBe(422);
    const report = refused.body.report as { accounting: unknown; problems: { message: string }[] };
    expect(report.accounting).toMatchObject({ itemData: 15, refused: 15 });
    expect(report.problems[0]!.message).toContain('--create-subjects (API createSubjects=true)');
    const ok = await post(`?mapByMetadata=true&createSubjects=true&createSites=true&mapping=${mapping}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      written: true,
      subjectsCreated: 3,
      sitesCreated: 1,
      entered: 15,
      accounting: { itemData: 15, imported: 15, withheld: 0, superseded: 0, skipped: 0, refused: 0 },
    });
    // A file without metadata cannot be mapped by it.
    const bare = await admin.request<Record<string, unknown>>(
      'POST',
      `/api/studies/${study.id}/import.odm?mapByMetadata=true`,
      '<?xml version="1.0"?><ODM xmlns="http://www.cdisc.org/ns/odm/v1.3"><ClinicalData StudyOID="x" MetaDataVersionOID="y"/></ODM>',
      { 'content-type': 'application/xml' },
    );
    expect(bare.status).toBe(400);
    expect(JSON.stringify(bare.body)).toContain('mapByMetadata');
  });
});

describe('FHIR R4 lab import route (issue #23)', () => {
  const fhir = (c: ApiClient, query: string, body: string, type = 'application/fhir+json') =>
    c.request<Record<string, unknown>>('POST', `/api/studies/${trial.studyId}/import.fhir${query}`, body, {
      'content-type': type,
    });
  const haemoglobin = (subject: string, value: unknown) => ({
    resourceType: 'Observation',
    status: 'final',
    code: {
      coding: [{ system: 'http://loinc.org', code: '718-7', display: 'Hemoglobin [Mass/volume] in Blood' }],
    },
    subject: { identifier: { system: 'urn:msct:subject', value: subject } },
    encounter: { identifier: { system: 'urn:lab:visit', value: 'V1' } },
    effectiveDateTime: '2024-02-09T08:00:00Z',
    valueQuantity: { value, unit: 'g/dL', system: 'http://unitsofmeasure.org', code: 'g/dL' },
  });
  const bundleOf = (...observations: unknown[]) =>
    JSON.stringify({
      resourceType: 'Bundle',
      type: 'collection',
      entry: observations.map((resource) => ({ resource })),
    });
  const mapping = encodeURIComponent(JSON.stringify({ encounters: { 'urn:lab:visit|V1': 'M1' } }));

  it('checks, refuses and imports a Bundle through the mapping, as the CLI does', async () => {
    const admin = await as('admin');
    const before = await databaseFingerprint(server.db);
    // A value the validator refuses (a string for a decimal): 422 with the whole report, nothing written.
    const bad = await fhir(
      admin,
      `?mapping=${mapping}`,
      bundleOf(haemoglobin(s1, 11.8), haemoglobin(s2, '12,9')),
    );
    expect(bad.status).toBe(422);
    const report = (
      bad.body as { report: { problems: { row: number; rule: string }[]; accounting: unknown } }
    ).report;
    expect(report.problems.map((p) => [p.row, p.rule])).toEqual([[2, 'fhir-invalid']]);
    expect(report.accounting).toEqual({ observations: 2, imported: 0, withheld: 1, skipped: 0, refused: 1 });
    expect(await databaseFingerprint(server.db)).toBe(before);
    // Without the encounter mapping, a subject without day 0 has no visit windows: refused, named.
    const unanchored = await fhir(admin, '?dryRun=true', bundleOf(haemoglobin(s1, 11.8)));
    expect(unanchored.status).toBe(200);
    expect((unanchored.body as { problems: { rule: string }[] }).problems[0]!.rule).toBe('visit-unassigned');
    const ok = await fhir(
      admin,
      `?mapping=${mapping}&reason=lab%20transfer`,
      bundleOf(haemoglobin(s1, 11.8)),
    );
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ written: true, entered: 1 });
    const stored = await server.db.kysely
      .selectFrom('item_values')
      .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
      .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
      .innerJoin('subjects', 'subjects.id', 'visits.subject_id')
      .select(['item_values.value', 'item_values.unit'])
      .where('subjects.subject_code', '=', s1)
      .where('visits.visit_code', '=', 'M1')
      .where('item_values.item_code', '=', 'haemoglobin')
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ value: '11.8', unit: 'g/dL' });
  });

  it('refuses a bad mapping (400), other media types (415) and site roles (403)', async () => {
    const admin = await as('admin');
    const bad = await fhir(admin, `?mapping=${encodeURIComponent('{"loinc":{"718-7":"x"}}')}`, bundleOf());
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('mapping.loinc.718-7');
    expect((await fhir(admin, '', bundleOf(), 'text/plain')).status).toBe(415);
    expect((await fhir(await as('investigator'), '?dryRun=true', bundleOf())).status).toBe(403);
  });
});
