// A study definition exported for review and for other systems (issue #20): CDISC ODM 1.3.2
// metadata (Study / GlobalVariables / BasicDefinitions / MetaDataVersion, valid against the bundled
// schema) and a human-readable data dictionary (CSV and HTML). Pure: definition in, text out.
//
// Forms whose items come from core's catalog (the built-in trial's) are exported with the catalog's
// items, as a site sees them; their inline code lists are named `<form>.<item>`.
// OIDs: SE.<visit>, F.<form>, IG.<form>, I.<form>.<item>, CL.<code list>, MU.<n>; an ItemDef's Name
// is the item code, so odm-definition.ts reads the same codes back. What ODM has no element for is
// carried so that it reads back: help text as the ItemDef's Description, the source as its Origin,
// required as the ItemRef's Mandatory, missing-data codes as an Alias (Context msct.missingCodes), the
// lab a clinical-significance item judges as an Alias (Context msct.significanceOf).
import { itemFormsFor } from '@msct/core/crf';
import type { CodeList, DefinitionItem, StoredDefinition, VisitDefinition } from '@msct/core/protocol';
import { writeBooleanCodeList, writeCodeList } from './odm-code-list.js';
import { BOOLEAN_CODE_LIST } from './study-metadata.js';
import { escAttr, escText, translatedText, XmlWriter } from './xml-stream.js';

export interface ExportedForm {
  id: string;
  title: string;
  visitCodes: readonly string[];
  items: readonly DefinitionItem[];
  /** Several records per visit: the FormDef repeats (each record one FormRepeatKey). */
  repeating?: boolean;
}

