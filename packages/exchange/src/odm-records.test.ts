// ODM with infusions and adverse events, on both databases: the export carries them (XSD-valid,
// de-identified for the statistician), the import of msct's own file brings them back through the
// store's repositories (round trip), and every class of bad input is named by row, path and rule
// with the database left as it was.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  createSubjectRecord,
  type Db,
  listSubjectRecords,
  updateSubjectRecord,
  verifyAuditChain,
} from '@msct/store';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@msct/store/testing';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOdm } from './odm-import.js';
import { readOdm } from './odm-reader.js';
import {
  createEmptyStudy,
  createTestStudy,
  databaseFingerprint,
  exportToFile,
  type TestStudy,
  xsdErrors,
} from './testing/test-study.js';

/** Two infusions (one corrected with a reason) and an AE linked to the second for subject 1; a fatal AE for subject 2. */
async function addSafetyRecords(db: Db, study: TestStudy) {
  const subjects = await db.kysely
    .selectFrom('subjects')
    .select(['id', 'subject_code'])
    .where('study_id', '=', study.studyId)
    .orderBy('subject_code')
    .execute();
  const [s1, s2] = subjects;
  const infusion = (n: number) => ({
    cycle: 1,
    infusion_number: n,
    planned_date: `2024-01-${n === 1 ? '10' : '17'}`,
    started_at: `2024-01-${n === 1 ? '10' : '17'}T09:00:00.000Z`,
    ended_at: `2024-01-${n === 1 ? '10' : '17'}T09:45:00.000Z`,
    product_lot: `UC-2024-00${n}`,
    total_cells: 60_000_000,
    viability_pct: 95.5,
    volume_ml: 100,
    weight_kg: 60,
    vitals_json: JSON.stringify({ before: { hr: 72 } }),
    reactions: n === 2 ? 'fever 38.2 after infusion, seen by Dr Smith' : null,
    status: 'given',
  });
  await createSubjectRecord(db, study.actor, 'infusions', s1!.id, infusion(1));
  const second = await createSubjectRecord(db, study.actor, 'infusions', s1!.id, infusion(2));
  await updateSubjectRecord(
    db,
    study.actor,
    'infusions',
    second.id,
    1,
    { viability_pct: 93 },
    'viability from the release certificate',
  );
  await createSubjectRecord(db, study.actor, 'adverse_events', s1!.id, {
    term: 'Fever',
    onset_date: '2024-01-17',
    resolution_date: '2024-01-19',
    ctcae_grade: 2,
    serious: 1,
    seriousness_json: JSON.stringify(['hospitalisation']),
    relatedness: 'possible',
    action_taken: 'paracetamol',
    outcome: 'recovered',
    infusion_id: second.id,
    death_date: null,
    death_cause: null,
  });
  await createSubjectRecord(db, study.actor, 'adverse_events', s2!.id, {
    term: 'Pulmonary infection',
    onset_date: '2024-06-01',
    resolution_date: null,
    ctcae_grade: 5,
    serious: 1,
    seriousness_json: JSON.stringify(['hospitalisation', 'death']),
    relatedness: 'unlikely',
    action_taken: null,
    outcome: 'fatal',
    infusion_id: null,
    death_date: '2024-06-20',
    death_cause: 'sepsis, at Drum Tower Hospital',
    // The SAE detail (migration 010) travels in the ODM too (issue #21).
    serious_date: '2024-06-02',
    site_aware_at: '2024-06-02T08:00:00.000Z',
    sponsor_notified_at: '2024-06-03T10:30:00.000Z',
    reported_date: '2024-06-09',
    narrative: 'Admitted with fever and dyspnoea; died of sepsis despite antibiotics.',
    sponsor_relatedness: 'unlikely',
    expectedness: 'unexpected',
  });
  return { s1: s1!, s2: s2! };
}

