// CDISC ODM 1.3.2 (and REDCap's 1.3.1) metadata converted into an msct study definition (issue #20
// "Build without code"): the first Study's MetaDataVersion — StudyEventDef → visits, FormDef →
// forms, the items of the form's ItemGroupDefs → the form's items, ItemDef (DataType, Length,
// SignificantDigits, Question, Description, MeasurementUnitRef, RangeCheck, CodeListRef), CodeList
// (CodeListItem, EnumeratedItem) → code lists, BasicDefinitions' MeasurementUnits → units.
// Everything else is listed as unmapped, never dropped silently: vendor extensions (REDCap's
// `redcap:*`, OpenClinica's `OpenClinica:*` elements and attributes), conditions, methods, aliases,
// soft checks…. A repeating FormDef, or a form with a repeating ItemGroupDef, becomes a repeating
// form (several records per visit; each instance of the form or of its repeating group one record),
// unless it is a form the analysis reads (then it is noted, one record per visit).
//
// msct's own definition export (definition-export.ts) names its OIDs with prefixes (SE., F., I.<form>.,
// CL.); REDCap's with others (Event., Form.); the codes are the OIDs without those prefixes.
// The bytes are decoded as the file declares (text-decoding.ts); no DTD is read. ClinicalData,
// AdminData and ReferenceData are parsed but not kept in the tree: a project export with its records
// holds its text once and its metadata as elements.

import {
  ANALYSIS_FORM_CODES,
  type CodeList,
  type DefinitionItem,
  type FormDefinition,
  showIfSchema,
  type VisitDefinition,
} from '@msct/core/protocol';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { parseVisitAlias, SHOW_IF_ALIAS, VISIT_ALIAS } from './definition-export.js';
import {
  assembleDefinition,
  type DefinitionConversion,
  DefinitionFileError,
  eventsToVisits,
  type StudyFrame,
  type UnmappedConstruct,
} from './definition-frame.js';
import { measurementUnitName } from './odm-reader.js';
import { helpWithSourceUnit, itemUnitRule } from './odm-units.js';
import { ByteDecoder, sniffXml } from './text-decoding.js';

interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
  line: number;
}

const SKIPPED_SUBTREES = new Set(['ClinicalData', 'ReferenceData', 'AdminData', 'Association', 'Signature']);

/** The ODM file as a tree of its Study elements (ClinicalData and the like are not kept). */
function parseTree(bytes: Buffer | string): El {
  const parser = new SaxesParser<{ position: true; xmlns: false }>({ position: true, xmlns: false });
  const root: El = { name: '#root', attrs: {}, children: [], text: '', line: 0 };
  const stack: El[] = [root];
  let skipping = 0;
  parser.on('doctype', () => {
    throw new DefinitionFileError('a DOCTYPE is not accepted: ODM files have no DTD');
  });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    if (skipping > 0 || (stack.length === 2 && SKIPPED_SUBTREES.has(tag.name))) {
      skipping++;
      return;
    }
    const el: El = {
      name: tag.name,
      attrs: tag.attributes as Record<string, string>,
      children: [],
      text: '',
      line: parser.line,
    };
    stack[stack.length - 1]!.children.push(el);
    stack.push(el);
  });
  const onText = (t: string) => {
    if (skipping === 0) stack[stack.length - 1]!.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    if (skipping > 0) skipping--;
    else stack.pop();
  });
  let text: string;
  try {
    const decoder = new ByteDecoder(sniffXml);
    text = typeof bytes === 'string' ? bytes : decoder.write(bytes) + decoder.end();
  } catch (e) {
    throw new DefinitionFileError(e instanceof Error ? e.message : String(e));
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    parser.write(text).close();
  } catch (e) {
    if (e instanceof DefinitionFileError) throw e;
    throw new DefinitionFileError(`malformed XML: ${e instanceof Error ? e.message : String(e)}`);
  }
  return root;
}

