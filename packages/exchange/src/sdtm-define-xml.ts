// define.xml (CDISC Define-XML 2.1) for the SDTM-style domains: one ItemGroupDef per domain (its
// class, structure, key variables and def:leaf to its Dataset-JSON file), one ItemDef per variable
// (data type, length seen in the data, origin, code list), a CodeList per controlled terminology
// list (CDISC NCI codes as Alias), and a def:CommentDef on the dates emptied in study-day exports.
// Generated from the same specification (sdtm-domains.ts) the writer uses; valid against the
// Define-XML 2.1 schema bundled in schemas/define-xml-2.1 (sdtm-define-xml.test.ts).
import { writeFile } from 'node:fs/promises';
import { CODE_LISTS, type DomainSpec, type VariableSpec } from './sdtm-domains.js';
import { keyVariables, sdtmOid, type VariableStats } from './sdtm-files.js';
import { oid } from './study-metadata.js';
import { translatedText, XmlWriter } from './xml-stream.js';

export interface DefineXmlInput {
  study: { code: string; title: string };
  domains: { spec: DomainSpec; rows: number; stats: Map<string, VariableStats> }[];
  /** Dates emptied (study-day export): their ItemDefs say so. */
  studyDays: boolean;
  /** A blinded export (issue 24): what it left out, and the variables it left empty (`DM.ARMCD`, …). */
  blinded?: { note: string; variables: ReadonlySet<string> };
  creationDateTime: string;
  sourceSystemVersion: string;
}

const STANDARD_IG = 'STD.SDTMIG.3.3';
const STANDARD_CT = 'STD.CT.SDTM';
const COMMENT_STUDY_DAYS = 'COM.STUDY_DAYS';
const COMMENT_BLINDED = 'COM.BLINDED';

/** Where a Collected value comes from (Define-XML 2.1 def:Origin Source). */
function originSource(x: VariableSpec): Record<string, string> {
  return x.origin === 'Collected' ? { Source: 'Investigator' } : {};
}