/** A study's infusions and AEs as comparable text (no ids or instants of creation). */
async function safetyRows(db: Db, studyId: string): Promise<string[]> {
  const subjects = await db.kysely
    .selectFrom('subjects')
    .select(['id', 'subject_code'])
    .where('study_id', '=', studyId)
    .execute();
  const out: string[] = [];
  for (const s of subjects) {
    const infusions = await listSubjectRecords(db, 'infusions', s.id);
    const byId = new Map(infusions.map((i) => [i.id, `${i.cycle}.${i.infusion_number}`]));
    for (const { id: _i, subject_id: _s, created_at: _c, version: _v, ...rest } of infusions)
      out.push(`${s.subject_code} infusion ${JSON.stringify(rest, numbers)}`);
    for (const a of await listSubjectRecords(db, 'adverse_events', s.id)) {
      const { id: _i, subject_id: _s, created_at: _c, version: _v, infusion_id, ...rest } = a;
      // The ICH E2A criteria are a set: the import writes them in the criteria's order.
      rest.seriousness_json = JSON.stringify((JSON.parse(rest.seriousness_json) as string[]).sort());
      out.push(
        `${s.subject_code} ae ${JSON.stringify(rest, numbers)} linked=${infusion_id ? byId.get(infusion_id) : '-'}`,
      );
    }
  }
  return out.sort();
}
/** PostgreSQL returns some numeric columns as strings: compare numbers as numbers. */
const numbers = (_k: string, v: unknown) =>
  typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;

/** ClinicalData as `subject|event|form|group[repeat]|item = value`, last version of each. */
function clinicalValues(xml: string): string[] {
  const odm = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (n) => ['SubjectData', 'StudyEventData', 'FormData', 'ItemGroupData', 'ItemData'].includes(n),
  }).parse(xml).ODM;
  const out = new Map<string, string>();
  for (const sd of odm.ClinicalData.SubjectData)
    for (const se of sd.StudyEventData ?? [])
      for (const fd of se.FormData ?? [])
        for (const ig of fd.ItemGroupData ?? [])
          for (const id of ig.ItemData ?? [])
            out.set(
              `${sd.SubjectKey}|${se.StudyEventOID}[${se.StudyEventRepeatKey ?? ''}]|${ig.ItemGroupOID}[${ig.ItemGroupRepeatKey ?? ''}]|${id.ItemOID}`,
              `${id.Value ?? 'null'} ${id.MeasurementUnitRef?.MeasurementUnitOID ?? ''}`,
            );
  return [...out].map(([k, v]) => `${k} = ${v}`).sort();
}

const odm = (body: string, prolog = '') => `<?xml version="1.0" encoding="UTF-8"?>${prolog}
<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" ODMVersion="1.3.2" FileType="Snapshot" FileOID="t" CreationDateTime="2024-01-01T00:00:00">
  <Study OID="S.MSCT-SLE">
    <GlobalVariables><StudyName>x</StudyName><StudyDescription>x</StudyDescription><ProtocolName>x</ProtocolName></GlobalVariables>
    <BasicDefinitions><MeasurementUnit OID="MU.1" Name="g/L"><Symbol><TranslatedText>g/L</TranslatedText></Symbol></MeasurementUnit></BasicDefinitions>
  </Study>
  <ClinicalData StudyOID="S.MSCT-SLE" MetaDataVersionOID="MDV.1">
${body}
  </ClinicalData>
</ODM>`;