const redcapNumber = (v: string | undefined) =>
  v !== undefined && /^-?\d+$/.test(v.trim()) ? Number(v) : undefined;
/** Extension attributes the converter reads (REDCap's event schedule): not listed as unmapped. */
const READ_EXTENSIONS = new Set(['redcap:DayOffset', 'redcap:OffsetMin', 'redcap:OffsetMax']);

const kids = (el: El | undefined, name: string) => el?.children.filter((c) => c.name === name) ?? [];
const kid = (el: El | undefined, name: string) => el?.children.find((c) => c.name === name);
const isExtension = (name: string) =>
  name.includes(':') && !name.startsWith('xml:') && !name.startsWith('xmlns');

/** The English (or first) TranslatedText of a Question / Description / Decode element. */
function translated(el: El | undefined): string | undefined {
  const texts = kids(el, 'TranslatedText');
  const t = texts.find((x) => (x.attrs['xml:lang'] ?? '').startsWith('en')) ?? texts[0];
  const s = t?.text.trim();
  return s ? s : undefined;
}

const strip = (oid: string, prefixes: readonly string[]) => {
  for (const p of prefixes) if (oid.startsWith(p) && oid.length > p.length) return oid.slice(p.length);
  return oid;
};

/** ODM DataTypes msct holds as a date-time or time: kept as text and listed. */
const TEXT_LIKE = new Set([
  'text',
  'string',
  'datetime',
  'time',
  'partialDate',
  'partialTime',
  'partialDatetime',
  'durationDatetime',
  'intervalDatetime',
  'incompleteDatetime',
  'incompleteDate',
  'incompleteTime',
  'URI',
  'hexBinary',
  'base64Binary',
  'hexFloat',
  'base64Float',
]);

