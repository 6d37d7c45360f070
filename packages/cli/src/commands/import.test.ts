// `msct import FILE --format odm` in process on a real SQLite database (issue #23): --skip-invalid
// creates nothing for rows it does not import, the dry run refuses what the write refuses, a repeat
// msct cannot hold is refused by name, and a UTF-16 file is read as UTF-16.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msctSleTrial } from '@msct/core/protocol';
import { databaseFingerprint } from '@msct/exchange/testing';
import { encoded, eventWith, foreignOdm, item } from '@msct/exchange/testing/foreign-odm';
import { createTestTrial, type TestTrial } from '@msct/server/testing';
import { createSubject, createVisit, saveItems, setFormStatus } from '@msct/store';
import { createTestDatabase, type TestDatabase } from '@msct/store/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { importCommand } from './exchange.js';
import { createStudyFromFile } from './study-definition.js';

const dir = mkdtempSync(join(tmpdir(), 'msct-import-cli-'));
const saved = process.env.MSCT_DATABASE_URL;
let t: TestDatabase;
let trial: TestTrial;
let subject = '';
let lines: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase('sqlite');
  trial = await createTestTrial(t.db, { definition: msctSleTrial });
  const s = await createSubject(
    t.db,
    { id: null, name: 'test' },
    { studyId: trial.studyId, siteId: trial.siteA },
  );
  subject = s.subject_code;
  process.env.MSCT_DATABASE_URL = t.url;
}, 30_000);
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});
afterAll(async () => {
  if (saved === undefined) delete process.env.MSCT_DATABASE_URL;
  else process.env.MSCT_DATABASE_URL = saved;
  await t?.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function msctImport(
  name: string,
  body: string | Buffer,
  flags: {
    dryRun?: boolean;
    skipInvalid?: boolean;
    skipUnmapped?: boolean;
    mapping?: string;
    study?: string;
    mapByMetadata?: boolean;
    createSubjects?: boolean;
    createSites?: boolean;
    format?: 'odm' | 'fhir';
  },
) {
  const file = join(dir, name);
  writeFileSync(file, body);
  lines = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    lines.push(a.join(' '));
  });
  await importCommand(file, { format: 'odm', ...flags });
  vi.restoreAllMocks();
  return lines.join('\n');
}