for (const dialect of TEST_DIALECTS)
  describe(`ODM infusions, adverse events and import errors on ${dialect}`, () => {
    let a: TestDatabase;
    let b: TestDatabase;
    let study: TestStudy;
    let dir: string;
    let s1: string;
    beforeAll(async () => {
      [a, b] = await Promise.all([createTestDatabase(dialect), createTestDatabase(dialect)]);
      study = await createTestStudy(a.db);
      s1 = (await addSafetyRecords(a.db, study)).s1.subject_code;
      dir = mkdtempSync(join(tmpdir(), 'msct-odm-rec-'));
    });
    afterAll(async () => {
      await Promise.all([a.drop(), b.drop()]);
      rmSync(dir, { recursive: true, force: true });
    });

    it('exports infusions and adverse events as repeating item groups, XSD-valid', async () => {
      const file = join(dir, 'full.xml');
      const report = await exportToFile(a, study.studyId, file);
      expect(report).toMatchObject({ infusions: 2, adverseEvents: 2 });
      expect(xsdErrors(file)).toBe('');
      const xml = readFileSync(file, 'utf8');
      expect(xml).toContain('<ItemGroupDef OID="IG.INFUSION" Name="MSC infusion" Repeating="Yes">');
      expect(xml).toContain('<FormRef FormOID="F.AE" OrderNumber="3" Mandatory="No"/>');
      expect(xml).toMatch(/<ItemDef OID="I\.INFUSION\.STARTED_AT" [^>]*DataType="datetime"/);
      expect(xml).toContain('<CodeList OID="CL.AE.RELATEDNESS" Name="AE.RELATEDNESS" DataType="text">');
      expect(xml).toContain('<ItemGroupData ItemGroupOID="IG.INFUSION" ItemGroupRepeatKey="2">');
      expect(xml).toContain('<ReasonForChange>viability from the release certificate</ReasonForChange>');
      expect(xml).toContain('<ItemData ItemOID="I.INFUSION.VIABILITY_PCT" Value="93"/>');
      expect(xml).toContain('<ItemData ItemOID="I.INFUSION.CELLS_PER_KG" Value="1000000"/>');
      expect(xml).toContain('<ItemData ItemOID="I.AE.AESHOSP" Value="1"/>');
      expect(xml).toContain('<ItemData ItemOID="I.AE.AESDTH" Value="1"/>');
      expect(xml).toContain('<ItemData ItemOID="I.AE.INFUSION_NUMBER" Value="2"/>');
      expect(xml).toContain('<ItemData ItemOID="I.AE.DEATH_CAUSE" Value="sepsis, at Drum Tower Hospital"/>');
      // The SAE detail: dates, narrative, the sponsor's causality and expectedness.
      expect(xml).toContain('<ItemData ItemOID="I.AE.SERIOUS_DATE" Value="2024-06-02"/>');
      expect(xml).toContain('<ItemData ItemOID="I.AE.SITE_AWARE_AT" Value="2024-06-02T08:00:00.000Z"/>');
      expect(xml).toContain(
        '<ItemData ItemOID="I.AE.SPONSOR_NOTIFIED_AT" Value="2024-06-03T10:30:00.000Z"/>',
      );
      expect(xml).toContain('<ItemData ItemOID="I.AE.REPORTED_DATE" Value="2024-06-09"/>');
      expect(xml).toContain('<ItemData ItemOID="I.AE.SPONSOR_RELATEDNESS" Value="unlikely"/>');
      expect(xml).toContain('<ItemData ItemOID="I.AE.EXPECTEDNESS" Value="unexpected"/>');
      expect(xml).toContain('I.AE.NARRATIVE" Value="Admitted with fever and dyspnoea;');
      expect(xml).toMatch(/<ItemDef OID="I\.AE\.SITE_AWARE_AT" [^>]*DataType="datetime"/);
    });

    it('de-identifies them: study days, no instants, no free text, the AE term kept', async () => {
      const file = join(dir, 'deid.xml');
      await exportToFile(a, study.studyId, file, { pseudonymise: true, shiftDates: 'study-day' });
      expect(xsdErrors(file)).toBe('');
      const xml = readFileSync(file, 'utf8');
      expect(xml).not.toContain('Dr Smith');
      expect(xml).not.toContain('Drum Tower Hospital"/>');
      expect(xml).not.toContain('I.INFUSION.STARTED_AT');
      expect(xml).not.toContain('I.AE.DEATH_CAUSE');
      expect(xml).not.toContain('I.AE.NARRATIVE');
      expect(xml).not.toContain('I.AE.SITE_AWARE_AT');
      expect(xml).toContain('<ItemData ItemOID="I.AE.REPORTED_DATE" Value="151"/>');
      expect(xml).toContain('<ItemData ItemOID="I.AE.TERM" Value="Fever"/>');
      expect(xml).toContain('<ItemData ItemOID="I.AE.ONSET_DATE" Value="7"/>');
      expect(xml).toContain('<ItemData ItemOID="I.INFUSION.PLANNED_DATE" Value="0"/>');
    });

    it('round-trips them from a one-shot stream: same clinical data, same infusions and AEs, then unchanged', async () => {
      const first = join(dir, 'first.xml');
      await exportToFile(a, study.studyId, first);
      const target = await createEmptyStudy(b.db);
      const r = await importOdm(b.db, target.studyId, Readable.from([readFileSync(first)]), {
        actor: target.actor,
      });
      expect(r.problems).toEqual([]);
      expect(r).toMatchObject({
        written: true,
        infusions: { entered: 2, changed: 0 },
        adverseEvents: { entered: 2, changed: 0 },
      });
      const second = join(dir, 'second.xml');
      await exportToFile(b, target.studyId, second);
      const x = clinicalValues(readFileSync(first, 'utf8'));
      expect(x.filter((v) => v.includes('IG.INFUSION') || v.includes('IG.AE')).length).toBeGreaterThan(30);
      expect(clinicalValues(readFileSync(second, 'utf8'))).toEqual(x);
      const rows = await safetyRows(a.db, study.studyId);
      expect(rows).toHaveLength(4);
      expect(await safetyRows(b.db, target.studyId)).toEqual(rows);
      expect((await verifyAuditChain(b.db)).ok).toBe(true);

      const before = await databaseFingerprint(b.db);
      const again = await importOdm(b.db, target.studyId, () => Readable.from([readFileSync(second)]), {
        actor: target.actor,
      });
      expect(again).toMatchObject({
        written: true,
        entered: 0,
        changed: 0,
        infusions: { entered: 0, changed: 0, unchanged: 2 },
        adverseEvents: { entered: 0, changed: 0, unchanged: 2 },
      });
      expect(await databaseFingerprint(b.db)).toBe(before);
    });

    it('names row, ODM path and rule for each class of bad value, and writes nothing', async () => {
      const before = await databaseFingerprint(a.db);
      const xml = odm(`
    <SubjectData SubjectKey="${s1}">
      <StudyEventData StudyEventOID="SE.M6" StudyEventRepeatKey="1">
        <FormData FormOID="F.labs"><ItemGroupData ItemGroupOID="IG.labs">
          <ItemData ItemOID="I.labs.creatinine" Value="90"><MeasurementUnitRef MeasurementUnitOID="MU.X"/></ItemData>
          <ItemData ItemOID="I.labs.no_such_item" Value="1"/>
          <ItemData ItemOID="I.labs.albumin" Value="abc"><MeasurementUnitRef MeasurementUnitOID="MU.1"/></ItemData>
          <ItemData ItemOID="I.nosuchform.x" Value="1"/>
        </ItemGroupData></FormData>
      </StudyEventData>
      <StudyEventData StudyEventOID="SE.M99" StudyEventRepeatKey="1">
        <FormData FormOID="F.bilag"><ItemGroupData ItemGroupOID="IG.bilag">
          <ItemData ItemOID="I.bilag.renal" Value="A"/>
        </ItemGroupData></FormData>
      </StudyEventData>
      <StudyEventData StudyEventOID="SE.SUBJECT">
        <FormData FormOID="F.AE"><ItemGroupData ItemGroupOID="IG.AE" ItemGroupRepeatKey="1">
          <ItemData ItemOID="I.AE.ONSET_DATE" Value="2024-02-30"/>
          <ItemData ItemOID="I.AE.CTCAE_GRADE" Value="7"/>
          <ItemData ItemOID="I.AE.RELATEDNESS" Value="maybe"/>
        </ItemGroupData></FormData>
        <FormData FormOID="F.INFUSION"><ItemGroupData ItemGroupOID="IG.INFUSION" ItemGroupRepeatKey="1">
          <ItemData ItemOID="I.INFUSION.CYCLE" Value="1"/>
          <ItemData ItemOID="I.INFUSION.INFUSION_NUMBER" Value="3"/>
          <ItemData ItemOID="I.INFUSION.STARTED_AT" Value="yesterday"/>
        </ItemGroupData></FormData>
      </StudyEventData>
    </SubjectData>
    <SubjectData SubjectKey="NOPE-999">
      <StudyEventData StudyEventOID="SE.M6" StudyEventRepeatKey="1">
        <FormData FormOID="F.labs"><ItemGroupData ItemGroupOID="IG.labs">
          <ItemData ItemOID="I.labs.albumin" Value="35"><MeasurementUnitRef MeasurementUnitOID="MU.1"/></ItemData>
        </ItemGroupData></FormData>
      </StudyEventData>
    </SubjectData>`);
      const r = await importOdm(a.db, study.studyId, xml, { actor: study.actor });
      expect(r.written).toBe(false);
      expect(r.rows).toBe(12);
      expect(r.problems.map((p) => [p.row, p.rule])).toEqual([
        [1, 'unit-invalid'],
        [2, 'item-unknown'],
        [3, 'value-invalid'],
        [4, 'form-not-in-definition'],
        [5, 'visit-not-in-schedule'],
        [6, 'value-invalid'],
        [7, 'value-out-of-range'],
        [8, 'code-invalid'],
        [6, 'value-invalid'], // the AE has no term
        [11, 'value-invalid'],
        [12, 'subject-unknown'],
      ]);
      expect(r.invalidRows).toBe(10);
      expect(r.problems[1]!.column).toBe(`${s1}/SE.M6[1]/F.labs/IG.labs/I.labs.no_such_item`);
      expect(r.problems[6]!.column).toBe(`${s1}/SE.SUBJECT/F.AE/IG.AE[1]/I.AE.CTCAE_GRADE`);
      expect(r.problems[8]).toMatchObject({
        column: `${s1}/SE.SUBJECT/F.AE/IG.AE[1]`,
        message: 'Adverse event: Reported term is required',
      });
      expect(r.problems[9]!.message).toContain('not an instant');
      expect(await databaseFingerprint(a.db)).toBe(before);
    });

    it('refuses malformed XML, a DOCTYPE and undefined entities with their position, writing nothing', async () => {
      const before = await databaseFingerprint(a.db);
      const value = (v: string) => `
    <SubjectData SubjectKey="${s1}"><StudyEventData StudyEventOID="SE.M6" StudyEventRepeatKey="1">
      <FormData FormOID="F.medication"><ItemGroupData ItemGroupOID="IG.medication">
        <ItemData ItemOID="I.medication.other_immunosuppressant" Value="${v}"/>
      </ItemGroupData></FormData></StudyEventData></SubjectData>`;
      const cases: [string, RegExp][] = [
        [odm(value('ok')).replace('</ODM>', ''), /malformed XML/],
        [odm(value('ok')).replace('</FormData>', '</Form>'), /malformed XML/],
        [odm(value('&xxe;'), '\n<!DOCTYPE ODM [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'), /DOCTYPE/],
        [odm(value('x'), '\n<!DOCTYPE ODM SYSTEM "http://example.org/odm.dtd">'), /DOCTYPE/],
        [odm(value('&xxe;')), /malformed XML: undefined entity/],
      ];
      for (const [xml, message] of cases) {
        const r = await importOdm(a.db, study.studyId, xml, { actor: study.actor });
        expect(r.written).toBe(false);
        expect(r.problems).toHaveLength(1);
        expect(r.problems[0]).toMatchObject({
          rule: 'row-malformed',
          message: expect.stringMatching(message),
        });
        expect(r.problems[0]!.column).toMatch(/^line \d+, column \d+$/);
      }
      const notOdm = await importOdm(a.db, study.studyId, '<foo/>', { actor: study.actor });
      expect(notOdm.problems).toMatchObject([
        { rule: 'row-malformed', message: 'the file has no ODM root element' },
      ]);
      expect(await databaseFingerprint(a.db)).toBe(before);
    });

    it('refuses a file that changed between the check and the write, writing nothing', async () => {
      const before = await databaseFingerprint(a.db);
      const file = (v: string) =>
        odm(`<SubjectData SubjectKey="${s1}"><StudyEventData StudyEventOID="SE.M6" StudyEventRepeatKey="1">
          <FormData FormOID="F.medication"><ItemGroupData ItemGroupOID="IG.medication">
          <ItemData ItemOID="I.medication.other_immunosuppressant" Value="${v}"/>
          </ItemGroupData></FormData></StudyEventData></SubjectData>`);
      for (const second of [file('changed'), file('cut').slice(0, 400)]) {
        let reads = 0;
        const source = () => Readable.from([reads++ === 0 ? file('checked') : second]);
        await expect(importOdm(a.db, study.studyId, source, { actor: study.actor })).rejects.toThrow(
          /changed between its check and its import/,
        );
        expect(reads).toBe(2);
      }
      expect(await databaseFingerprint(a.db)).toBe(before);
    });

    it('with skipInvalid writes the valid values and records only', async () => {
      const xml = odm(`
    <SubjectData SubjectKey="${s1}">
      <StudyEventData StudyEventOID="SE.M6" StudyEventRepeatKey="1">
        <FormData FormOID="F.labs"><ItemGroupData ItemGroupOID="IG.labs">
          <ItemData ItemOID="I.labs.albumin" Value="36"><MeasurementUnitRef MeasurementUnitOID="MU.1"/></ItemData>
          <ItemData ItemOID="I.labs.no_such_item" Value="1"/>
        </ItemGroupData></FormData>
      </StudyEventData>
      <StudyEventData StudyEventOID="SE.SUBJECT">
        <FormData FormOID="F.AE">
          <ItemGroupData ItemGroupOID="IG.AE" ItemGroupRepeatKey="1">
            <ItemData ItemOID="I.AE.TERM" Value="Headache"/><ItemData ItemOID="I.AE.ONSET_DATE" Value="2024-03-01"/>
            <ItemData ItemOID="I.AE.RELATEDNESS" Value="unlikely"/><ItemData ItemOID="I.AE.CTCAE_GRADE" Value="1"/>
          </ItemGroupData>
          <ItemGroupData ItemGroupOID="IG.AE" ItemGroupRepeatKey="2">
            <ItemData ItemOID="I.AE.TERM" Value="Rash"/><ItemData ItemOID="I.AE.ONSET_DATE" Value="2024-03-02"/>
            <ItemData ItemOID="I.AE.RELATEDNESS" Value="possible"/><ItemData ItemOID="I.AE.CTCAE_GRADE" Value="9"/>
          </ItemGroupData>
        </FormData>
      </StudyEventData>
    </SubjectData>`);
      const r = await importOdm(a.db, study.studyId, xml, { actor: study.actor, skipInvalid: true });
      expect(r.problems.map((p) => p.rule)).toEqual(['item-unknown', 'value-out-of-range']);
      expect(r).toMatchObject({ written: true, entered: 1, adverseEvents: { entered: 1 } });
      const rows = await safetyRows(a.db, study.studyId);
      expect(rows.some((x) => x.includes('"Headache"'))).toBe(true);
      expect(rows.some((x) => x.includes('"Rash"'))).toBe(false);
    });
  });

