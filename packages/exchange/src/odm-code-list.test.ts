// One CodeList writer for both ODM exports: the study's export and the definition's export declare
// the boolean list identically, and a coded list keeps its order and decodes.
import { describe, expect, it } from 'vitest';
import { writeBooleanCodeList, writeCodeList } from './odm-code-list.js';
import { XmlWriter } from './xml-stream.js';

function written(build: (xml: XmlWriter) => void): string {
  let out = '';
  const xml = new XmlWriter((chunk) => {
    out += chunk;
  });
  build(xml);
  // The writer indents; the assertions compare the elements, not the layout.
  return out.replace(/>\s+</g, '><').trim();
}

describe('ODM CodeList writer', () => {
  it('writes a text list in order, with OrderNumber from 1 and an English Decode per item', () => {
    const xml = written((x) =>
      writeCodeList(x, {
        oid: 'CL.sex',
        name: 'Sex',
        codes: [
          { code: 'F', label: 'Female' },
          { code: 'M', label: 'Male & other <x>' },
        ],
      }),
    );
    expect(xml).toBe(
      '<CodeList OID="CL.sex" Name="Sex" DataType="text">' +
        '<CodeListItem CodedValue="F" OrderNumber="1"><Decode><TranslatedText xml:lang="en">Female</TranslatedText></Decode></CodeListItem>' +
        '<CodeListItem CodedValue="M" OrderNumber="2"><Decode><TranslatedText xml:lang="en">Male &amp; other &lt;x&gt;</TranslatedText></Decode></CodeListItem>' +
        '</CodeList>',
    );
  });

  it('writes the boolean list as integer-typed 1 (yes / present) and 0 (no / absent)', () => {
    const xml = written(writeBooleanCodeList);
    expect(xml).toBe(
      '<CodeList OID="CL.BOOLEAN" Name="Yes / no" DataType="integer">' +
        '<CodeListItem CodedValue="1"><Decode><TranslatedText xml:lang="en">Yes / present</TranslatedText></Decode></CodeListItem>' +
        '<CodeListItem CodedValue="0"><Decode><TranslatedText xml:lang="en">No / absent</TranslatedText></Decode></CodeListItem>' +
        '</CodeList>',
    );
  });
});