describe('msct import --format odm', () => {
  it('--skip-invalid creates no site and no subject from a file whose every row is invalid', async () => {
    const xml = foreignOdm(
      'NEW-001',
      eventWith('SE.M6', 'F.bilag', 'IG.bilag', item('I.bilag.renal', 'Q') + item('I.bilag.general', 'Z')),
      { siteRef: 'LOC.NEWSITE', adminLocation: { oid: 'LOC.NEWSITE', name: 'A new site' } },
    );
    const before = await databaseFingerprint(t.db);
    const out = await msctImport('all-invalid.xml', xml, { skipInvalid: true });
    expect(out).toContain('2 invalid rows; written: 0 entered');
    expect(await databaseFingerprint(t.db)).toBe(before);
  });

  it('the dry run lists a signed form as the write does; a repeat is refused by name', async () => {
    const s = await t.db.kysely
      .selectFrom('subjects')
      .select('id')
      .where('subject_code', '=', subject)
      .executeTakeFirstOrThrow();
    const actor = { id: trial.users.admin!.id, name: 'admin' };
    const visit = await createVisit(t.db, actor, { subjectId: s.id, visitCode: 'M3' });
    const { form } = await saveItems(t.db, actor, {
      visitId: visit.id,
      formCode: 'labs',
      items: [{ itemCode: 'c3', value: '0.8', unit: 'g/L' }],
    });
    await setFormStatus(t.db, actor, form.id, form.version, 'signed');
    const before = await databaseFingerprint(t.db);
    const signed = foreignOdm(
      subject,
      eventWith('SE.M3', 'F.labs', 'IG.labs', item('I.labs.c3', '0.9', 'MU_GL')),
    );
    for (const dryRun of [true, false]) {
      const out = await msctImport('signed.xml', signed, { dryRun });
      expect(out).toContain('row 1, column');
      expect(out).toContain('form-signed: form labs of visit M3 (cycle 1) is signed');
      expect(out).toContain('nothing written');
      expect(process.exitCode).toBe(1);
    }
    const repeats = foreignOdm(
      subject,
      eventWith('SE.M1', 'F.labs', 'IG.labs', item('I.labs.c3', '0.8', 'MU_GL'), { group: '1' }) +
        eventWith('SE.M1', 'F.labs', 'IG.labs', item('I.labs.c3', '0.9', 'MU_GL'), { group: '2' }),
    );
    const out = await msctImport('repeats.xml', repeats, {});
    expect(out).toContain(`repeat-unsupported: subject ${subject}, event SE.M1 (no repeat key), form F.labs`);
    expect(out).toContain('item group IG.labs repeat key 2');
    expect(await databaseFingerprint(t.db)).toBe(before);
  });

  it('reads a UTF-16 file (byte order mark) as UTF-16', async () => {
    const xml = foreignOdm(
      subject,
      eventWith(
        'SE.M12',
        'F.end-of-study',
        'IG.end-of-study',
        item('I.end-of-study.withdrawal_reason', '搬到北京'),
      ),
      { encoding: 'UTF-16' },
    );
    const dry = await msctImport('utf16.xml', encoded(xml, 'utf16be', true), { dryRun: true });
    expect(dry).toContain('nothing written (dry run; the import would enter 1, change 0, leave 0 unchanged)');
    const out = await msctImport('utf16.xml', encoded(xml, 'utf16be', true), {});
    expect(out).toContain('written: 1 entered');
    const v = await t.db.kysely
      .selectFrom('item_values')
      .select('value')
      .where('item_code', '=', 'withdrawal_reason')
      .executeTakeFirstOrThrow();
    expect(v.value).toBe('搬到北京');
  });

  it("--mapping maps another system's OIDs in the wide CSV format (it was ignored for ODM); --skip-unmapped lists what it leaves out", async () => {
    const xml = foreignOdm(
      subject,
      eventWith(
        'Event.month_1',
        'Form.vitals',
        'vitals.weight',
        item('weight', '150') + item('redcap_note', 'x'),
      ),
    );
    const mapping = join(dir, 'mapping.json');
    writeFileSync(
      mapping,
      JSON.stringify({
        visits: { 'Event.month_1': 'M1' },
        columns: { weight: { item: 'vital-signs.weight_kg', unit: 'lb' } },
      }),
    );
    // Without the option the unmapped item is a problem; with it, it is skipped and listed, and the
    // weight in lb (the mapping's unit) is converted to kg, the item's unit, by the core.
    const refused = await msctImport('mapped.xml', xml, { mapping, dryRun: true });
    expect(refused).toContain('/redcap_note: form-not-in-definition');
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    const out = await msctImport('mapped.xml', xml, { mapping, skipUnmapped: true });
    expect(out).toContain(
      `row 2, column ${subject}/Event.month_1/Form.vitals/vitals.weight/redcap_note: skipped: ItemOID redcap_note is not in the mapping`,
    );
    expect(out).toContain('1 values skipped (not in the mapping)');
    expect(out).toContain("1 values converted to the item's unit");
    expect(out).toContain('written: 1 entered');
    expect(process.exitCode).toBeUndefined();
    const v = await t.db.kysely
      .selectFrom('item_values')
      .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
      .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
      .select(['item_values.value', 'item_values.unit'])
      .where('visits.visit_code', '=', 'M1')
      .where('item_values.item_code', '=', 'weight_kg')
      .executeTakeFirstOrThrow();
    expect(v).toEqual({ value: '68.038856', unit: 'kg' });
  });

  it('a bad mapping is refused whole, naming its key; a file without ClinicalData is "no clinical data", exit 1', async () => {
    const mapping = join(dir, 'bad-mapping.json');
    writeFileSync(mapping, JSON.stringify({ subject: 'record_id', columns: {} }));
    const out = await msctImport('any.xml', foreignOdm(subject, ''), { mapping });
    expect(out).toContain(`--mapping ${mapping}, subject: mapping-invalid:`);
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    const metadataOnly =
      '<?xml version="1.0" encoding="UTF-8"?><ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" ODMVersion="1.3.2" FileOID="d" FileType="Snapshot" CreationDateTime="2024-01-01T00:00:00"><Study OID="S"><MetaDataVersion OID="M" Name="m"/></Study></ODM>';
    const none = await msctImport('define.xml', metadataOnly, {});
    expect(none).toContain(`no-clinical-data: no clinical data in ${join(dir, 'define.xml')}`);
    expect(none).toContain('nothing written');
    expect(process.exitCode).toBe(1);
  });
});