describe('ODM reader', () => {
  it('hands each SubjectData over before the rest of the stream is read (memory: one subject)', async () => {
    const subject = (k: string) =>
      `<SubjectData SubjectKey="${k}"><StudyEventData StudyEventOID="SE.D0"><FormData FormOID="F.labs"><ItemGroupData ItemGroupOID="IG.labs"><ItemData ItemOID="I.labs.c3" Value="0.7"/></ItemGroupData></FormData></StudyEventData></SubjectData>`;
    const log: string[] = [];
    async function* chunks() {
      yield '<?xml version="1.0"?><ODM xmlns="http://www.cdisc.org/ns/odm/v1.3"><ClinicalData StudyOID="S" MetaDataVersionOID="M">';
      for (const k of ['A', 'B', 'C']) {
        log.push(`read ${k}`);
        // A chunk boundary inside an attribute value: the parser carries it over.
        const text = subject(k);
        yield text.slice(0, 25);
        yield text.slice(25);
      }
      log.push('read end');
      yield '</ClinicalData></ODM>';
    }
    const r = await readOdm(chunks(), {
      units: new Map(),
      locations: new Map(),
      onSubject: async (s) => {
        log.push(`subject ${s.key} ${s.items.map((i) => `${i.itemOid}=${i.value}`).join()}`);
      },
    });
    expect(r).toEqual({ itemData: 3, hasRoot: true, hasClinicalData: true });
    expect(log).toEqual([
      'read A',
      'subject A I.labs.c3=0.7',
      'read B',
      'subject B I.labs.c3=0.7',
      'read C',
      'subject C I.labs.c3=0.7',
      'read end',
    ]);
  });
});
