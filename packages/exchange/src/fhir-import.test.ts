// FHIR R4 lab import (issue #23): a Bundle of lab Observations mapped to the labs form through the
// definition's LOINC codes, units converted by the core, validated by a FHIR library, each
// Observation's visit found by its date within the visit windows, every Observation accounted for.
import { readFileSync } from 'node:fs';
import { msctSleTrial, type StudyDefinition } from '@msct/core/protocol';
import { createVisit, setVisitMissed, verifyAuditChain } from '@msct/store';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFhir, visitOf } from './fhir-import.js';
import { resolveFhirMapping } from './fhir-mapping.js';
import { buildMetadata } from './study-metadata.js';
import { createTestStudy, databaseFingerprint, type TestStudy } from './testing/test-study.js';

const FIXTURE = readFileSync(
  new URL('./testing/fixtures/fhir/lab-results-transaction.json', import.meta.url),
);
const bundle = JSON.parse(FIXTURE.toString('utf8'));

function mapping(m: unknown) {
  const r = resolveFhirMapping(m);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

/** A collection Bundle of the given Observations of the fixture's first Patient (NJDT-001). */
function collection(...observations: Record<string, unknown>[]) {
  const patient = bundle.entry[0];
  return JSON.stringify({
    resourceType: 'Bundle',
    type: 'collection',
    entry: [
      { fullUrl: patient.fullUrl, resource: patient.resource },
      ...observations.map((o, i) => ({
        fullUrl: `urn:uuid:00000000-0000-4000-8000-00000000000${i}`,
        resource: o,
      })),
    ],
  });
}
function observation(over: Record<string, unknown>) {
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '718-7' }] },
    subject: { reference: bundle.entry[0].fullUrl },
    effectiveDateTime: '2024-06-12T08:00:00Z', // day 154 … M6 is day 182 ± 14
    valueQuantity: { value: 12, unit: 'g/dL', system: 'http://unitsofmeasure.org', code: 'g/dL' },
    ...over,
  };
}

describe('FHIR mapping file', () => {
  it('refuses unknown keys and bad targets, naming each', () => {
    const r = resolveFhirMapping({
      loinc: { '718-7': 'haemoglobin', '2160-0': { item: 'labs.creatinine', unit: 3 } },
      encounters: { 'Encounter/1': { visit: 'M3', cycle: 0 } },
      columns: {},
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => [p.column, p.rule])).toEqual([
      ['columns', 'mapping-invalid'],
      ['loinc.718-7', 'mapping-invalid'],
      ['loinc.2160-0.unit', 'mapping-invalid'],
      ['encounters.Encounter/1.cycle', 'mapping-invalid'],
    ]);
  });
});

describe('the visit of an Observation by its date (visit windows anchored on day 0)', () => {
  // D7 widened to days −3…17 and M1 to 16…44: days 16 and 17 are in both windows.
  const definition = structuredClone(msctSleTrial) as StudyDefinition;
  definition.visits = definition.visits!.map((v) =>
    v.code === 'D7' ? { ...v, windowDays: 10 } : v.code === 'M1' ? { ...v, windowDays: 14 } : v,
  );
  const meta = buildMetadata({ id: 's', code: 'MSCT-SLE', title: 't' }, definition);
  const subjects = new Map([['S-1', { id: 'id1', siteId: 'x' }]]);
  const ctx = (visitDates: Record<string, string> = {}, day0: string | null = '2024-01-10') => ({
    meta,
    mapping: undefined,
    byRef: new Map(),
    subjects,
    anchors: new Map([['id1', { day0, visitDates: new Map(Object.entries(visitDates)) }]]),
  });
  it('one window: that visit; none: refused; no day 0: refused', () => {
    expect(visitOf({}, '2024-02-09', 'labs', 'S-1', ctx())).toEqual({
      ok: true,
      visit: 'M1',
      cycle: 1,
      by: 'date',
    });
    const none = visitOf({}, '2024-03-10', 'labs', 'S-1', ctx());
    expect(none).toMatchObject({ ok: false, rule: 'visit-unassigned' });
    expect(JSON.stringify(none)).toContain('study day 60');
    expect(visitOf({}, '2024-02-09', 'labs', 'S-1', ctx({}, null))).toMatchObject({
      ok: false,
      rule: 'visit-unassigned',
    });
  });
  it('two windows: the visit recorded on that date, else refused as ambiguous', () => {
    // Day 16 (2024-01-26): D7 (−3…17) and M1 (16…44) both collect vital signs.
    const amb = visitOf({}, '2024-01-26', 'vital-signs', 'S-1', ctx());
    expect(amb).toMatchObject({ ok: false, rule: 'visit-ambiguous' });
    expect(JSON.stringify(amb)).toContain('D7 on day 16');
    expect(visitOf({}, '2024-01-26', 'vital-signs', 'S-1', ctx({ M1: '2024-01-26' }))).toEqual({
      ok: true,
      visit: 'M1',
      cycle: 1,
      by: 'date',
    });
    // Labs are not collected at D7: only M1's window counts for them.
    expect(visitOf({}, '2024-01-26', 'labs', 'S-1', ctx())).toEqual({
      ok: true,
      visit: 'M1',
      cycle: 1,
      by: 'date',
    });
  });
});