describe("msct study create --format odm, then msct import --map-by-metadata: another system's study whole", () => {
  it('a REDCap project export: its metadata as a study, its records as subjects, its groups as sites', async () => {
    // Repository OuhscBbmc/REDCapR, commit c2abbc19f41c07519f19f637693a63007ce67b05, path
    // inst/test-data/projects/dag/project.xml (exchange fixtures/definitions/README.md).
    const fixtures = new URL('../../../exchange/src/testing/fixtures/definitions/', import.meta.url);
    const project = readFileSync(new URL('dag/project.xml', fixtures));
    const frame = JSON.parse(readFileSync(new URL('hand-written/frame.json', fixtures), 'utf8'));
    frame.infusion.infusionVisitCodes = ['event_1_arm_1'];
    const framePath = join(dir, 'frame.json');
    writeFileSync(framePath, JSON.stringify(frame));
    const projectPath = join(dir, 'project.xml');
    writeFileSync(projectPath, project);
    const created = await createStudyFromFile(t.db, {
      definition: projectPath,
      format: 'odm',
      frame: framePath,
      code: 'REDCAP-DAG',
    });
    expect(created.errors).toEqual([]);
    const mapping = join(dir, 'dag-mapping.json');
    writeFileSync(mapping, JSON.stringify({ columns: {}, sites: { daga: 'DAG-A', dagb: 'DAG-B' } }));
    const flags = { study: 'REDCAP-DAG', mapByMetadata: true, mapping };
    const without = await msctImport('project.xml', project, flags);
    expect(without).toContain(
      'no subject "331-1" in study REDCAP-DAG: create it with --create-subjects (API createSubjects=true)',
    );
    expect(without).toContain(
      '15 ItemData: 0 imported, 0 valid but not written, 0 superseded by a later version, 0 skipped, 15 refused',
    );
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    const out = await msctImport('project.xml', project, {
      ...flags,
      createSubjects: true,
      createSites: true,
    });
    expect(out).toContain('3 subjects and 2 sites created');
    expect(out).toContain(
      '15 ItemData: 15 imported, 0 valid but not written, 0 superseded by a later version, 0 skipped, 0 refused',
    );
    expect(out).toContain('written: 15 entered');
    expect(process.exitCode).toBeUndefined();
    const subjects = await t.db.kysely
      .selectFrom('subjects')
      .innerJoin('sites', 'sites.id', 'subjects.site_id')
      .innerJoin('studies', 'studies.id', 'subjects.study_id')
      .select(['subjects.subject_code as code', 'sites.code as site'])
      .where('studies.code', '=', 'REDCAP-DAG')
      .orderBy('subjects.subject_code')
      .execute();
    expect(subjects).toEqual([
      { code: '331-1', site: 'DAG-A' },
      { code: '331-2', site: 'DAG-A' },
      { code: '332-3', site: 'DAG-B' },
    ]);
  });
});

