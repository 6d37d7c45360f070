// A streaming reader of ODM ClinicalData: the file is fed to saxes chunk by chunk, and each
// SubjectData is handed over as soon as it closes, so memory holds one subject (plus one chunk), not
// the file. Only what an import needs is kept: MeasurementUnits, AdminData Locations, and per subject
// its SiteRef, the last ItemData of each value, and its repeating item groups.
// Security: no DTD is read and no entity is expanded (saxes knows only the five XML entities and
// character references); a DOCTYPE is refused outright, so no entity trick can get through.
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, type SaxesTagPlain } from 'saxes';

export interface OdmItem {
  /** Ordinal of the ItemData in the file (1-based): the "row" of a problem. */
  row: number;
  /** The ODM path of the value: subject/event[repeat]/form/group[repeat]/item. */
  path: string;
  eventOid: string;
  eventRepeatKey: string | undefined;
  formOid: string;
  groupOid: string;
  groupRepeatKey: string | undefined;
  itemOid: string;
  value: string | null;
  unitOid: string | null;
}

export interface OdmSubjectData {
  key: string;
  siteOid: string | undefined;
  /** Every ItemData in file order (a value's versions in a Transactional file: the last one counts). */
  items: OdmItem[];
}

export class OdmSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    readonly rule: 'row-malformed' = 'row-malformed',
  ) {
    super(message);
  }
}

const local = (name: string) => {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
};

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
    /** Fed every chunk read (to tell whether the file changed between two reads). */
    onChunk?: (chunk: string | Buffer) => void | Promise<void>;
  },
): Promise<{ itemData: number; hasRoot: boolean }> {
  const parser = new SaxesParser<{ position: true; xmlns: false }>({ position: true, xmlns: false });
  const done: OdmSubjectData[] = [];
  let subject: OdmSubjectData | undefined;
  let event: { oid: string; repeat: string | undefined } | undefined;
  let formOid = '';
  let group: { oid: string; repeat: string | undefined } | undefined;
  let item: OdmItem | undefined;
  let depth = 0;
  let hasRoot = false;
  let inClinical = false;
  let row = 0;
  const fail = (message: string): never => {
    throw new OdmSyntaxError(message, parser.line, parser.column);
  };
  // Refused the moment it is seen, before anything after it (an entity reference) is parsed.
  parser.on('doctype', () =>
    fail('a DOCTYPE is not accepted: ODM files have no DTD, and no entity of one is ever expanded'),
  );
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const name = local(tag.name);
    const a = tag.attributes as Record<string, string>;
    if (depth++ === 0) hasRoot = name === 'ODM';
    switch (name) {
      case 'ClinicalData':
        inClinical = true;
        break;
      case 'MeasurementUnit':
        if (a.OID) handlers.units.set(a.OID, a.Name ?? a.OID);
        break;
      case 'Location':
        if (a.OID && !inClinical) handlers.locations.set(a.OID, a.Name ?? a.OID);
        break;
      case 'SubjectData':
        subject = { key: a.SubjectKey ?? '', siteOid: undefined, items: [] };
        break;
      case 'SiteRef':
        if (subject) subject.siteOid = a.LocationOID;
        break;
      case 'StudyEventData':
        event = { oid: a.StudyEventOID ?? '', repeat: a.StudyEventRepeatKey };
        break;
      case 'FormData':
        formOid = a.FormOID ?? '';
        break;
      case 'ItemGroupData':
        group = { oid: a.ItemGroupOID ?? '', repeat: a.ItemGroupRepeatKey };
        break;
      case 'ItemData': {
        row++;
        if (!subject) break;
        const ev = event ?? { oid: '', repeat: undefined };
        const gr = group ?? { oid: '', repeat: undefined };
        item = {
          row,
          path:
            `${subject.key}/${ev.oid}${ev.repeat ? `[${ev.repeat}]` : ''}/${formOid}/` +
            `${gr.oid}${gr.repeat ? `[${gr.repeat}]` : ''}/${a.ItemOID ?? ''}`,
          eventOid: ev.oid,
          eventRepeatKey: ev.repeat,
          formOid,
          groupOid: gr.oid,
          groupRepeatKey: gr.repeat,
          itemOid: a.ItemOID ?? '',
          value: a.IsNull === 'Yes' ? null : (a.Value ?? null),
          unitOid: null,
        };
        break;
      }
      case 'MeasurementUnitRef':
        if (item) item.unitOid = a.MeasurementUnitOID ?? null;
        break;
    }
  });
  parser.on('closetag', (tag: SaxesTagPlain) => {
    depth--;
    switch (local(tag.name)) {
      case 'ItemData':
        if (item && subject) subject.items.push(item);
        item = undefined;
        break;
      case 'ItemGroupData':
        group = undefined;
        break;
      case 'FormData':
        formOid = '';
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
    }
  });

  const decoder = new StringDecoder('utf8');
  const feed = async (text: string) => {
    try {
      parser.write(text);
    } catch (e) {
      if (e instanceof OdmSyntaxError) throw e;
      // saxes prefixes its messages with "line:column: ".
      fail(`malformed XML: ${String((e as Error).message).replace(/^(?:[^:]*:)?\d+:\d+: /, '')}`);
    }
    while (done.length > 0) await handlers.onSubject(done.shift()!);
  };
  for await (const chunk of chunks) {
    await handlers.onChunk?.(chunk);
    await feed(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  }
  await feed(decoder.end());
  try {
    parser.close();
  } catch (e) {
    fail(`malformed XML: ${String((e as Error).message).replace(/^(?:[^:]*:)?\d+:\d+: /, '')}`);
  }
  while (done.length > 0) await handlers.onSubject(done.shift()!);
  return { itemData: row, hasRoot };
}
