// A streaming reader of ODM ClinicalData: the file is fed to saxes chunk by chunk, and each
// SubjectData is handed over as soon as it closes, so memory holds one subject (plus one chunk), not
// the file. Only what an import needs is kept: MeasurementUnits, AdminData Locations, and per subject
// its SiteRef, the last ItemData of each value, and its repeating item groups.
// Values come from ItemData/@Value and from the typed elements of ODM 1.3.2 (ItemDataString,
// ItemDataInteger, … the ItemDataStarGroup of ODM1-3-2-foundation.xsd), whose value is the element's
// text and whose unit is its MeasurementUnitOID attribute.
// Encoding: the bytes are decoded as the file says (XML 1.0 §4.3.3 and appendix F): a byte order mark
// (UTF-8, UTF-16LE/BE) first, else the XML declaration's encoding (UTF-8, UTF-16, ISO-8859-1,
// windows-1252 and the other WHATWG labels TextDecoder knows), else UTF-8. Bytes that are not valid
// in that encoding are refused with their offset, never replaced by U+FFFD.
// Security: no DTD is read and no entity is expanded (saxes knows only the five XML entities and
// character references); a DOCTYPE is refused outright, so no entity trick can get through.
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { ByteDecoder, sniffXml, UndecodableBytes } from './text-decoding.js';

export interface OdmItem {
  /** Ordinal of the ItemData in the file (1-based): the "row" of a problem. */
  row: number;
  /** The ODM path of the value: subject/event[repeat]/form/group[repeat]/item. */
  path: string;
  eventOid: string;
  eventRepeatKey: string | undefined;
  formOid: string;
  formRepeatKey: string | undefined;
  groupOid: string;
  groupRepeatKey: string | undefined;
  itemOid: string;
  value: string | null;
  unitOid: string | null;
  /**
   * msct's missing-data code of an empty value (ND, NK, NA): ODM 1.3.2 has no attribute for it, so
   * msct writes it as an Annotation's Flag whose FlagValue names the code list MISSING_CODE_LIST_OID.
   */
  missingCode?: string;
}

/** The CodeListOID of the Flag that carries msct's missing-data code of an ItemData (odm-item-history.ts). */
export const MISSING_CODE_LIST_OID = 'CL.MSCT.MISSING_CODE';

export interface OdmSubjectData {
  key: string;
  siteOid: string | undefined;
  /** OpenClinica 3's study subject id (`OpenClinica:StudySubjectID`): the subject's label there. */
  studySubjectId?: string;
  /** REDCap's data access group (`redcap:DataAccessGroup`), the site of the record. */
  dataAccessGroup?: string;
  /**
   * The site as a site-level study: OpenClinica 3 writes a site's subjects under a ClinicalData whose
   * StudyOID is a Study of the file (`S_101`, "Site A") whose MetaDataVersion includes the parent
   * study's (`<Include StudyOID="S_THEJUNOD" …/>`, ODM 1.3.2 §3.1.3.2). Set for a subject under such
   * a ClinicalData.
   */
  siteStudyOid?: string;
  /** Every ItemData in file order (a value's versions in a Transactional file: the last one counts). */
  items: OdmItem[];
}

export class OdmSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    readonly rule: 'row-malformed' | 'encoding-invalid' = 'row-malformed',
  ) {
    super(message);
  }
}

/** The typed ItemData elements of ODM 1.3.2 (ItemDataStarGroup, ODM1-3-2-foundation.xsd). */
const TYPED_ITEM_DATA = new Set(
  [
    'URI',
    'Any',
    'Boolean',
    'String',
    'Integer',
    'Float',
    'Double',
    'Date',
    'Time',
    'Datetime',
    'HexBinary',
    'Base64Binary',
    'HexFloat',
    'Base64Float',
    'PartialDate',
    'PartialTime',
    'PartialDatetime',
    'DurationDatetime',
    'IntervalDatetime',
    'IncompleteDatetime',
    'IncompleteDate',
    'IncompleteTime',
  ].map((t) => `ItemData${t}`),
);