export async function convertOdmMetadata(input: {
  file: Buffer | string;
  frame?: StudyFrame;
}): Promise<DefinitionConversion> {
  const frame = input.frame ?? {};
  const unmapped: UnmappedConstruct[] = [];
  const note = (
    row: string,
    field: string,
    what: string,
    why: string,
    kind: UnmappedConstruct['kind'] = 'unmapped',
  ) => unmapped.push({ row, field, what, why, kind });

  const root = parseTree(input.file);
  const odm = kid(root, 'ODM');
  if (!odm) throw new DefinitionFileError('not an ODM file: the root element is not ODM');
  const studies = kids(odm, 'Study');
  const study = studies[0];
  if (!study) throw new DefinitionFileError('the ODM file has no Study element: no metadata to convert');
  if (studies.length > 1)
    note(
      `Study ${studies[1]!.attrs.OID}`,
      studies[1]!.attrs.OID ?? '',
      `${studies.length - 1} further Study element(s)`,
      'one study is converted: the first',
    );
  const mdvs = kids(study, 'MetaDataVersion');
  const mdv = mdvs[0];
  if (!mdv) throw new DefinitionFileError(`Study ${study.attrs.OID ?? ''} has no MetaDataVersion`);
  if (mdvs.length > 1)
    note(
      `MetaDataVersion ${mdvs[1]!.attrs.OID}`,
      mdvs[1]!.attrs.OID ?? '',
      `${mdvs.length - 1} further MetaDataVersion(s)`,
      'one version is converted: the first',
    );

  /** Every extension element and attribute of an element, listed once per element. */
  const extensions = (el: El, where: string) => {
    const attrs = Object.keys(el.attrs).filter((a) => isExtension(a) && !READ_EXTENSIONS.has(a));
    if (attrs.length > 0)
      note(
        where,
        el.attrs.OID ?? el.name,
        `extension attributes ${attrs.join(', ')}`,
        `vendor extensions (${[...new Set(attrs.map((a) => a.split(':')[0]))].join(', ')}) are not part of the definition`,
      );
    for (const c of el.children)
      if (isExtension(c.name))
        note(
          `${where} line ${c.line}`,
          el.attrs.OID ?? el.name,
          `extension element ${c.name}`,
          'vendor extensions are not part of the definition',
        );
  };
  const gv = kid(study, 'GlobalVariables');
  if (gv) extensions(gv, 'GlobalVariables');
  extensions(mdv, `MetaDataVersion ${mdv.attrs.OID ?? ''}`);

  // Units.
  const units = new Map<string, string>();
  for (const u of kids(kid(study, 'BasicDefinitions'), 'MeasurementUnit'))
    if (u.attrs.OID)
      units.set(
        u.attrs.OID,
        measurementUnitName({
          oid: u.attrs.OID,
          name: u.attrs.Name,
          symbols: kids(kid(u, 'Symbol'), 'TranslatedText').map((x) => ({
            lang: x.attrs['xml:lang'],
            text: x.text,
          })),
        }),
      );

  // Code lists.
  const codeListIds = new Map<string, string>();
  const codeLists: CodeList[] = [];
  for (const cl of kids(mdv, 'CodeList')) {
    const clOid = cl.attrs.OID ?? '';
    const where = `CodeList ${clOid}`;
    extensions(cl, where);
    const items = [...kids(cl, 'CodeListItem'), ...kids(cl, 'EnumeratedItem')];
    const external = kid(cl, 'ExternalCodeList');
    if (external) {
      note(
        where,
        clOid,
        `external code list ${external.attrs.Dictionary ?? ''} ${external.attrs.Version ?? ''}`.trim(),
        'msct holds the codes themselves, not a reference to a dictionary',
      );
      continue;
    }
    const codes = items
      .map((it) => ({
        code: it.attrs.CodedValue ?? '',
        label: translated(kid(it, 'Decode')) ?? it.attrs.CodedValue ?? '',
      }))
      .filter((c) => c.code.trim() !== '');
    if (codes.length === 0) {
      note(where, clOid, 'code list without codes', 'a code list needs at least one code');
      continue;
    }
    // msct's `CL.<id>`; REDCap's `<field>.choices`.
    const id = strip(clOid, ['CL.']).replace(/\.choices$/, '');
    const name = cl.attrs.Name;
    codeListIds.set(clOid, id);
    codeLists.push({ id, ...(name && name !== id ? { label: name } : {}), codes });
  }
  const usedLists = new Set<string>();
  const booleanLists = new Set<string>();

  // Items.
  const itemDefs = new Map(kids(mdv, 'ItemDef').map((d) => [d.attrs.OID ?? '', d]));
  const listed = new Set<string>();
  const convertItem = (itemOid: string, mandatory: boolean): DefinitionItem | undefined => {
    const d = itemDefs.get(itemOid);
    const where = `ItemDef ${itemOid}`;
    if (!d) {
      note(where, itemOid, 'ItemRef to an undeclared ItemDef', 'the item has no definition in the file');
      return undefined;
    }
    const first = !listed.has(itemOid);
    listed.add(itemOid);
    const say = (what: string, why: string, kind: UnmappedConstruct['kind'] = 'unmapped') => {
      if (first) note(where, itemOid, what, why, kind);
    };
    if (first) extensions(d, where);
    const name = d.attrs.Name ?? itemOid;
    const code = /^[A-Za-z0-9_.-]+$/.test(name) ? name : strip(itemOid, ['I.']);
    const label = translated(kid(d, 'Question')) ?? name;
    const help = translated(kid(d, 'Description'));
    const dataType = d.attrs.DataType ?? 'text';
    const clRef = kid(d, 'CodeListRef')?.attrs.CodeListOID;
    const item: DefinitionItem = { code, label, type: 'text' };
    if (dataType === 'boolean') {
      item.type = 'boolean';
      // Its code list decodes 1/0, the boolean's own lexical forms: nothing more to keep.
      if (clRef !== undefined) booleanLists.add(clRef);
    } else if (clRef !== undefined) {
      const id = codeListIds.get(clRef);
      if (id === undefined) {
        say(
          `CodeListRef ${clRef}`,
          'the code list is not declared in the file (or was not converted): the item is kept as text',
        );
      } else {
        item.type = 'code';
        item.codeList = id;
        usedLists.add(id);
        if (dataType !== 'text' && dataType !== 'string')
          say(
            `DataType ${dataType} with a code list`,
            'msct code items hold their codes as text',
            'approximated',
          );
      }
    } else if (dataType === 'integer') item.type = 'integer';
    else if (dataType === 'float' || dataType === 'double') item.type = 'decimal';
    else if (dataType === 'date') item.type = 'date';
    else if (TEXT_LIKE.has(dataType)) {
      if (dataType !== 'text' && dataType !== 'string')
        say(
          `DataType ${dataType}`,
          'msct has no such item type: kept as text, the format is not checked',
          'approximated',
        );
    } else say(`DataType ${dataType}`, 'not an ODM 1.3.2 data type: kept as text', 'approximated');
    if (d.attrs.Length !== undefined)
      say(`Length ${d.attrs.Length}`, 'msct items have no length limit', 'unmapped');
    if (d.attrs.SignificantDigits !== undefined)
      say(
        `SignificantDigits ${d.attrs.SignificantDigits}`,
        'msct decimals keep the digits entered; no precision is declared',
        'unmapped',
      );
    if (help) item.help = help;
    if (d.attrs.Origin) item.source = d.attrs.Origin;
    if (mandatory) item.required = true;
    const numeric = item.type === 'integer' || item.type === 'decimal';
    const unitRefs = kids(d, 'MeasurementUnitRef').map((u) => u.attrs.MeasurementUnitOID ?? '');
    if (unitRefs.length > 0) {
      const names = unitRefs.map((u) => units.get(u));
      // The rule the data import applies to the item's values too (odm-units.ts itemUnitRule).
      const rule = itemUnitRule(
        item.type,
        names.map((n, i) => n ?? unitRefs[i]!),
      );
      if ('drop' in rule) {
        say(`MeasurementUnitRef ${unitRefs.join(', ')} (${rule.drop.join(', ')})`, rule.why, 'approximated');
        item.help = helpWithSourceUnit(item.help, rule.drop);
      } else if (names.some((n) => n === undefined))
        say(`MeasurementUnitRef ${unitRefs.join(', ')}`, 'a unit not declared in BasicDefinitions');
      else item.units = rule.keep;
    }
    for (const rc of kids(d, 'RangeCheck')) {
      const comparator = rc.attrs.Comparator ?? '';
      const values = kids(rc, 'CheckValue').map((v) => v.text.trim());
      const value = values.length === 1 ? Number(values[0]) : Number.NaN;
      const what = `RangeCheck ${comparator} ${values.join(' ')} (${rc.attrs.SoftHard ?? 'Hard'})`;
      if (!numeric || !Number.isFinite(value) || !['GE', 'GT', 'LE', 'LT'].includes(comparator)) {
        say(
          what,
          numeric
            ? 'msct ranges are one numeric min and max (GE/LE)'
            : `msct holds ranges for numeric items only, this item is ${item.type}`,
        );
        continue;
      }
      if (comparator === 'GE' || comparator === 'GT') item.min = value;
      else item.max = value;
      const rcUnit = kid(rc, 'MeasurementUnitRef')?.attrs.MeasurementUnitOID;
      if (rcUnit && item.units && units.get(rcUnit) !== item.units[0])
        say(
          `${what} in unit ${rcUnit}`,
          "msct ranges are in the item's first unit: the bound is taken as is",
          'approximated',
        );
      if (comparator === 'GT' || comparator === 'LT')
        say(
          what,
          'msct ranges include their bound: a strict comparison is taken as inclusive',
          'approximated',
        );
      if (rc.attrs.SoftHard === 'Soft')
        say(
          what,
          "a soft check in the source (a warning); msct's min/max refuse a value outside it",
          'approximated',
        );
    }
    const missing = kids(d, 'Alias').find((a) => a.attrs.Context === 'msct.missingCodes');
    if (missing?.attrs.Name) {
      const codes = missing.attrs.Name.split(/\s+/).filter(
        (c): c is 'ND' | 'NK' | 'NA' => c === 'ND' || c === 'NK' || c === 'NA',
      );
      if (codes.length > 0) item.missingCodes = codes;
    }
    const showIf = kids(d, 'Alias').find((a) => a.attrs.Context === SHOW_IF_ALIAS);
    if (showIf?.attrs.Name) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(showIf.attrs.Name);
      } catch {
        parsed = undefined;
      }
      const ok = showIfSchema.safeParse(parsed);
      if (ok.success) item.showIf = ok.data;
      else say(`Alias ${SHOW_IF_ALIAS}=${showIf.attrs.Name}`, 'not a branching condition msct can read');
    }
    const significanceOf = kids(d, 'Alias').find((a) => a.attrs.Context === 'msct.significanceOf');
    if (significanceOf?.attrs.Name) item.significanceOf = significanceOf.attrs.Name;
    for (const c of d.children) {
      if (
        c.name === 'Alias' &&
        (c.attrs.Context === 'msct.missingCodes' ||
          c.attrs.Context === SHOW_IF_ALIAS ||
          c.attrs.Context === 'msct.significanceOf')
      )
        continue;
      if (['Alias', 'ExternalQuestion', 'Role'].includes(c.name))
        say(
          `${c.name}${c.attrs.Context ? ` ${c.attrs.Context}=${c.attrs.Name ?? ''}` : ''}`,
          `an ItemDef's ${c.name} is not part of the definition`,
        );
    }
    return item;
  };

  // Forms: the items of their item groups, in order.
  const groupDefs = new Map(kids(mdv, 'ItemGroupDef').map((g) => [g.attrs.OID ?? '', g]));
  const seenGroups = new Set<string>();
  const forms: Array<{ oid: string; def: FormDefinition }> = [];
  /** Where the file's ClinicalData goes: ItemOID → `form.item`, StudyEventOID → visit code. */
  const oidMap: Record<string, string> = {};
  let itemCount = 0;
  for (const f of kids(mdv, 'FormDef')) {
    const formOid = f.attrs.OID ?? '';
    const where = `FormDef ${formOid}`;
    extensions(f, where);
    const id = strip(formOid, ['F.', 'Form.']);
    // Repeating when the FormDef repeats or one of its item groups does (OpenClinica 3 writes its
    // logs as a repeating ItemGroupDef in a non-repeating FormDef).
    let repeating = f.attrs.Repeating === 'Yes';
    for (const c of f.children)
      if (c.name === 'ArchiveLayout' || c.name === 'Alias')
        note(where, formOid, c.name, `a FormDef's ${c.name} is not part of the definition`);
    const items: DefinitionItem[] = [];
    for (const ref of kids(f, 'ItemGroupRef')) {
      const gOid = ref.attrs.ItemGroupOID ?? '';
      const g = groupDefs.get(gOid);
      if (!g) {
        note(where, formOid, `ItemGroupRef ${gOid}`, 'the item group is not declared in the file');
        continue;
      }
      if (!seenGroups.has(gOid)) {
        seenGroups.add(gOid);
        extensions(g, `ItemGroupDef ${gOid}`);
        for (const ref2 of kids(g, 'ItemRef')) {
          const extra = Object.keys(ref2.attrs).filter(isExtension);
          if (extra.length > 0)
            note(
              `ItemGroupDef ${gOid}`,
              ref2.attrs.ItemOID ?? '',
              `ItemRef extension attributes ${extra.join(', ')}`,
              'vendor extensions are not part of the definition',
            );
          for (const a of ['MethodOID', 'CollectionExceptionConditionOID', 'RoleCodeListOID', 'Role'])
            if (ref2.attrs[a])
              note(
                `ItemGroupDef ${gOid}`,
                ref2.attrs.ItemOID ?? '',
                `ItemRef ${a} ${ref2.attrs[a]}`,
                'conditions, methods and roles are not part of the definition',
              );
        }
      }
      if (g.attrs.Repeating === 'Yes') repeating = true;
      for (const ref2 of kids(g, 'ItemRef')) {
        const item = convertItem(ref2.attrs.ItemOID ?? '', ref2.attrs.Mandatory === 'Yes');
        if (!item) continue;
        if (items.some((i) => i.code === item.code)) {
          note(
            where,
            ref2.attrs.ItemOID ?? '',
            `item ${item.code} in more than one group of the form`,
            'a form holds an item once: the first is kept',
          );
          continue;
        }
        items.push(item);
        const itemOid = ref2.attrs.ItemOID ?? '';
        if (!Object.hasOwn(oidMap, itemOid)) oidMap[itemOid] = `${id}.${item.code}`;
      }
    }
    itemCount += items.length;
    if (repeating && ANALYSIS_FORM_CODES.has(id)) {
      note(
        where,
        formOid,
        'repeating form',
        `"${id}" is a form the analysis reads (one record per visit): it is not made repeating`,
      );
      repeating = false;
    }
    forms.push({
      oid: formOid,
      def: { id, title: f.attrs.Name ?? id, visitCodes: [], items, ...(repeating ? { repeating } : {}) },
    });
  }
  for (const g of groupDefs.keys())
    if (!seenGroups.has(g))
      note(`ItemGroupDef ${g}`, g, 'item group of no form', 'only the item groups of forms are converted');
  for (const oid of itemDefs.keys())
    if (!listed.has(oid))
      note(`ItemDef ${oid}`, oid, 'item of no form', 'only the items of forms are converted');
  for (const el of mdv.children)
    if (['ConditionDef', 'MethodDef', 'Presentation', 'Include', 'ImputationMethod'].includes(el.name))
      note(
        `${el.name} ${el.attrs.OID ?? ''}`.trim(),
        el.attrs.OID ?? el.name,
        el.name,
        `a MetaDataVersion's ${el.name} is not part of the definition (edit checks and derivations are not read from ODM)`,
      );

  // Visits: the protocol's order, else the file's.
  const eventDefs = kids(mdv, 'StudyEventDef');
  const order = kids(kid(mdv, 'Protocol'), 'StudyEventRef').map((r) => r.attrs.StudyEventOID ?? '');
  const ordered = [
    ...order.map((o) => eventDefs.find((e) => e.attrs.OID === o)).filter((e): e is El => e !== undefined),
    ...eventDefs.filter((e) => !order.includes(e.attrs.OID ?? '')),
  ];
  const formByOid = new Map(forms.map((f) => [f.oid, f.def]));
  const scheduled: Array<{
    code: string;
    label: string;
    row: string;
    visit?: VisitDefinition;
    dayOffset?: number;
    window?: { before: number; after: number };
  }> = [];
  for (const e of ordered) {
    const eOid = e.attrs.OID ?? '';
    const where = `StudyEventDef ${eOid}`;
    extensions(e, where);
    const code = strip(eOid, ['SE.', 'Event.']);
    const unscheduled = e.attrs.Type === 'Unscheduled';
    const label = e.attrs.Name ?? code;
    const alias = kids(e, 'Alias').find((a) => a.attrs.Context === VISIT_ALIAS);
    const visit = alias ? parseVisitAlias(code, label, alias.attrs.Name ?? '') : undefined;
    if (alias && !visit)
      note(where, eOid, `Alias ${VISIT_ALIAS}=${alias.attrs.Name ?? ''}`, 'not a visit as msct writes it');
    for (const a of kids(e, 'Alias'))
      if (a !== alias)
        note(
          where,
          eOid,
          `Alias ${a.attrs.Context ?? ''}=${a.attrs.Name ?? ''}`,
          "a StudyEventDef's Alias is not part of the definition",
        );
    // REDCap's scheduling module writes the day offset and window as extension attributes.
    const offset = redcapNumber(e.attrs['redcap:DayOffset']);
    const before = redcapNumber(e.attrs['redcap:OffsetMin']);
    const after = redcapNumber(e.attrs['redcap:OffsetMax']);
    oidMap[eOid] = unscheduled ? 'UNSCHEDULED' : code;
    if (!unscheduled)
      scheduled.push({
        code,
        label,
        row: where,
        ...(visit ? { visit } : {}),
        ...(offset !== undefined ? { dayOffset: offset } : {}),
        ...(before !== undefined && after !== undefined ? { window: { before, after } } : {}),
      });
    else if (code !== 'UNSCHEDULED')
      note(
        where,
        eOid,
        'unscheduled event',
        "its forms are offered at msct's unscheduled visits",
        'approximated',
      );
    if (e.attrs.Repeating === 'Yes' && !unscheduled)
      note(
        where,
        eOid,
        'repeating event',
        'a visit of the schedule happens once per cycle; repeats are unscheduled visits',
        'approximated',
      );
    for (const ref of kids(e, 'FormRef')) {
      const f = formByOid.get(ref.attrs.FormOID ?? '');
      if (!f) {
        note(where, eOid, `FormRef ${ref.attrs.FormOID ?? ''}`, 'the form is not declared in the file');
        continue;
      }
      const visit = unscheduled ? 'UNSCHEDULED' : code;
      if (!f.visitCodes.includes(visit)) f.visitCodes.push(visit);
    }
  }
  let visits = scheduled.length > 0 ? eventsToVisits(scheduled, frame, unmapped) : undefined;
  const fallback =
    visits === undefined
      ? (frame.visits?.find((v) => v.kind === 'baseline') ?? frame.visits?.[0])?.code
      : undefined;
  if (visits === undefined && fallback === undefined && forms.length > 0) {
    // No events (a REDCap classic project): its one implicit event.
    visits = eventsToVisits(
      [{ code: 'event_1_arm_1', label: 'Event 1', row: 'MetaDataVersion' }],
      frame,
      unmapped,
    );
  }
  // A file without events (a REDCap classic project) has FormData outside any StudyEventData: its
  // one visit.
  if (scheduled.length === 0) oidMap[''] = fallback ?? 'event_1_arm_1';
  for (const f of forms)
    if (f.def.visitCodes.length === 0) {
      const at = fallback ?? (scheduled.length === 0 ? 'event_1_arm_1' : undefined);
      if (at) f.def.visitCodes.push(at);
      else {
        note(
          `FormDef ${f.oid}`,
          f.oid,
          'form of no event',
          'no StudyEventDef collects it: it is offered at unscheduled visits only',
          'approximated',
        );
        f.def.visitCodes.push('UNSCHEDULED');
      }
    }
  const keptLists = codeLists.filter((l) => usedLists.has(l.id));
  const booleanIds = new Set([...booleanLists].map((o) => codeListIds.get(o)));
  for (const l of codeLists)
    if (!usedLists.has(l.id) && !booleanIds.has(l.id))
      note(
        `CodeList ${l.id}`,
        l.id,
        'code list of no converted item',
        'only the code lists items use are kept',
      );

  const title = kid(gv, 'StudyName')?.text.trim();
  const protocol = kid(gv, 'ProtocolName')?.text.trim();
  return {
    definition: assembleDefinition(frame, {
      ...(protocol ? { id: protocol } : {}),
      ...(title ? { title } : {}),
      visits,
      forms: forms.map((f) => f.def),
      codeLists: keptLists,
    }),
    unmapped,
    oidMap,
    counts: {
      forms: forms.length,
      items: itemCount,
      codeLists: keptLists.length,
      visits: visits?.length ?? frame.visits?.length ?? 0,
    },
  };
}