/** The define.xml text. */
export function defineXml(input: DefineXmlInput): string {
  let out = '';
  const xml = new XmlWriter((c) => {
    out += c;
  });
  const studyOid = oid.study(input.study.code);
  xml.dec({ version: '1.0', encoding: 'UTF-8' });
  xml.ele('ODM', {
    xmlns: 'http://www.cdisc.org/ns/odm/v1.3',
    'xmlns:xlink': 'http://www.w3.org/1999/xlink',
    'xmlns:def': 'http://www.cdisc.org/ns/def/v2.1',
    ODMVersion: '1.3.2',
    FileType: 'Snapshot',
    FileOID: `${studyOid}.SDTM.define`,
    CreationDateTime: input.creationDateTime,
    Originator: 'msct',
    SourceSystem: 'msct',
    SourceSystemVersion: input.sourceSystemVersion,
    'def:Context': 'Other',
  });
  xml.ele('Study', { OID: studyOid });
  xml.ele('GlobalVariables');
  xml.ele('StudyName').txt(input.study.code).up();
  xml.ele('StudyDescription').txt(input.study.title).up();
  xml.ele('ProtocolName').txt(input.study.code).up();
  xml.up();
  xml.ele('MetaDataVersion', {
    OID: sdtmOid.metaDataVersion,
    Name: `${input.study.code} SDTM-style domains`,
    Description: `SDTM-style tabulation datasets written by msct (departures from SDTMIG: docs/exchange.md)${input.blinded ? `. ${input.blinded.note}` : ''}`,
    'def:DefineVersion': '2.1.0',
  });
  xml.ele('def:Standards');
  xml
    .ele('def:Standard', { OID: STANDARD_IG, Name: 'SDTMIG', Type: 'IG', Version: '3.3', Status: 'Final' })
    .up();
  xml
    .ele('def:Standard', {
      OID: STANDARD_CT,
      Name: 'CDISC/NCI',
      Type: 'CT',
      PublishingSet: 'SDTM',
      Version: '2021-03-26',
      Status: 'Final',
    })
    .up();
  xml.up();

  const usedLists = new Set<string>();
  for (const { spec, rows } of input.domains) {
    const keys = keyVariables(spec);
    xml.ele('ItemGroupDef', {
      OID: sdtmOid.itemGroup(spec.name),
      Domain: spec.name,
      Name: spec.name,
      SASDatasetName: spec.name,
      Repeating: spec.name === 'DM' ? 'No' : 'Yes',
      IsReferenceData: 'No',
      Purpose: 'Tabulation',
      'def:Structure': spec.structure,
      'def:StandardOID': STANDARD_IG,
      ...(rows === 0 ? { 'def:HasNoData': 'Yes' } : {}),
      'def:ArchiveLocationID': sdtmOid.leaf(spec.name),
    });
    translatedText(xml, 'Description', spec.label);
    spec.variables.forEach((x, i) => {
      const k = keys.indexOf(x.name);
      xml
        .ele('ItemRef', {
          ItemOID: sdtmOid.item(spec.name, x.name),
          OrderNumber: String(i + 1),
          Mandatory: x.core === 'Req' ? 'Yes' : 'No',
          ...(k >= 0 ? { KeySequence: String(k + 1) } : {}),
          ...(x.nonStandard ? { 'def:IsNonStandard': 'Yes' } : {}),
        })
        .up();
    });
    xml.ele('def:Class', { Name: spec.class }).up();
    xml.ele('def:leaf', { ID: sdtmOid.leaf(spec.name), 'xlink:href': `${spec.name.toLowerCase()}.json` });
    xml.ele('def:title').txt(`${spec.name.toLowerCase()}.json`).up();
    xml.up();
    xml.up();
  }

  for (const { spec, stats } of input.domains)
    for (const x of spec.variables) {
      const st = stats.get(x.name);
      const hasLength = x.dataType !== 'date';
      const emptied = input.studyDays && x.date;
      const blinded = !!input.blinded?.variables.has(`${spec.name}.${x.name}`);
      xml.ele('ItemDef', {
        OID: sdtmOid.item(spec.name, x.name),
        Name: x.name,
        SASFieldName: x.name,
        DataType: x.dataType,
        ...(hasLength ? { Length: String(Math.max(1, st?.maxLength ?? 0)) } : {}),
        ...(x.dataType === 'float' ? { SignificantDigits: String(st?.maxFractionDigits ?? 0) } : {}),
        ...(emptied
          ? { 'def:CommentOID': COMMENT_STUDY_DAYS }
          : blinded
            ? { 'def:CommentOID': COMMENT_BLINDED }
            : {}),
      });
      translatedText(xml, 'Description', x.label);
      if (x.codeList) {
        usedLists.add(x.codeList);
        xml.ele('CodeListRef', { CodeListOID: sdtmOid.codeList(x.codeList) }).up();
      }
      xml.ele('def:Origin', { Type: x.origin, ...originSource(x) }).up();
      xml.up();
    }

  for (const name of [...usedLists].sort()) {
    const cl = CODE_LISTS[name];
    if (!cl) throw new Error(`define.xml: variable refers to code list ${name}, which CODE_LISTS lacks`);
    xml.ele('CodeList', {
      OID: sdtmOid.codeList(name),
      Name: cl.name,
      DataType: 'text',
      ...(cl.nciCode ? { 'def:StandardOID': STANDARD_CT } : {}),
    });
    for (const t of cl.terms) {
      if (t.decode) {
        xml.ele('CodeListItem', { CodedValue: t.value });
        translatedText(xml, 'Decode', t.decode);
        xml.up();
      } else xml.ele('EnumeratedItem', { CodedValue: t.value }).up();
    }
    if (cl.external)
      xml.ele('ExternalCodeList', { Dictionary: cl.external.dictionary, Version: cl.external.version }).up();
    if (cl.nciCode) xml.ele('Alias', { Context: 'nci:ExtCodeID', Name: cl.nciCode }).up();
    xml.up();
  }

  if (input.studyDays) {
    xml.ele('def:CommentDef', { OID: COMMENT_STUDY_DAYS });
    translatedText(
      xml,
      'Description',
      'Empty in this de-identified export: dates are shifted to study days (see the --DY variables).',
    );
    xml.up();
  }
  if (input.blinded) {
    xml.ele('def:CommentDef', { OID: COMMENT_BLINDED });
    translatedText(xml, 'Description', `Empty in this blinded export. ${input.blinded.note}.`);
    xml.up();
  }
  xml.end();
  return out;
}

export async function writeDefineXml(path: string, input: DefineXmlInput): Promise<void> {
  await writeFile(path, defineXml(input));
}