const local = (name: string) => {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
};

/**
 * A MeasurementUnit's name in msct: the text of its Symbol (the English TranslatedText, else the
 * first), else its Name, else its OID. One rule for the definition conversion (odm-definition.ts) and
 * the data reader (odm-reader.ts), so an item's units and its values' units are spelled alike.
 */
export function measurementUnitName(u: {
  oid: string;
  name?: string | undefined;
  symbols: readonly { lang?: string | undefined; text: string }[];
}): string {
  const t = u.symbols.find((x) => (x.lang ?? '').startsWith('en')) ?? u.symbols[0];
  const symbol = t?.text.trim();
  return symbol ? symbol : (u.name ?? u.oid);
}

/**
 * Parses one ODM stream. `onSubject` is awaited for each SubjectData, between chunks, in file
 * order; `units` and `locations` are filled as the Study and AdminData go by (both come before
 * ClinicalData in a valid file). Throws OdmSyntaxError on malformed XML or a DOCTYPE.
 */
export async function readOdm(
  chunks: AsyncIterable<string | Buffer>,
  handlers: {
    onSubject: (s: OdmSubjectData) => Promise<void>;
    units: Map<string, string>;
    locations: Map<string, string>;
    /**
     * Filled with the unit of each ItemDef that declares exactly one (ItemOID → MeasurementUnitOID of
     * its MeasurementUnitRef): the unit of the item's values that carry none of their own. An ItemDef
     * with several units says nothing about a value without one.
     */
    itemUnits?: Map<string, string>;
    /**
     * Filled with every unit each ItemDef declares (ItemOID → MeasurementUnitOIDs): the units whose
     * drop from an item that takes none the definition conversion noted (odm-units.ts itemUnitRule).
     */
    itemDeclaredUnits?: Map<string, string[]>;
    /** Fed every chunk read (to tell whether the file changed between two reads). */
    onChunk?: (chunk: string | Buffer) => void | Promise<void>;
  },
): Promise<{ itemData: number; hasRoot: boolean; hasClinicalData: boolean }> {
  const parser = new SaxesParser<{ position: true; xmlns: false }>({ position: true, xmlns: false });
  const done: OdmSubjectData[] = [];
  let subject: OdmSubjectData | undefined;
  let event: { oid: string; repeat: string | undefined } | undefined;
  let form: { oid: string; repeat: string | undefined } | undefined;
  let group: { oid: string; repeat: string | undefined } | undefined;
  let item: OdmItem | undefined;
  /** The text of a typed ItemData (ItemDataString, …) being read; undefined outside one. */
  let typedText: string | undefined;
  let typedName = '';
  /** The text of a FlagValue of msct's missing-code list inside an ItemData; undefined otherwise. */
  let flagText: string | undefined;
  let depth = 0;
  let hasRoot = false;
  let inClinical = false;
  let hasClinicalData = false;
  /** The Study being read (metadata), the studies whose metadata includes another's (site-level studies), and the StudyOID of the ClinicalData being read. */
  let study: string | undefined;
  const includingStudies = new Set<string>();
  let clinicalStudyOid: string | undefined;
  /** The ItemDef being read (metadata), whose MeasurementUnitRef is the unit of its values. */
  let itemDef: string | undefined;
  /** How many MeasurementUnitRefs that ItemDef has. */
  let itemDefUnits = 0;
  let row = 0;
  const fail = (message: string): never => {
    throw new OdmSyntaxError(message, parser.line, parser.column);
  };
  // Refused the moment it is seen, before anything after it (an entity reference) is parsed.
  parser.on('doctype', () =>
    fail('a DOCTYPE is not accepted: ODM files have no DTD, and no entity of one is ever expanded'),
  );
  /** The MeasurementUnit being read, and the text of a TranslatedText of its Symbol being read. */
  let unit: { oid: string; name?: string; symbols: { lang?: string; text: string }[] } | undefined;
  let inSymbol = false;
  let symbolText: { lang?: string; text: string } | undefined;
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const name = local(tag.name);
    const a = tag.attributes as Record<string, string>;
    if (depth++ === 0) hasRoot = name === 'ODM';
    switch (name) {
      case 'Study':
        study = a.OID;
        break;
      case 'Include':
        if (study && !inClinical && a.StudyOID && a.StudyOID !== study) includingStudies.add(study);
        break;
      case 'ClinicalData':
        inClinical = true;
        hasClinicalData = true;
        clinicalStudyOid = a.StudyOID;
        break;
      case 'ItemDef':
        if (!inClinical) itemDef = a.OID;
        itemDefUnits = 0;
        break;
      case 'MeasurementUnit':
        if (a.OID) {
          unit = { oid: a.OID, ...(a.Name !== undefined ? { name: a.Name } : {}), symbols: [] };
          handlers.units.set(a.OID, measurementUnitName(unit));
        }
        break;
      case 'Symbol':
        if (unit) inSymbol = true;
        break;
      case 'TranslatedText':
        if (inSymbol)
          symbolText = { ...(a['xml:lang'] !== undefined ? { lang: a['xml:lang'] } : {}), text: '' };
        break;
      case 'Location':
        if (a.OID && !inClinical) handlers.locations.set(a.OID, a.Name ?? a.OID);
        break;
      case 'SubjectData':
        subject = {
          key: a.SubjectKey ?? '',
          siteOid: undefined,
          ...(a['OpenClinica:StudySubjectID'] ? { studySubjectId: a['OpenClinica:StudySubjectID'] } : {}),
          ...(a['redcap:DataAccessGroup'] ? { dataAccessGroup: a['redcap:DataAccessGroup'] } : {}),
          ...(clinicalStudyOid && includingStudies.has(clinicalStudyOid)
            ? { siteStudyOid: clinicalStudyOid }
            : {}),
          items: [],
        };
        break;
      case 'SiteRef':
        if (subject) subject.siteOid = a.LocationOID;
        break;
      case 'StudyEventData':
        event = { oid: a.StudyEventOID ?? '', repeat: a.StudyEventRepeatKey };
        break;
      case 'FormData':
        form = { oid: a.FormOID ?? '', repeat: a.FormRepeatKey };
        break;
      case 'ItemGroupData':
        group = { oid: a.ItemGroupOID ?? '', repeat: a.ItemGroupRepeatKey };
        break;
      case 'ItemData':
        item = newItem(a, a.IsNull === 'Yes' ? null : (a.Value ?? null), null);
        break;
      case 'FlagValue':
        if (item && a.CodeListOID === MISSING_CODE_LIST_OID) flagText = '';
        break;
      case 'MeasurementUnitRef':
        if (item) item.unitOid = a.MeasurementUnitOID ?? null;
        else if (itemDef && a.MeasurementUnitOID) {
          itemDefUnits++;
          handlers.itemUnits?.set(itemDef, a.MeasurementUnitOID);
          const declared = handlers.itemDeclaredUnits?.get(itemDef) ?? [];
          declared.push(a.MeasurementUnitOID);
          handlers.itemDeclaredUnits?.set(itemDef, declared);
        }
        break;
      default:
        if (TYPED_ITEM_DATA.has(name)) {
          item = newItem(a, null, a.MeasurementUnitOID ?? null);
          typedText = '';
          typedName = name;
        }
    }
  });
  const newItem = (a: Record<string, string>, value: string | null, unitOid: string | null) => {
    row++;
    if (!subject) return undefined;
    const ev = event ?? { oid: '', repeat: undefined };
    const fo = form ?? { oid: '', repeat: undefined };
    const gr = group ?? { oid: '', repeat: undefined };
    const at = (r: string | undefined) => (r ? `[${r}]` : '');
    return {
      row,
      path:
        `${subject.key}/${ev.oid}${at(ev.repeat)}/${fo.oid}${at(fo.repeat)}/` +
        `${gr.oid}${at(gr.repeat)}/${a.ItemOID ?? ''}`,
      eventOid: ev.oid,
      eventRepeatKey: ev.repeat,
      formOid: fo.oid,
      formRepeatKey: fo.repeat,
      groupOid: gr.oid,
      groupRepeatKey: gr.repeat,
      itemOid: a.ItemOID ?? '',
      value,
      unitOid,
    } satisfies OdmItem;
  };
  const onText = (t: string) => {
    if (symbolText !== undefined) symbolText.text += t;
    if (typedText !== undefined) typedText += t;
    if (flagText !== undefined) flagText += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', (tag: SaxesTagPlain) => {
    depth--;
    const name = local(tag.name);
    if (typedText !== undefined && name === typedName) {
      // xs:string keeps its whitespace; the other types' lexical spaces collapse it.
      const text = name === 'ItemDataString' ? typedText : typedText.trim();
      if (item) item.value = text === '' ? null : text;
      if (item && subject) subject.items.push(item);
      item = undefined;
      typedText = undefined;
      return;
    }
    switch (name) {
      case 'TranslatedText':
        if (symbolText !== undefined) unit?.symbols.push(symbolText);
        symbolText = undefined;
        break;
      case 'Symbol':
        inSymbol = false;
        break;
      case 'MeasurementUnit':
        // Its name by the one rule (odm-units.ts measurementUnitName), as the definition conversion names it.
        if (unit) handlers.units.set(unit.oid, measurementUnitName(unit));
        unit = undefined;
        break;
      case 'FlagValue':
        if (item && flagText !== undefined && flagText.trim() !== '') item.missingCode = flagText.trim();
        flagText = undefined;
        break;
      case 'ItemData':
        if (item && subject) subject.items.push(item);
        item = undefined;
        break;
      case 'ItemGroupData':
        group = undefined;
        break;
      case 'FormData':
        form = undefined;
        break;
      case 'StudyEventData':
        event = undefined;
        break;
      case 'SubjectData':
        if (subject) done.push(subject);
        subject = undefined;
        break;
      case 'ClinicalData':
        inClinical = false;
        break;
      case 'Study':
        study = undefined;
        break;
      case 'ItemDef':
        if (itemDef && itemDefUnits > 1) handlers.itemUnits?.delete(itemDef);
        itemDef = undefined;
        break;
    }
  });

  const decoder = new ByteDecoder(sniffXml);
  let first = true;
  const feed = async (input: string) => {
    let text = input;
    if (first && text.length > 0) {
      // A string source may still carry its byte order mark.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    try {
      parser.write(text);
    } catch (e) {
      if (e instanceof OdmSyntaxError) throw e;
      // saxes prefixes its messages with "line:column: ".
      fail(`malformed XML: ${String((e as Error).message).replace(/^(?:[^:]*:)?\d+:\d+: /, '')}`);
    }
    while (done.length > 0) await handlers.onSubject(done.shift()!);
  };
  const decode = (f: () => string) => {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof UndecodableBytes)) throw e;
      throw new OdmSyntaxError(e.message, e.line, 0, 'encoding-invalid');
    }
  };
  for await (const chunk of chunks) {
    await handlers.onChunk?.(chunk);
    await feed(decode(() => decoder.write(chunk)));
  }
  await feed(decode(() => decoder.end()));
  try {
    parser.close();
  } catch (e) {
    fail(`malformed XML: ${String((e as Error).message).replace(/^(?:[^:]*:)?\d+:\d+: /, '')}`);
  }
  while (done.length > 0) await handlers.onSubject(done.shift()!);
  return { itemData: row, hasRoot, hasClinicalData };
}
