// The ODM 1.3.2 CodeList element (ODM 1.3.2 §3.1.4.1.6), written one way for every export that
// declares study metadata: the study's ODM export (odm-metadata.ts) and the definition's ODM export
// (definition-export.ts) name and decode the same lists identically.
import { BOOLEAN_CODE_LIST } from './study-metadata.js';
import { translatedText, type XmlWriter } from './xml-stream.js';

export interface CodeListEntry {
  code: string;
  label: string;
}

/** One text-typed CodeList with its items in order (OrderNumber from 1) and English decodes. */
export function writeCodeList(
  xml: XmlWriter,
  list: { oid: string; name: string; codes: readonly CodeListEntry[] },
): void {
  xml.ele('CodeList', { OID: list.oid, Name: list.name, DataType: 'text' });
  list.codes.forEach((c, i) => {
    xml.ele('CodeListItem', { CodedValue: c.code, OrderNumber: String(i + 1) });
    translatedText(xml, 'Decode', c.label);
    xml.up();
  });
  xml.up();
}

/**
 * The list every boolean item refers to. ODM code lists cannot be boolean-typed; 1 and 0 are the
 * boolean lexical forms msct stores (core/instruments/sledai2k/descriptors.ts says the same).
 */
export const BOOLEAN_CODES: readonly CodeListEntry[] = [
  { code: '1', label: 'Yes / present' },
  { code: '0', label: 'No / absent' },
];

export function writeBooleanCodeList(xml: XmlWriter): void {
  xml.ele('CodeList', { OID: BOOLEAN_CODE_LIST, Name: 'Yes / no', DataType: 'integer' });
  for (const c of BOOLEAN_CODES) {
    xml.ele('CodeListItem', { CodedValue: c.code });
    translatedText(xml, 'Decode', c.label);
    xml.up();
  }
  xml.up();
}