/** The definition's forms with their items (the catalog's where the form names none) and code lists. */
export function explicitForms(definition: StoredDefinition): {
  forms: ExportedForm[];
  codeLists: CodeList[];
} {
  const codeLists: CodeList[] = [...(definition.codeLists ?? [])];
  const resolved = itemFormsFor(definition);
  const forms = (definition.forms ?? []).map((f): ExportedForm => {
    const repeating = f.repeating ? { repeating: true } : {};
    if (f.items) return { id: f.id, title: f.title, visitCodes: f.visitCodes, items: f.items, ...repeating };
    const catalog = resolved.get(f.id)?.items ?? [];
    const items = catalog.map(({ codes, ...rest }): DefinitionItem => {
      if (!codes || rest.type !== 'code') return rest;
      const id = `${f.id}.${rest.code}`;
      if (!codeLists.some((l) => l.id === id)) codeLists.push({ id, codes });
      return { ...rest, codeList: id };
    });
    return { id: f.id, title: f.title, visitCodes: f.visitCodes, items, ...repeating };
  });
  return { forms, codeLists };
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_');
const ODM_TYPE: Record<DefinitionItem['type'], string> = {
  boolean: 'boolean',
  integer: 'integer',
  decimal: 'float',
  text: 'text',
  date: 'date',
  code: 'text',
};

/** The Alias context of an item's branching logic (`showIf`) in msct's own ODM metadata. */
export const SHOW_IF_ALIAS = 'msct.showIf';

/**
 * What ODM has no attribute for, of a visit: `kind=baseline;targetDay=0;window=3/5;repeatsInCycles=yes;month=1`
 * (window `n` for ± n days, `before/after` otherwise), read back by odm-definition.ts.
 */
export const VISIT_ALIAS = 'msct.visit';
export function visitAlias(v: VisitDefinition): string {
  const w =
    typeof v.windowDays === 'number' ? String(v.windowDays) : `${v.windowDays.before}/${v.windowDays.after}`;
  return [
    `kind=${v.kind}`,
    `targetDay=${v.targetDay}`,
    `window=${w}`,
    `repeatsInCycles=${v.repeatsInCycles ? 'yes' : 'no'}`,
    ...(v.month !== undefined ? [`month=${v.month}`] : []),
  ].join(';');
}

/** The visit an alias describes, or undefined when it is not one msct wrote. */
export function parseVisitAlias(code: string, label: string, alias: string): VisitDefinition | undefined {
  const f = new Map(
    alias.split(';').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  const kind = f.get('kind');
  const targetDay = Number(f.get('targetDay'));
  const window = f.get('window') ?? '';
  const m = /^(\d+)(?:\/(\d+))?$/.exec(window);
  if (!(kind === 'screening' || kind === 'baseline' || kind === 'infusion' || kind === 'assessment'))
    return undefined;
  if (!Number.isInteger(targetDay) || !m) return undefined;
  const month = f.get('month');
  return {
    code,
    label,
    kind,
    targetDay,
    windowDays: m[2] === undefined ? Number(m[1]) : { before: Number(m[1]), after: Number(m[2]) },
    ...(month !== undefined && /^\d+$/.test(month) ? { month: Number(month) } : {}),
    repeatsInCycles: f.get('repeatsInCycles') === 'yes',
  };
}

/** The definition as an ODM 1.3.2 metadata file (no ClinicalData). */
export function definitionToOdm(
  definition: StoredDefinition,
  study: { code: string; title: string },
  now: Date = new Date(),
): string {
  let out = '';
  const xml = new XmlWriter((chunk) => {
    out += chunk;
  });
  const { forms, codeLists } = explicitForms(definition);
  const visits: VisitDefinition[] = definition.visits ?? [];
  const unscheduled = forms.some((f) => f.visitCodes.includes('UNSCHEDULED'));
  const units = new Map<string, string>();
  for (const f of forms)
    for (const it of f.items)
      for (const u of it.units ?? []) if (!units.has(u)) units.set(u, `MU.${units.size + 1}`);
  const version = definition.version ?? '1';

  xml.dec({ version: '1.0', encoding: 'UTF-8' });
  xml.ele('ODM', {
    xmlns: 'http://www.cdisc.org/ns/odm/v1.3',
    'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
    FileType: 'Snapshot',
    FileOID: `msct.definition.${safe(study.code)}.${safe(version)}`,
    CreationDateTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ODMVersion: '1.3.2',
    SourceSystem: 'msct',
    Description: `Study definition of ${study.code}, version ${version} (metadata only)`,
  });
  xml.ele('Study', { OID: `S.${safe(study.code)}` });
  xml.ele('GlobalVariables');
  xml.ele('StudyName').txt(study.title).up();
  xml
    .ele('StudyDescription')
    .txt(definition.title ?? study.title)
    .up();
  xml
    .ele('ProtocolName')
    .txt(definition.id ?? study.code)
    .up();
  xml.up();
  if (units.size > 0) {
    xml.ele('BasicDefinitions');
    for (const [unit, unitOid] of units) {
      xml.ele('MeasurementUnit', { OID: unitOid, Name: unit });
      translatedText(xml, 'Symbol', unit);
      xml.up();
    }
    xml.up();
  }
  xml.ele('MetaDataVersion', { OID: `MDV.${safe(version)}`, Name: `${study.code} definition ${version}` });
  const events = [
    ...visits.map((v) => ({ code: v.code, label: v.label, scheduled: true })),
    ...(unscheduled ? [{ code: 'UNSCHEDULED', label: 'Unscheduled visit', scheduled: false }] : []),
  ];
  if (events.length > 0) {
    xml.ele('Protocol');
    events.forEach((e, i) => {
      xml
        .ele('StudyEventRef', {
          StudyEventOID: `SE.${safe(e.code)}`,
          OrderNumber: String(i + 1),
          Mandatory: e.scheduled ? 'Yes' : 'No',
        })
        .up();
    });
    xml.up();
  }
  for (const e of events) {
    xml.ele('StudyEventDef', {
      OID: `SE.${safe(e.code)}`,
      Name: e.label,
      Repeating: e.scheduled ? 'No' : 'Yes',
      Type: e.scheduled ? 'Scheduled' : 'Unscheduled',
    });
    forms
      .filter((f) => f.visitCodes.includes(e.code))
      .forEach((f, i) => {
        xml.ele('FormRef', { FormOID: `F.${safe(f.id)}`, OrderNumber: String(i + 1), Mandatory: 'No' }).up();
      });
    const visit = visits.find((v) => v.code === e.code);
    if (visit) xml.ele('Alias', { Context: VISIT_ALIAS, Name: visitAlias(visit) }).up();
    xml.up();
  }
  for (const f of forms) {
    xml.ele('FormDef', { OID: `F.${safe(f.id)}`, Name: f.title, Repeating: f.repeating ? 'Yes' : 'No' });
    xml.ele('ItemGroupRef', { ItemGroupOID: `IG.${safe(f.id)}`, Mandatory: 'Yes' }).up();
    xml.up();
  }
  for (const f of forms) {
    xml.ele('ItemGroupDef', { OID: `IG.${safe(f.id)}`, Name: f.title, Repeating: 'No' });
    f.items.forEach((it, i) => {
      xml
        .ele('ItemRef', {
          ItemOID: `I.${safe(f.id)}.${safe(it.code)}`,
          OrderNumber: String(i + 1),
          Mandatory: it.required ? 'Yes' : 'No',
        })
        .up();
    });
    xml.up();
  }
  let booleans = false;
  for (const f of forms)
    for (const it of f.items) {
      const type = ODM_TYPE[it.type];
      xml.ele('ItemDef', {
        OID: `I.${safe(f.id)}.${safe(it.code)}`,
        Name: it.code,
        DataType: type,
        ...(it.source ? { Origin: it.source } : {}),
      });
      if (it.help) translatedText(xml, 'Description', it.help);
      translatedText(xml, 'Question', it.label);
      for (const u of it.units ?? [])
        xml.ele('MeasurementUnitRef', { MeasurementUnitOID: units.get(u)! }).up();
      for (const [comparator, bound] of [
        ['GE', it.min],
        ['LE', it.max],
      ] as const) {
        if (bound === undefined) continue;
        xml.ele('RangeCheck', { Comparator: comparator, SoftHard: 'Hard' });
        xml.ele('CheckValue').txt(String(bound)).up();
        if (it.units?.[0])
          xml.ele('MeasurementUnitRef', { MeasurementUnitOID: units.get(it.units[0])! }).up();
        xml.up();
      }
      if (it.type === 'code' && it.codeList)
        xml.ele('CodeListRef', { CodeListOID: `CL.${safe(it.codeList)}` }).up();
      if (it.type === 'boolean') {
        booleans = true;
        xml.ele('CodeListRef', { CodeListOID: BOOLEAN_CODE_LIST }).up();
      }
      if (it.missingCodes && it.missingCodes.length > 0)
        xml.ele('Alias', { Context: 'msct.missingCodes', Name: it.missingCodes.join(' ') }).up();
      // Branching logic as msct's JSON (ODM's ConditionDef holds an expression in a language of the
      // sender's choice, which no other system would read the same way).
      if (it.showIf) xml.ele('Alias', { Context: SHOW_IF_ALIAS, Name: JSON.stringify(it.showIf) }).up();
      if (it.significanceOf)
        xml.ele('Alias', { Context: 'msct.significanceOf', Name: it.significanceOf }).up();
      xml.up();
    }
  for (const l of codeLists)
    writeCodeList(xml, { oid: `CL.${safe(l.id)}`, name: l.label ?? l.id, codes: l.codes });
  if (booleans) writeBooleanCodeList(xml);
  xml.end();
  return out;
}

/** One row of the data dictionary: an item of a form. */
export interface DictionaryRow {
  form: string;
  formTitle: string;
  visits: string;
  item: string;
  label: string;
  type: string;
  units: string;
  range: string;
  required: string;
  missingCodes: string;
  codeList: string;
  codes: string;
  help: string;
  source: string;
}

const DICTIONARY_COLUMNS: ReadonlyArray<[keyof DictionaryRow, string]> = [
  ['form', 'Form'],
  ['formTitle', 'Form title'],
  ['visits', 'Visits'],
  ['item', 'Item'],
  ['label', 'Label'],
  ['type', 'Type'],
  ['units', 'Units'],
  ['range', 'Range'],
  ['required', 'Required'],
  ['missingCodes', 'Missing-data codes'],
  ['codeList', 'Code list'],
  ['codes', 'Codes'],
  ['help', 'Help text'],
  ['source', 'Source'],
];

export function dictionaryRows(definition: StoredDefinition): DictionaryRow[] {
  const { forms, codeLists } = explicitForms(definition);
  const range = (it: DefinitionItem) =>
    it.min === undefined && it.max === undefined ? '' : `${it.min ?? '…'} – ${it.max ?? '…'}`;
  return forms.flatMap((f) =>
    f.items.map((it) => {
      const list = it.codeList ? codeLists.find((l) => l.id === it.codeList) : undefined;
      return {
        form: f.id,
        formTitle: f.title,
        visits: f.visitCodes.join(' '),
        item: it.code,
        label: it.label,
        type: it.type,
        units: (it.units ?? []).join(' '),
        range: range(it),
        required: it.required ? 'yes' : '',
        missingCodes: (it.missingCodes ?? []).join(' '),
        codeList: it.codeList ?? '',
        codes: list
          ? list.codes.map((c) => `${c.code} = ${c.label}`).join(' | ')
          : it.type === 'boolean'
            ? '1 = yes | 0 = no'
            : '',
        help: it.help ?? '',
        source: it.source ?? '',
      };
    }),
  );
}

const csvField = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The data dictionary as CSV (RFC 4180, CRLF, one row per item). */
export function definitionDictionaryCsv(definition: StoredDefinition): string {
  const lines = [DICTIONARY_COLUMNS.map(([, h]) => h).join(',')];
  for (const r of dictionaryRows(definition))
    lines.push(DICTIONARY_COLUMNS.map(([k]) => csvField(r[k])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** The data dictionary as one HTML page: the schedule, then a table per form. */
export function definitionDictionaryHtml(
  definition: StoredDefinition,
  study: { code: string; title: string },
): string {
  const rows = dictionaryRows(definition);
  const h = escText;
  const visits = (definition.visits ?? [])
    .map(
      (v) =>
        `<tr><td>${h(v.code)}</td><td>${h(v.label)}</td><td>${h(v.kind)}</td><td>${v.targetDay}</td><td>${h(typeof v.windowDays === 'number' ? `± ${v.windowDays}` : `−${v.windowDays.before} / +${v.windowDays.after}`)}</td></tr>`,
    )
    .join('\n');
  const byForm = new Map<string, DictionaryRow[]>();
  for (const r of rows) byForm.set(r.form, [...(byForm.get(r.form) ?? []), r]);
  const cols = DICTIONARY_COLUMNS.filter(([k]) => k !== 'form' && k !== 'formTitle' && k !== 'visits');
  const formSections = (definition.forms ?? [])
    .map((f) => {
      const items = byForm.get(f.id) ?? [];
      return `<section id="form-${escAttr(f.id)}">
<h2>${h(f.title)} <small>(${h(f.id)})</small></h2>
<p>Collected at: ${h(f.visitCodes.join(', '))}</p>
<table>
<thead><tr>${cols.map(([, t]) => `<th scope="col">${h(t)}</th>`).join('')}</tr></thead>
<tbody>
${items.map((r) => `<tr>${cols.map(([k]) => `<td>${h(r[k])}</td>`).join('')}</tr>`).join('\n')}
</tbody>
</table>
</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Data dictionary — ${h(study.code)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse;margin-bottom:1.5rem}th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#eee}</style>
</head>
<body>
<h1>Data dictionary — ${h(study.title)}</h1>
<p>Study ${h(study.code)}; definition ${h(definition.id ?? '')} version ${h(definition.version ?? '')}; ${byForm.size} forms, ${rows.length} items.</p>
<h2>Visits</h2>
<table>
<thead><tr><th scope="col">Code</th><th scope="col">Label</th><th scope="col">Kind</th><th scope="col">Target day</th><th scope="col">Window (days)</th></tr></thead>
<tbody>
${visits}
</tbody>
</table>
${formSections}
</body>
</html>
`;
}
