// Study definitions from other systems (issue #20 "Build without code"): REDCap data dictionaries and
// ODM metadata from the REDCapR repository's test projects (fixtures/definitions/README.md), converted,
// validated, and every construct that could not be mapped listed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDefinitionIssue, validateStudyDefinition } from '@msct/core/protocol';
import { describe, expect, it } from 'vitest';
import { DefinitionFileError, parseStudyFrame } from './definition-frame.js';
import { convertOdmMetadata } from './odm-definition.js';
import { convertRedcapDictionary } from './redcap-dictionary.js';

const dir = join(import.meta.dirname, 'testing', 'fixtures', 'definitions');
const file = (...p: string[]) => readFileSync(join(dir, ...p));
/** The hand-written frame: what no REDCap file says (centres, infusion plan, endpoint rule set…). */
const frameFor = (infusionVisit: string) => {
  const frame = parseStudyFrame(file('hand-written', 'frame.json').toString('utf8'));
  return { ...frame, infusion: { ...frame.infusion!, infusionVisitCodes: [infusionVisit] } };
};
const count = (u: { kind: string }[], kind: string) => u.filter((x) => x.kind === kind).length;

describe('REDCap data dictionary → study definition', () => {
  it('converts every field type of the hand-written dictionary, listing what it cannot hold', async () => {
    const r = await convertRedcapDictionary({
      dictionary: file('hand-written', 'dictionary.csv'),
      events: file('hand-written', 'event.csv'),
      instrumentEvents: file('hand-written', 'instrument-event.csv'),
      frame: frameFor('screening_arm_1'),
    });
    const v = validateStudyDefinition(r.definition);
    expect(v.issues.map(formatDefinitionIssue)).toEqual([]);
    expect(r.counts).toEqual({ forms: 2, items: 12, codeLists: 2, visits: 2 });
    const d = v.ok ? v.value : undefined;
    const vitals = d?.forms.find((f) => f.id === 'vitals');
    expect(vitals?.visitCodes).toEqual(['screening_arm_1', 'week_4_arm_1']);
    expect(vitals?.items?.find((i) => i.code === 'weight')).toEqual({
      code: 'weight',
      label: 'Weight (kg)',
      type: 'decimal',
      help: 'Without shoes',
      required: true,
      min: 30,
      max: 250,
    });
    expect(vitals?.items?.map((i) => i.code)).toEqual([
      'weight',
      'pain',
      'symptoms___1',
      'symptoms___2',
      'symptoms___3',
      'smoker',
      'partner_sex',
      'email',
    ]);
    // One code list for "F, Female | M, Male", used by sex and partner_sex; a comma inside a label kept.
    expect(d?.codeLists?.map((l) => l.id)).toEqual(['sex', 'smoker']);
    expect(vitals?.items?.find((i) => i.code === 'partner_sex')?.codeList).toBe('sex');
    expect(d?.codeLists?.[1]?.codes[1]).toEqual({ code: '1', label: 'Current, daily' });
    expect(d?.visits.map((x) => [x.code, x.kind, x.targetDay, x.windowDays])).toEqual([
      ['screening_arm_1', 'baseline', 0, { before: 0, after: 0 }],
      ['week_4_arm_1', 'assessment', 28, { before: 3, after: 3 }],
    ]);
    const line = (field: string, what: string) =>
      r.unmapped.find((u) => u.field === field && u.what.startsWith(what));
    // Simple branching logic becomes the items' showIf (issue #20), so it is not listed.
    const screening = d?.forms.find((f) => f.id === 'screening');
    expect(screening?.items?.find((i) => i.code === 'pregnant')?.showIf).toEqual({
      op: 'is',
      item: 'sex',
      value: 'F',
    });
    expect(screening?.items?.find((i) => i.code === 'pregnancy_weeks')?.showIf).toEqual({
      op: 'all',
      conditions: [
        { op: 'is', item: 'pregnant', value: '1' },
        { op: 'is', item: 'sex', value: 'F' },
      ],
    });
    expect(line('pregnant', 'branching logic')).toBeUndefined();
    expect(line('bmi', 'calculated field')).toMatchObject({ row: 8, kind: 'unmapped' });
    expect(line('consent_file', 'field type file')).toBeDefined();
    expect(line('info', 'descriptive')).toBeDefined();
    expect(line('week_4_arm_2', 'event of arm 2')).toBeDefined();
    expect(line('email', 'identifier flag')).toBeDefined();
    expect(line('visit_date', 'section header')).toBeDefined();
    expect(r.unmapped.length).toBe(14);
    expect(count(r.unmapped, 'unmapped')).toBe(6);
  });

  it('lists branching logic it cannot read, or that reads another form, and keeps the item shown', async () => {
    const header = file('hand-written', 'dictionary.csv').toString('utf8').split('\n')[0];
    const rows = [
      'record_id,screening,,text,"Record ID",,,,,,,,,,,,,',
      'age,screening,,text,"Age",,,integer,0,120,,,,,,,,',
      `adult_consent,screening,,yesno,"Adult consent",,,,,,,"[age] >= 18",,,,,,`,
      `dose,treatment,,text,"Dose",,,number,,,,"[age] = '30'",,,,,,`,
      `note,treatment,,notes,"Note",,,,,,,"datediff([dob], 'today', 'y') > 1 or [dose] = ''",,,,,,`,
      `follow_up,treatment,,yesno,"Follow up",,,,,,,"[dose] <> '' and ([note] = 'x' or [dose] = '2')",,,,,,`,
    ];
    const r = await convertRedcapDictionary({
      dictionary: Buffer.from([header, ...rows].join('\n')),
      frame: frameFor('event_1_arm_1'),
    });
    const listed = r.unmapped.filter((u) => u.what.startsWith('branching logic'));
    expect(listed.map((u) => [u.field, u.kind, u.why])).toEqual([
      ['adult_consent', 'unmapped', expect.stringContaining('not made of simple')],
      ['note', 'unmapped', expect.stringContaining('not made of simple')],
      ['dose', 'unmapped', expect.stringContaining('it reads age, not an item msct holds on form treatment')],
    ]);
    const v = validateStudyDefinition(r.definition);
    expect(v.issues.map(formatDefinitionIssue)).toEqual([]);
    const treatment = (v.ok ? v.value : undefined)?.forms.find((f) => f.id === 'treatment');
    expect(treatment?.items?.find((i) => i.code === 'dose')?.showIf).toBeUndefined();
    expect(treatment?.items?.find((i) => i.code === 'follow_up')?.showIf).toEqual({
      op: 'all',
      conditions: [
        { op: 'isNot', item: 'dose', value: '' },
        {
          op: 'any',
          conditions: [
            { op: 'is', item: 'note', value: 'x' },
            { op: 'is', item: 'dose', value: '2' },
          ],
        },
      ],
    });
  });

  it('without a frame, names every field the definition still needs', async () => {
    const r = await convertRedcapDictionary({ dictionary: file('dag', 'dictionary.csv') });
    const v = validateStudyDefinition(r.definition);
    expect(v.ok).toBe(false);
    expect(v.issues.map(formatDefinitionIssue)).toEqual([
      'id: is required',
      'title: is required',
      'version: is required',
      'source: is required',
      'centres: is required',
      'infusion: is required',
      'eligibility: is required',
      'endpointRuleSetId: is required',
      'retreatment: is required',
      "bilagVersion: must be one of '2004', 'classic', got undefined",
      'sledaiWindowDays: is required',
    ]);
  });

  it.each([
    // [project, forms, items, code lists, visits, unmapped constructs]
    ['dag', 1, 12, 3, 1, 17],
    ['checkboxes-1', 2, 10, 0, 1, 4],
    ['clinical-trial-1', 1, 11, 3, 1, 10],
    ['arm-single-longitudinal', 1, 2, 0, 3, 5],
  ] as const)(
    'converts REDCapR project %s into a valid definition',
    async (project, forms, items, lists, visits, unmapped) => {
      const longitudinal = project === 'arm-single-longitudinal';
      const r = await convertRedcapDictionary({
        dictionary: file(project, 'dictionary.csv'),
        ...(longitudinal
          ? { events: file(project, 'event.csv'), instrumentEvents: file(project, 'instrument-event.csv') }
          : {}),
        frame: frameFor(longitudinal ? 'intake_arm_1' : 'event_1_arm_1'),
      });
      expect(validateStudyDefinition(r.definition).issues.map(formatDefinitionIssue)).toEqual([]);
      expect(r.counts).toEqual({ forms, items, codeLists: lists, visits });
      expect(r.unmapped.length).toBe(unmapped);
    },
  );

  it('lists the file field of arm-single-longitudinal and the dag project’s calculations', async () => {
    const long = await convertRedcapDictionary({
      dictionary: file('arm-single-longitudinal', 'dictionary.csv'),
    });
    expect(long.unmapped.map((u) => `${u.row} ${u.field}: ${u.what}`)).toContain(
      '5 image_profile: field type file',
    );
    const dag = await convertRedcapDictionary({ dictionary: file('dag', 'dictionary.csv') });
    expect(dag.unmapped.filter((u) => u.what.startsWith('calculated field')).map((u) => u.field)).toEqual([
      'age',
      'bmi',
    ]);
    expect(dag.unmapped.filter((u) => u.what.startsWith('identifier flag')).length).toBe(6);
  });

  it('refuses a study frame that is not part of a definition, naming each field', () => {
    expect(() => parseStudyFrame('{"centres": [{"id": "C1"}], "forms": []}')).toThrow(
      'the study frame must not hold "forms": they come from the converted file',
    );
    expect(() => parseStudyFrame('{"centres": [{"id": "C1"}], "sledaiWindowDays": 0}')).toThrow(
      /^the study frame is not part of a study definition: frame\.centres\[0\]\.name: .*; frame\.sledaiWindowDays: /,
    );
    expect(() => parseStudyFrame('[1]')).toThrow(DefinitionFileError);
  });

  it('refuses a file that is not a REDCap data dictionary, naming the column', async () => {
    await expect(convertRedcapDictionary({ dictionary: 'field,form\na,b\n' })).rejects.toThrow(
      new DefinitionFileError(
        'the data dictionary\'s column 1 must be "variable / field name" (REDCap\'s layout), got "field"',
      ),
    );
  });
});

