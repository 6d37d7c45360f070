// The definition exported (issue #20): ODM 1.3.2 metadata valid against the bundled schema (xmllint),
// read back into the same forms, items and code lists; the data dictionary as CSV and HTML.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msctSleTrial, validateStudyDefinition } from '@msct/core/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import {
  definitionDictionaryCsv,
  definitionDictionaryHtml,
  definitionToOdm,
  explicitForms,
} from './definition-export.js';
import { parseStudyFrame } from './definition-frame.js';
import { convertOdmMetadata } from './odm-definition.js';
import { convertRedcapDictionary } from './redcap-dictionary.js';
import { xsdErrors } from './testing/test-study.js';

const dir = mkdtempSync(join(tmpdir(), 'msct-definition-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixtures = join(import.meta.dirname, 'testing', 'fixtures', 'definitions', 'hand-written');
const study = { code: 'MSCT-SLE', title: 'MSCT in SLE' };

async function converted() {
  const r = await convertRedcapDictionary({
    dictionary: readFileSync(join(fixtures, 'dictionary.csv')),
    events: readFileSync(join(fixtures, 'event.csv')),
    instrumentEvents: readFileSync(join(fixtures, 'instrument-event.csv')),
    frame: parseStudyFrame(readFileSync(join(fixtures, 'frame.json'), 'utf8')),
  });
  const v = validateStudyDefinition(r.definition);
  if (!v.ok) throw new Error('the fixture definition is invalid');
  return v.value;
}

describe('definition → ODM 1.3.2 metadata → definition', () => {
  it('the built-in trial: valid against the ODM 1.3.2 schema, and its forms, items and code lists read back', async () => {
    const xml = definitionToOdm(msctSleTrial, study, new Date('2026-12-05T00:00:00Z'));
    const file = join(dir, 'msct-sle.xml');
    writeFileSync(file, xml);
    expect(xsdErrors(file)).toBe('');
    expect(xml).toContain(
      '<StudyEventDef OID="SE.D0" Name="Baseline / infusion 1" Repeating="No" Type="Scheduled">',
    );
    expect(xml).not.toContain('ClinicalData');
    // The frame gives what ODM cannot carry; the visits travel in the file (Alias msct.visit).
    const { forms, codeLists, visits, ...frame } = msctSleTrial;
    const back = await convertOdmMetadata({ file: xml, frame });
    expect(back.definition.visits).toEqual(visits);
    expect(back.unmapped).toEqual([]);
    const v = validateStudyDefinition(back.definition);
    expect(v.ok).toBe(true);
    // Forms whose items the catalog gives (eligibility, consent) come back with those items.
    const exported = explicitForms(msctSleTrial);
    expect(back.definition.forms).toEqual(exported.forms);
    expect(back.definition.codeLists).toEqual(exported.codeLists);
    // 130 items and 2 code lists before issue #22's sample date/time and six CS/NCS items with their list.
    expect(back.counts).toEqual({ forms: 11, items: 138, codeLists: 3, visits: 8 });
    expect(forms.map((f) => f.id)).toEqual(exported.forms.map((f) => f.id));
    expect(codeLists).toEqual(exported.codeLists);
  });

  it('a definition converted from REDCap: visits, booleans, shared code lists, required and help read back exactly', async () => {
    const d = await converted();
    const xml = definitionToOdm(d, { code: 'RC', title: 'From REDCap' });
    const file = join(dir, 'redcap.xml');
    writeFileSync(file, xml);
    expect(xsdErrors(file)).toBe('');
    const { forms, codeLists, visits, ...frame } = d;
    const back = await convertOdmMetadata({ file: xml, frame });
    expect(back.unmapped).toEqual([]);
    expect(back.definition.visits).toEqual(visits);
    expect(back.definition.forms).toEqual(forms);
    expect(back.definition.codeLists).toEqual(codeLists);
  });

  it('carries missing-data codes, sources and units', async () => {
    const d = await converted();
    const withMore = {
      ...d,
      forms: [
        {
          id: 'labs',
          title: 'Labs',
          visitCodes: ['week_4_arm_1', 'UNSCHEDULED'],
          items: [
            {
              code: 'creatinine',
              label: 'Creatinine',
              type: 'decimal' as const,
              units: ['µmol/L', 'mg/dL'],
              min: 10,
              max: 2000,
              missingCodes: ['ND' as const, 'NK' as const],
              source: 'trial.md Schedule',
              required: true,
            },
          ],
        },
      ],
    };
    const xml = definitionToOdm(withMore, { code: 'RC', title: 'x' });
    const file = join(dir, 'more.xml');
    writeFileSync(file, xml);
    expect(xsdErrors(file)).toBe('');
    const { forms, codeLists: _, ...frame } = withMore;
    const back = await convertOdmMetadata({ file: xml, frame });
    expect(back.definition.forms).toEqual(forms);
  });

  it('a repeating form (several records per visit) travels as a repeating FormDef and reads back', async () => {
    const d = await converted();
    const conmed = {
      id: 'conmed',
      title: 'Concomitant medication',
      visitCodes: [d.visits[0]!.code],
      repeating: true,
      items: [{ code: 'drug', label: 'Drug', type: 'text' as const }],
    };
    const withRepeating = { ...d, forms: [...d.forms, conmed] };
    const xml = definitionToOdm(withRepeating, { code: 'RC', title: 'x' });
    const file = join(dir, 'repeating.xml');
    writeFileSync(file, xml);
    expect(xsdErrors(file)).toBe('');
    expect(xml).toContain('<FormDef OID="F.conmed" Name="Concomitant medication" Repeating="Yes">');
    const { forms, codeLists: _, visits: __, ...frame } = withRepeating;
    const back = await convertOdmMetadata({ file: xml, frame });
    expect(back.unmapped).toEqual([]);
    expect(back.definition.forms).toEqual(forms);
    const v = validateStudyDefinition(back.definition);
    expect(v.ok && v.value.forms.filter((f) => f.repeating).map((f) => f.id)).toEqual(['conmed']);
  });
});

describe('the data dictionary', () => {
  it('CSV: one row per item with its type, range, codes and visits', async () => {
    const csv = definitionDictionaryCsv(await converted());
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'Form,Form title,Visits,Item,Label,Type,Units,Range,Required,Missing-data codes,Code list,Codes,Help text,Source',
    );
    expect(lines.length).toBe(1 + 12);
    expect(lines).toContain(
      'vitals,Vitals,screening_arm_1 week_4_arm_1,weight,Weight (kg),decimal,,30 – 250,yes,,,,Without shoes,',
    );
    expect(lines).toContain(
      'vitals,Vitals,screening_arm_1 week_4_arm_1,smoker,Smoker,code,,,,,smoker,"0 = Never | 1 = Current, daily | 2 = Former",,',
    );
  });

  it('HTML: the schedule and a table per form, text escaped', async () => {
    const d = await converted();
    const html = definitionDictionaryHtml(
      { ...d, forms: [...d.forms, { id: 'x', title: '<script>', visitCodes: ['UNSCHEDULED'], items: [] }] },
      { code: 'RC', title: 'A & B' },
    );
    expect(html).toContain('<h1>Data dictionary — A &amp; B</h1>');
    expect(html).toContain(
      '<td>week_4_arm_1</td><td>Week 4</td><td>assessment</td><td>28</td><td>−3 / +3</td>',
    );
    expect(html).toContain('<h2>&lt;script&gt; <small>(x)</small></h2>');
    expect(html).not.toContain('<script>');
    expect(html.match(/<section /g)?.length).toBe(3);
  });
});