for (const dialect of TEST_DIALECTS)
  describe(`FHIR R4 lab import on ${dialect}`, () => {
    let t: TestDatabase;
    let study: TestStudy;
    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      study = await createTestStudy(t.db, 2);
      expect(study.subjectCodes).toEqual(['NJDT-001', 'ZJJU-001']);
    }, 60_000);
    afterAll(() => t.drop());

    const storedLabs = async (subject: string, visit: string) =>
      t.db.kysely
        .selectFrom('item_values')
        .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
        .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
        .innerJoin('subjects', 'subjects.id', 'visits.subject_id')
        .select(['item_values.item_code', 'item_values.value', 'item_values.unit', 'visits.visit_date'])
        .where('subjects.subject_code', '=', subject)
        .where('visits.visit_code', '=', visit)
        .where('form_instances.form_code', '=', 'labs')
        .orderBy('item_values.item_code')
        .execute();

    it('refuses the whole realistic Bundle while any Observation is refused, listing every problem once', async () => {
      const before = await databaseFingerprint(t.db);
      const r = await importFhir(t.db, study.studyId, FIXTURE, { actor: study.actor });
      expect(r.written).toBe(false);
      expect(await databaseFingerprint(t.db)).toBe(before);
      expect(r.otherResources).toEqual({ Patient: 3, Encounter: 3 });
      // Without --skip-unmapped the glucose and the blood-pressure panel are problems too.
      expect(r.problems.map((p) => [p.row - 1, p.rule])).toEqual([
        [10, 'item-unknown'],
        [11, 'item-unknown'],
        [15, 'value-invalid'],
        [18, 'unit-invalid'],
        [20, 'visit-unassigned'],
        [22, 'value-conflict'],
        [23, 'value-conflict'],
        [26, 'fhir-invalid'],
        [28, 'subject-unknown'],
      ]);
      expect(r.accounting).toEqual({ observations: 23, imported: 0, withheld: 10, skipped: 4, refused: 9 });
    });

    it('dry run with --skip-unmapped --skip-invalid: every Observation accounted for, nothing written', async () => {
      const before = await databaseFingerprint(t.db);
      const r = await importFhir(t.db, study.studyId, FIXTURE, {
        actor: study.actor,
        dryRun: true,
        skipInvalid: true,
        skipUnmapped: true,
      });
      expect(await databaseFingerprint(t.db)).toBe(before);
      expect(r.written).toBe(false);
      expect(r.accounting).toEqual({ observations: 23, imported: 0, withheld: 10, skipped: 6, refused: 7 });
      expect(r.skipped.map((p) => [p.row - 1, p.rule])).toEqual([
        [10, 'item-unmapped'],
        [11, 'item-unmapped'],
        [13, 'item-skipped'], // the same C3 value again
        [14, 'item-skipped'], // status preliminary
        [24, 'item-skipped'], // dataAbsentReason not-performed
        [27, 'item-skipped'], // entered-in-error
      ]);
      expect(r.skipped.find((p) => p.row === 15)!.message).toContain('status "preliminary"');
      // What the write would do: 10 values, M1 created for both subjects, M3's creatinine and 24-h
      // urine protein changed.
      expect(r).toMatchObject({ entered: 8, changed: 2, visitsCreated: 2, unitsConverted: 1 });
    });

    it('imports the valid Observations with --skip-invalid: values, units, visits, reasons and audit', async () => {
      const r = await importFhir(t.db, study.studyId, FIXTURE, {
        actor: study.actor,
        skipInvalid: true,
        skipUnmapped: true,
        reason: 'imported from lab-results-transaction.json',
      });
      expect(r.written).toBe(true);
      expect(r.accounting).toEqual({ observations: 23, imported: 10, withheld: 0, skipped: 6, refused: 7 });
      const messages = Object.fromEntries(r.problems.map((p) => [p.row - 1, p.message]));
      expect(messages[15]).toContain('"< 10"');
      expect(messages[18]).toContain('no conversion from mmol/L to g/L or g/dL is known');
      expect(messages[20]).toContain('study day 60');
      expect(messages[26]).toContain('Invalid JSON type');
      expect(messages[28]).toContain('is a subject of study');
      expect(await storedLabs('NJDT-001', 'M1')).toEqual([
        { item_code: 'albumin', value: '3.9', unit: 'g/dL', visit_date: '2024-02-09' },
        { item_code: 'c3', value: '71', unit: 'mg/dL', visit_date: '2024-02-09' },
        { item_code: 'creatinine', value: '0.94', unit: 'mg/dL', visit_date: '2024-02-09' },
        { item_code: 'haemoglobin', value: '11.8', unit: 'g/dL', visit_date: '2024-02-09' },
        { item_code: 'platelets', value: '231', unit: '10^9/L', visit_date: '2024-02-09' },
        { item_code: 'urea', value: '14.2', unit: 'mg/dL', visit_date: '2024-02-09' },
        // 6200 /µL = 6.2 × 10⁹/L (core convertUnit, 1 /mm³ = 1 /µL = 10⁻³ × 10⁹/L).
        { item_code: 'wbc', value: '6.2', unit: '10^9/L', visit_date: '2024-02-09' },
      ]);
      const m3 = await storedLabs('NJDT-001', 'M3');
      expect(m3.find((v) => v.item_code === 'creatinine')).toMatchObject({ value: '1.1', unit: 'mg/dL' });
      expect(m3.find((v) => v.item_code === 'proteinuria_24h')).toMatchObject({
        value: '380',
        unit: 'mg/24h',
      });
      expect(await storedLabs('ZJJU-001', 'M1')).toEqual([
        { item_code: 'neutrophils', value: '4.1', unit: '10^9/L', visit_date: '2024-02-12' },
      ]);
      // The change of a stored value carries the import's reason in the audit trail.
      const change = await t.db.kysely
        .selectFrom('audit_events')
        .select(['reason'])
        .where('entity_type', '=', 'item')
        .where('action', '=', 'item.change')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      expect(change.reason).toBe('imported from lab-results-transaction.json');
      expect((await verifyAuditChain(t.db)).ok).toBe(true);
      // Again: everything is unchanged.
      const again = await importFhir(t.db, study.studyId, FIXTURE, {
        actor: study.actor,
        skipInvalid: true,
        skipUnmapped: true,
      });
      expect(again).toMatchObject({ entered: 0, changed: 0, unchanged: 10 });
    });

    it('an encounter mapped to a visit wins over the date; a missed visit refuses as the writer does', async () => {
      const s2 = await t.db.kysely
        .selectFrom('subjects')
        .select('id')
        .where('subject_code', '=', 'NJDT-001')
        .executeTakeFirstOrThrow();
      const m9 = await createVisit(t.db, study.actor, { subjectId: s2.id, visitCode: 'M9' });
      await setVisitMissed(t.db, study.actor, m9.id, m9.version, true, 'patient moved away');
      const text = collection(
        observation({ encounter: { identifier: { system: 'urn:lab', value: 'V-6' } } }),
        observation({ effectiveDateTime: '2024-10-10T08:00:00Z' }), // day 274: M9, declared missed
      );
      const m = mapping({ encounters: { 'urn:lab|V-6': 'M6' } });
      const before = await databaseFingerprint(t.db);
      const dry = await importFhir(t.db, study.studyId, text, {
        actor: study.actor,
        mapping: m,
        dryRun: true,
      });
      expect(await databaseFingerprint(t.db)).toBe(before);
      expect(dry.problems.map((p) => [p.row - 1, p.rule])).toEqual([[2, 'visit-missed']]);
      expect(dry.accounting).toEqual({ observations: 2, imported: 0, withheld: 1, skipped: 0, refused: 1 });
      // Without the mapping the first one's date (day 154) is in no window.
      const unmapped = await importFhir(t.db, study.studyId, text, { actor: study.actor, dryRun: true });
      expect(unmapped.problems.map((p) => [p.row - 1, p.rule])).toEqual([
        [1, 'visit-unassigned'],
        [2, 'visit-missed'],
      ]);
    });

    // The labs form's limit items from an Observation's referenceRange, and the ANA titre as 1:N.
    const UCUM = 'http://unitsofmeasure.org';
    const q = (value: number, code: string) => ({ value, unit: code, system: UCUM, code });
    const at12 = { encounter: { identifier: { system: 'urn:lab', value: 'V-12' } } };
    const lab = (id: string, loinc: string, over: Record<string, unknown>) =>
      observation({ id, code: { coding: [{ system: 'http://loinc.org', code: loinc }] }, ...at12, ...over });

    it("takes the testing lab's limits from referenceRange (units converted) and an ANA titre 1:N as its reciprocal", async () => {
      const m = mapping({ encounters: { 'urn:lab|V-12': 'M12' } });
      const text = collection(
        // C3 0.7 g/L, normal range 0.09–0.18 g/dL: the lower limit is c3_lln, 0.9 g/L (g/dL → g/L by core convertUnit).
        lab('c3', '4485-9', {
          valueQuantity: q(0.7, 'g/L'),
          referenceRange: [{ low: q(0.09, 'g/dL'), high: q(0.18, 'g/dL') }],
        }),
        // C4 in mg/dL, a unit c4_lln accepts as it is; a "treatment" range is not the normal range.
        lab('c4', '4498-2', {
          valueQuantity: q(8, 'mg/dL'),
          referenceRange: [
            {
              low: q(40, 'mg/dL'),
              type: {
                coding: [
                  {
                    system: 'http://terminology.hl7.org/CodeSystem/referencerange-meaning',
                    code: 'treatment',
                  },
                ],
              },
            },
            {
              low: q(10, 'mg/dL'),
              type: {
                coding: [
                  { system: 'http://terminology.hl7.org/CodeSystem/referencerange-meaning', code: 'normal' },
                ],
              },
            },
          ],
        }),
        // Anti-dsDNA: the upper limit is anti_dsdna_uln.
        lab('dsdna', '5130-0', {
          valueQuantity: q(150, '[IU]/mL'),
          referenceRange: [{ high: q(30, '[IU]/mL') }],
        }),
        // ANA 1:320 as text: the labs form holds the reciprocal, 320 (instruments.md §4.2 "ANA ≥1:80").
        lab('ana', '5048-4', { valueQuantity: undefined, valueString: '1:320' }),
      );
      const r = await importFhir(t.db, study.studyId, text, { actor: study.actor, mapping: m });
      expect(r.problems).toEqual([]);
      expect(r.accounting).toEqual({ observations: 4, imported: 4, withheld: 0, skipped: 0, refused: 0 });
      expect(r).toMatchObject({ written: true, entered: 7, unitsConverted: 1 });
      // M12 is recorded already (2025-01-09, the test study's visit): the values go to it.
      expect((await storedLabs('NJDT-001', 'M12')).map(({ visit_date: _, ...v }) => v)).toEqual([
        { item_code: 'ana_titre', value: '320', unit: null },
        { item_code: 'anti_dsdna', value: '150', unit: 'IU/mL' },
        { item_code: 'anti_dsdna_uln', value: '30', unit: 'IU/mL' },
        { item_code: 'c3', value: '0.7', unit: 'g/L' },
        { item_code: 'c3_lln', value: '0.9', unit: 'g/L' },
        { item_code: 'c4', value: '8', unit: 'mg/dL' },
        { item_code: 'c4_lln', value: '10', unit: 'mg/dL' },
      ]);
      // The same titre as a valueRatio 1/320 is the same value: unchanged.
      const ratio = await importFhir(
        t.db,
        study.studyId,
        collection(
          lab('ana2', '5048-4', {
            valueQuantity: undefined,
            valueRatio: { numerator: { value: 1 }, denominator: { value: 320 } },
          }),
        ),
        { actor: study.actor, mapping: m, dryRun: true },
      );
      expect(ratio.problems).toEqual([]);
      expect(ratio).toMatchObject({ unchanged: 1, entered: 0, changed: 0 });
    });

    it('refuses a titre that is not 1:N and a reference range it cannot read, naming the Observation and path', async () => {
      const m = mapping({ encounters: { 'urn:lab|V-12': 'M12' } });
      const normal = (low: ReturnType<typeof q>) => ({ low });
      const text = collection(
        lab('ana-text', '5048-4', { valueQuantity: undefined, valueString: 'positive' }),
        lab('ana-ratio', '5048-4', {
          valueQuantity: undefined,
          valueRatio: { numerator: { value: 2 }, denominator: { value: 640 } },
        }),
        lab('c3-mmol', '4485-9', {
          valueQuantity: q(0.7, 'g/L'),
          referenceRange: [normal(q(0.9, 'mmol/L'))],
        }),
        lab('c4-two', '4498-2', {
          valueQuantity: q(8, 'mg/dL'),
          referenceRange: [normal(q(10, 'mg/dL')), normal(q(0.12, 'g/L'))],
        }),
        lab('hb-ratio', '718-7', {
          valueQuantity: undefined,
          valueRatio: { numerator: { value: 1 }, denominator: { value: 12 } },
        }),
      );
      const before = await databaseFingerprint(t.db);
      const r = await importFhir(t.db, study.studyId, text, { actor: study.actor, mapping: m });
      expect(r.written).toBe(false);
      expect(await databaseFingerprint(t.db)).toBe(before);
      expect(r.problems.map((p) => [p.column, p.rule])).toEqual([
        ['entry[1] Observation/ana-text.valueString', 'value-invalid'],
        ['entry[2] Observation/ana-ratio.valueRatio', 'value-invalid'],
        ['entry[3] Observation/c3-mmol.referenceRange[0].low', 'unit-invalid'],
        ['entry[4] Observation/c4-two.referenceRange', 'value-conflict'],
        ['entry[5] Observation/hb-ratio.valueRatio', 'value-invalid'],
      ]);
      expect(r.problems[0]!.message).toContain('"positive" is not a titre written 1:N');
      expect(r.problems[1]!.message).toContain('the numerator is not 1');
      expect(r.problems[2]!.message).toContain('"mmol/L"');
      expect(r.problems[3]!.message).toContain('10 mg/dL; 0.12 g/L');
      expect(r.accounting).toEqual({ observations: 5, imported: 0, withheld: 0, skipped: 0, refused: 5 });
    });

    it('refuses what is not a FHIR Bundle to import, with one clear problem', async () => {
      const cases: [string, string, string][] = [
        ['{"resourceType":"Bundle","type":"document","entry":[]}', 'fhir-invalid', 'Bundle.type "document"'],
        ['{"resourceType":"Observation"}', 'fhir-invalid', 'not a FHIR Bundle'],
        ['{"resourceType":', 'row-malformed', 'not JSON'],
      ];
      for (const [text, rule, words] of cases) {
        const r = await importFhir(t.db, study.studyId, text, { actor: study.actor });
        expect(r.problems).toHaveLength(1);
        expect(r.problems[0]).toMatchObject({ rule });
        expect(r.problems[0]!.message).toContain(words);
      }
      const latin1 = Buffer.from([0x7b, 0xe9, 0x7d]);
      const r = await importFhir(t.db, study.studyId, latin1, { actor: study.actor });
      expect(r.problems[0]).toMatchObject({ rule: 'encoding-invalid' });
    });
  });