describe('ODM metadata → study definition', () => {
  it.each([
    // [project, forms, items, code lists, visits, unmapped, approximated]
    ['dag', 1, 17, 4, 1, 84, 5],
    ['checkboxes-1', 2, 13, 2, 1, 78, 1],
    ['arm-single-longitudinal', 1, 5, 1, 3, 46, 3],
  ] as const)(
    'converts REDCap project.xml %s, listing its REDCap extensions',
    async (project, forms, items, lists, visits, unmapped, approximated) => {
      const r = await convertOdmMetadata({
        file: file(project, 'project.xml'),
        frame: frameFor(project === 'arm-single-longitudinal' ? 'intake_arm_1' : 'event_1_arm_1'),
      });
      expect(validateStudyDefinition(r.definition).issues.map(formatDefinitionIssue)).toEqual([]);
      expect(r.counts).toEqual({ forms, items, codeLists: lists, visits });
      expect(count(r.unmapped, 'unmapped')).toBe(unmapped);
      expect(count(r.unmapped, 'approximated')).toBe(approximated);
      expect(
        r.unmapped.some((u) => u.what.startsWith('extension attributes') && u.what.includes('redcap:')),
      ).toBe(true);
    },
  );

  it("reads REDCap's event schedule (redcap:DayOffset, OffsetMin, OffsetMax), counted from the first event", async () => {
    const r = await convertOdmMetadata({ file: file('arm-single-longitudinal', 'project.xml') });
    const visits = r.definition.visits as Array<{ code: string; targetDay: number; windowDays: unknown }>;
    expect(visits.map((v) => [v.code, v.targetDay, v.windowDays])).toEqual([
      ['intake_arm_1', 0, { before: 0, after: 0 }],
      ['dischage_arm_1', 1, { before: 0, after: 0 }],
      ['follow_up_arm_1', 2, { before: 0, after: 0 }],
    ]);
    expect(r.unmapped.find((u) => u.field === 'follow_up_arm_1')?.why).toContain(
      "on day 2 (day offset 3, counted from the first event's)",
    );
    expect(r.unmapped.some((u) => u.what.includes('redcap:DayOffset'))).toBe(false);
  });

  it('reads ItemDef types, soft range checks and code lists of the dag project', async () => {
    const r = await convertOdmMetadata({ file: file('dag', 'project.xml') });
    const items = (r.definition.forms as Array<{ items: Array<Record<string, unknown>> }>)[0]!.items;
    expect(items.find((i) => i.code === 'height')).toEqual({
      code: 'height',
      label: 'Height (cm)',
      type: 'decimal',
      min: 130,
      max: 215,
    });
    expect(items.find((i) => i.code === 'dob')?.type).toBe('date');
    expect(items.find((i) => i.code === 'sex')).toMatchObject({ type: 'code', codeList: 'sex' });
    const soft = r.unmapped.filter((u) => u.field === 'height' && u.what.startsWith('RangeCheck'));
    expect(soft.map((u) => u.what)).toEqual(['RangeCheck GE 130 (Soft)', 'RangeCheck LE 215 (Soft)']);
    expect(
      r.unmapped.find((u) => u.field === 'height' && u.what.startsWith('SignificantDigits')),
    ).toBeDefined();
  });

  it('reads ODM 1.3.2 constructs REDCap does not write, and lists OpenClinica extensions', async () => {
    // Written for this test: the ODM 1.3.2 elements the REDCap files lack, as OpenClinica 3 writes them
    // (OpenClinica: namespace), in ISO-8859-1 as declared.
    const xml = `<?xml version="1.0" encoding="ISO-8859-1"?>
<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" xmlns:OpenClinica="http://www.openclinica.org/ns/odm_ext_v130/v3.1" ODMVersion="1.3.2" FileType="Snapshot" FileOID="f" CreationDateTime="2026-12-05T00:00:00">
<Study OID="S_TRIAL"><GlobalVariables><StudyName>Trial</StudyName><StudyDescription>d</StudyDescription><ProtocolName>trial-2</ProtocolName></GlobalVariables>
<BasicDefinitions><MeasurementUnit OID="MU_KG" Name="kg"><Symbol><TranslatedText>kg</TranslatedText></Symbol></MeasurementUnit></BasicDefinitions>
<MetaDataVersion OID="v1" Name="v1">
<Protocol><StudyEventRef StudyEventOID="SE_BASE" OrderNumber="1" Mandatory="Yes"/><StudyEventRef StudyEventOID="SE_AE" OrderNumber="2" Mandatory="No"/></Protocol>
<StudyEventDef OID="SE_BASE" Name="Baseline" Repeating="No" Type="Scheduled"><FormRef FormOID="F_VITALS" Mandatory="Yes"/></StudyEventDef>
<StudyEventDef OID="SE_AE" Name="Adverse events" Repeating="Yes" Type="Unscheduled"><FormRef FormOID="F_AE" Mandatory="No"/></StudyEventDef>
<FormDef OID="F_VITALS" Name="Vitals" Repeating="No"><ItemGroupRef ItemGroupOID="IG_VITALS" Mandatory="Yes"/></FormDef>
<FormDef OID="F_AE" Name="Adverse event" Repeating="No"><ItemGroupRef ItemGroupOID="IG_AE" Mandatory="Yes"/><OpenClinica:FormDetails FormOID="F_AE"/></FormDef>
<ItemGroupDef OID="IG_VITALS" Name="Vitals" Repeating="No"><ItemRef ItemOID="I_WEIGHT" Mandatory="Yes"/><ItemRef ItemOID="I_FEVER" Mandatory="No" CollectionExceptionConditionOID="C1"/></ItemGroupDef>
<ItemGroupDef OID="IG_AE" Name="AE log" Repeating="Yes"><ItemRef ItemOID="I_TERM" Mandatory="Yes"/></ItemGroupDef>
<ItemDef OID="I_WEIGHT" Name="WEIGHT" DataType="float" SignificantDigits="1" OpenClinica:FormOIDs="F_VITALS">
<Question><TranslatedText xml:lang="de">Gewicht</TranslatedText><TranslatedText xml:lang="en">Weight (pesée)</TranslatedText></Question>
<MeasurementUnitRef MeasurementUnitOID="MU_KG"/>
<RangeCheck Comparator="GT" SoftHard="Hard"><CheckValue>20</CheckValue></RangeCheck>
<RangeCheck Comparator="LE" SoftHard="Hard"><CheckValue>300</CheckValue></RangeCheck>
<RangeCheck Comparator="NE" SoftHard="Hard"><CheckValue>99</CheckValue></RangeCheck>
</ItemDef>
<ItemDef OID="I_FEVER" Name="FEVER" DataType="integer"><Question><TranslatedText>Fever</TranslatedText></Question><CodeListRef CodeListOID="CL_YN"/></ItemDef>
<ItemDef OID="I_TERM" Name="AETERM" DataType="text" Length="200"><Question><TranslatedText>Term</TranslatedText></Question></ItemDef>
<CodeList OID="CL_YN" Name="yes/no" DataType="integer"><EnumeratedItem CodedValue="1"/><EnumeratedItem CodedValue="0"/></CodeList>
<ConditionDef OID="C1" Name="c"><Description><TranslatedText>x</TranslatedText></Description></ConditionDef>
</MetaDataVersion></Study></ODM>`;
    const r = await convertOdmMetadata({
      // One byte per character: é is 0xE9, not UTF-8's two bytes.
      file: Buffer.from(xml, 'latin1'),
      frame: frameFor('SE_BASE'),
    });
    expect(validateStudyDefinition(r.definition).issues.map(formatDefinitionIssue)).toEqual([]);
    expect(r.counts).toEqual({ forms: 2, items: 3, codeLists: 1, visits: 1 });
    expect(r.definition.forms).toEqual([
      {
        id: 'F_VITALS',
        title: 'Vitals',
        visitCodes: ['SE_BASE'],
        items: [
          {
            code: 'WEIGHT',
            label: 'Weight (pesée)',
            type: 'decimal',
            units: ['kg'],
            min: 20,
            max: 300,
            required: true,
          },
          { code: 'FEVER', label: 'Fever', type: 'code', codeList: 'CL_YN' },
        ],
      },
      {
        id: 'F_AE',
        title: 'Adverse event',
        visitCodes: ['UNSCHEDULED'],
        items: [{ code: 'AETERM', label: 'Term', type: 'text', required: true }],
        // The form's item group repeats: several records per visit.
        repeating: true,
      },
    ]);
    expect(r.definition.codeLists).toEqual([
      {
        id: 'CL_YN',
        label: 'yes/no',
        codes: [
          { code: '1', label: '1' },
          { code: '0', label: '0' },
        ],
      },
    ]);
    expect(r.unmapped.map((u) => `${u.kind} ${u.field}: ${u.what}`)).toEqual([
      'unmapped I_FEVER: ItemRef CollectionExceptionConditionOID C1',
      'unmapped I_WEIGHT: extension attributes OpenClinica:FormOIDs',
      'unmapped I_WEIGHT: SignificantDigits 1',
      'approximated I_WEIGHT: RangeCheck GT 20 (Hard)',
      'unmapped I_WEIGHT: RangeCheck NE 99 (Hard)',
      'approximated I_FEVER: DataType integer with a code list',
      'unmapped F_AE: extension element OpenClinica:FormDetails',
      'unmapped I_TERM: Length 200',
      'unmapped C1: ConditionDef',
      'approximated SE_AE: unscheduled event',
      'approximated SE_BASE: event "Baseline" as a visit',
    ]);
  });

  it('refuses what is not ODM metadata', async () => {
    await expect(convertOdmMetadata({ file: '<x/>' })).rejects.toThrow('not an ODM file');
    await expect(convertOdmMetadata({ file: '<ODM><Study OID="S"/></ODM>' })).rejects.toThrow(
      'Study S has no MetaDataVersion',
    );
    await expect(convertOdmMetadata({ file: '<ODM><Study' })).rejects.toThrow('malformed XML');
  });
});