describe('msct import --format fhir', () => {
  const observation = (loinc: string, value: number, unit: string, status = 'final') => ({
    resourceType: 'Observation',
    status,
    code: { coding: [{ system: 'http://loinc.org', code: loinc }] },
    subject: { reference: 'urn:uuid:3f1c7a52-6a39-4d5e-9b8f-0d6f1f0a2c11' },
    encounter: { reference: 'urn:uuid:9a0b2c3d-4e5f-4a6b-8c7d-1e2f3a4b5c6d' },
    effectiveDateTime: '2024-04-12T07:45:00-04:00',
    valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
  });
  const bundle = (...obs: unknown[]) =>
    JSON.stringify({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        {
          fullUrl: 'urn:uuid:3f1c7a52-6a39-4d5e-9b8f-0d6f1f0a2c11',
          resource: { resourceType: 'Patient', identifier: [{ system: 'urn:site:mrn', value: subject }] },
        },
        {
          fullUrl: 'urn:uuid:9a0b2c3d-4e5f-4a6b-8c7d-1e2f3a4b5c6d',
          resource: { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' } },
        },
        ...obs.map((resource) => ({ resource })),
      ],
    });

  it('--mapping maps the encounter to a visit; --skip-unmapped lists what it leaves out; every Observation counted', async () => {
    // Earlier tests of this file create other studies: name the trial's.
    const { code: study } = await t.db.kysely
      .selectFrom('studies')
      .select('code')
      .where('id', '=', trial.studyId)
      .executeTakeFirstOrThrow();
    const mapping = join(dir, 'fhir-mapping.json');
    writeFileSync(
      mapping,
      JSON.stringify({ encounters: { 'urn:uuid:9a0b2c3d-4e5f-4a6b-8c7d-1e2f3a4b5c6d': 'M9' } }),
    );
    const text = bundle(
      observation('718-7', 12.4, 'g/dL'),
      observation('6690-2', 5400, '/uL'),
      observation('2345-7', 92, 'mg/dL'), // glucose: no item of the study
      observation('777-3', 250, '10*3/uL', 'preliminary'),
    );
    const before = await databaseFingerprint(t.db);
    const dry = await msctImport('labs.json', text, {
      format: 'fhir',
      study,
      mapping,
      dryRun: true,
      skipUnmapped: true,
    });
    expect(await databaseFingerprint(t.db)).toBe(before);
    expect(dry).toContain('entry 4, entry[4] Observation.code: skipped:');
    expect(dry).toContain('entry 5, entry[5] Observation.status: skipped:');
    expect(dry).toContain('other resources (not imported): 1 Patient, 1 Encounter');
    expect(dry).toContain('4 Observations: 0 imported, 2 valid but not written, 2 skipped, 0 refused');
    expect(dry).toContain('the import would enter 2');
    const out = await msctImport('labs.json', text, { format: 'fhir', study, mapping, skipUnmapped: true });
    expect(out).toContain('4 Observations: 2 imported, 0 valid but not written, 2 skipped, 0 refused');
    expect(out).toContain('1 values converted');
    expect(process.exitCode).toBeUndefined();
    // Without --skip-unmapped the glucose is a problem of its entry: nothing written, exit 1.
    const refused = await msctImport('labs.json', text, { format: 'fhir', study, mapping });
    expect(refused).toContain('item-unknown');
    expect(refused).toContain('LOINC 2345-7');
    expect(process.exitCode).toBe(1);
  });

  it('a bad FHIR mapping is refused whole, naming its key (before any study is looked up)', async () => {
    const mapping = join(dir, 'bad-fhir-mapping.json');
    writeFileSync(mapping, JSON.stringify({ columns: {} }));
    const out = await msctImport('labs.json', bundle(), { format: 'fhir', mapping });
    expect(out).toContain('--mapping');
    expect(out).toContain('columns: mapping-invalid: unknown key "columns"');
    expect(process.exitCode).toBe(1);
  });
});
