// The ODM import of other systems' files (issue #23, "Mapping that works on real files"): a REDCap
// project export mapped in the wide-CSV mapping format, unmapped items skipped and listed, units
// converted by the core, every problem of the file in one report, and a file without ClinicalData
// refused as such.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOdm } from './odm-import.js';
import { resolveOdmMapping } from './odm-mapping.js';
import { exportSdtm } from './sdtm-export.js';
import {
  createEmptyStudy,
  createTestStudy,
  databaseFingerprint,
  type TestStudy,
} from './testing/test-study.js';

const REDCAP = readFileSync(
  new URL('./testing/fixtures/odm-data/redcap-arm-single-longitudinal.xml', import.meta.url),
  'utf8',
);

/** The REDCap events as msct visits, the weights (in pounds, which the file does not say) and visit dates. */
const REDCAP_MAPPING = {
  visits: { 'Event.intake_arm_1': 'D0', 'Event.dischage_arm_1': 'D7', 'Event.follow_up_arm_1': 'M1' },
  columns: {
    weight: { item: 'vital-signs.weight_kg', unit: 'lb' },
    interview_date: 'VISIT.VISIT_DATE',
  },
};

function mapping(m: unknown) {
  const r = resolveOdmMapping(m);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

describe('ODM import: mapping real files from other systems', () => {
  let t: TestDatabase;
  let study: TestStudy;
  let empty: { studyId: string; actor: TestStudy['actor'] };
  let dir: string;
  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
    study = await createTestStudy(t.db, 1);
    dir = mkdtempSync(join(tmpdir(), 'msct-odm-map-'));
    const other = await createTestDatabase('sqlite');
    // A second study in its own database: the target of the REDCap file (no subjects yet).
    empty = await createEmptyStudy(other.db);
    t2 = other;
  });
  let t2: TestDatabase;
  afterAll(async () => {
    await Promise.all([t.drop(), t2.drop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the mapping is the wide CSV format; a CSV-only key or a bad target is refused, naming it', () => {
    expect(mapping(REDCAP_MAPPING)).toEqual({
      oidMap: {
        weight: 'vital-signs.weight_kg',
        interview_date: 'VISIT.VISIT_DATE',
        'Event.intake_arm_1': 'D0',
        'Event.dischage_arm_1': 'D7',
        'Event.follow_up_arm_1': 'M1',
      },
      itemUnits: { weight: 'lb' },
      sites: {},
    });
    const bad = resolveOdmMapping({ subject: 'record_id', columns: { weight: 'weight_kg' }, visits: [] });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.problems.map((p) => [p.column, p.rule])).toEqual([
        ['subject', 'mapping-invalid'],
        ['columns.weight', 'mapping-invalid'],
        ['visits', 'mapping-invalid'],
      ]);
    expect(resolveOdmMapping('x').ok).toBe(false);
  });

  it('REDCap project export: unmapped items skipped and listed, weights converted from lb, every problem in one report', async () => {
    const before = await databaseFingerprint(t2.db);
    const m = mapping(REDCAP_MAPPING);
    const r = await importOdm(t2.db, empty.studyId, REDCAP, {
      actor: empty.actor,
      ...m,
      skipUnmapped: true,
    });
    // 41 ItemData: 9 weights, 9 visit dates (mapped); record_id ×9, collection_complete ×9 and the
    // 5 image files (ItemDataBase64Binary) are not in the mapping: 23 skipped, each listed.
    expect(r.rows).toBe(41);
    expect(r.skipped).toHaveLength(23);
    expect(new Set(r.skipped.map((s) => s.rule))).toEqual(new Set(['item-unmapped']));
    expect(r.skipped[0]).toMatchObject({
      row: 1,
      column: '1/Event.intake_arm_1[1]/Form.collection[1]/collection.record_id[1]/record_id',
    });
    expect(r.skipped.filter((s) => s.column.endsWith('/image_profile'))).toHaveLength(5);
    // Every weight was converted (11 lb = 4.989516 kg), not refused as unit-invalid …
    expect(r.unitsConverted).toBe(9);
    expect(r.problems.some((p) => p.rule === 'unit-invalid' || p.rule === 'unit-missing')).toBe(false);
    // … and each weight has both its problems in this one report: the record ids are no msct
    // subjects (the file has no SiteRef to create them at), and the converted weight is below the
    // plausible 20 kg.
    const weights = r.problems.filter((p) => p.column.endsWith('/weight'));
    expect(weights.filter((p) => p.rule === 'subject-unknown')).toHaveLength(9);
    expect(weights.filter((p) => p.rule === 'value-out-of-range')).toHaveLength(9);
    expect(weights.find((p) => p.rule === 'value-out-of-range')?.message).toContain('4.989516');
    // The 9 weights and the 9 visit dates (which have no subject to go to either).
    expect(r.invalidRows).toBe(18);
    expect(r.accounting).toEqual({
      itemData: 41,
      imported: 0,
      withheld: 0,
      superseded: 0,
      skipped: 23,
      refused: 18,
    });
    expect(r.written).toBe(false);
    expect(await databaseFingerprint(t2.db)).toBe(before);
  });

  it('without --skip-unmapped the unmapped items are problems, nothing is written', async () => {
    const r = await importOdm(t2.db, empty.studyId, REDCAP, {
      actor: empty.actor,
      ...mapping(REDCAP_MAPPING),
    });
    expect(r.skipped).toEqual([]);
    // Each record_id ItemData: its unknown subject and its unknown form (REDCap's Form.collection).
    const recordIds = r.problems.filter((p) => p.column.endsWith('/record_id'));
    expect(recordIds.filter((p) => p.rule === 'subject-unknown')).toHaveLength(9);
    expect(recordIds.filter((p) => p.rule === 'form-not-in-definition')).toHaveLength(9);
    // The image files (ItemDataBase64Binary) are refused too: far longer than a value may be.
    expect(r.problems.filter((p) => p.column.endsWith('/image_profile'))).toHaveLength(5);
    expect(r.written).toBe(false);
  });

  it("units from the file's MeasurementUnit (ItemDef MeasurementUnitRef) are converted by the core and written", async () => {
    const code = study.subjectCodes[0]!;
    const odm = `<?xml version="1.0" encoding="UTF-8"?>
<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" ODMVersion="1.3.2" FileOID="other" FileType="Snapshot" CreationDateTime="2024-02-01T00:00:00">
  <Study OID="OTHER">
    <GlobalVariables><StudyName>other</StudyName><StudyDescription>other</StudyDescription><ProtocolName>other</ProtocolName></GlobalVariables>
    <BasicDefinitions><MeasurementUnit OID="U.LB" Name="lb"><Symbol><TranslatedText>lb</TranslatedText></Symbol></MeasurementUnit></BasicDefinitions>
    <MetaDataVersion OID="MDV.1" Name="1">
      <ItemDef OID="IT.WEIGHT" Name="WEIGHT" DataType="float"><MeasurementUnitRef MeasurementUnitOID="U.LB"/></ItemDef>
      <ItemDef OID="IT.C3" Name="C3" DataType="float"><MeasurementUnitRef MeasurementUnitOID="U.LB"/><MeasurementUnitRef MeasurementUnitOID="U.GL"/></ItemDef>
    </MetaDataVersion>
  </Study>
  <ClinicalData StudyOID="OTHER" MetaDataVersionOID="MDV.1">
    <SubjectData SubjectKey="${code}">
      <StudyEventData StudyEventOID="SE.BASELINE">
        <FormData FormOID="F.VS"><ItemGroupData ItemGroupOID="IG.VS"><ItemData ItemOID="IT.WEIGHT" Value="150"/></ItemGroupData></FormData>
        <FormData FormOID="F.LAB"><ItemGroupData ItemGroupOID="IG.LAB"><ItemData ItemOID="IT.C3" Value="0.8"/></ItemGroupData></FormData>
      </StudyEventData>
    </SubjectData>
  </ClinicalData>
</ODM>`;
    const r = await importOdm(t.db, study.studyId, odm, {
      actor: study.actor,
      ...mapping({
        visits: { 'SE.BASELINE': 'D0' },
        columns: { 'IT.WEIGHT': 'vital-signs.weight_kg', 'IT.C3': 'labs.c3' },
      }),
    });
    // An ItemDef with two units says nothing about a value without one: C3's unit is missing.
    expect(r.problems.map((p) => [p.column.split('/').pop(), p.rule])).toEqual([['IT.C3', 'unit-missing']]);
    const written = await importOdm(
      t.db,
      study.studyId,
      odm.replace(/<FormData FormOID="F.LAB">.*<\/FormData>/, ''),
      {
        actor: study.actor,
        ...mapping({ visits: { 'SE.BASELINE': 'D0' }, columns: { 'IT.WEIGHT': 'vital-signs.weight_kg' } }),
      },
    );
    expect(written.problems).toEqual([]);
    expect(written).toMatchObject({ written: true, entered: 1, unitsConverted: 1 });
    const stored = await t.db.kysely
      .selectFrom('item_values')
      .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
      .select(['item_values.value', 'item_values.unit'])
      .where('form_instances.form_code', '=', 'vital-signs')
      .where('item_values.item_code', '=', 'weight_kg')
      .execute();
    // 150 lb × 0.45359237 kg/lb = 68.0388555 kg (six decimals at most).
    expect(stored).toEqual([{ value: '68.038856', unit: 'kg' }]);
  });

  it('a file without ClinicalData (Define-XML, metadata only) is refused as "no clinical data", not "0 values"', async () => {
    const out = join(dir, 'sdtm');
    await exportSdtm(t.db, study.studyId, out);
    const define = readFileSync(join(out, 'define.xml'), 'utf8');
    const r = await importOdm(t.db, study.studyId, define, { actor: study.actor, sourceName: 'define.xml' });
    expect(r.problems).toEqual([
      {
        row: 0,
        column: 'ODM/ClinicalData',
        rule: 'no-clinical-data',
        message:
          'no clinical data in define.xml: it has no ClinicalData element (metadata only, e.g. Define-XML); nothing to import',
      },
    ]);
    expect(r).toMatchObject({ invalidRows: 1, values: 0, written: false });
  });
});
