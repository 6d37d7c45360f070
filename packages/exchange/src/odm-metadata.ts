// Writes the Study element of an ODM 1.3.2 file: GlobalVariables, BasicDefinitions (units) and one
// MetaDataVersion with a StudyEventDef per visit, a FormDef and ItemGroupDef per form, an ItemDef per
// item (data type, units, plausibility range) and a CodeList per coded item.
import { type FormDefinitionItems, type ItemDefinition, MISSING_CODE_LABELS } from '@msct/core/crf';
import { writeBooleanCodeList, writeCodeList } from './odm-code-list.js';
import { MISSING_CODE_LIST_OID } from './odm-reader.js';
import { INFUSION_FORM, RECORD_FORMS, type RecordItem } from './odm-records.js';
import {
  BOOLEAN_CODE_LIST,
  type ExchangeMetadata,
  isFreeText,
  oid,
  SUBJECT_EVENT,
  SUBJECT_FORM,
  VISIT_FORM,
} from './study-metadata.js';
import { translatedText, type XmlWriter } from './xml-stream.js';

export interface MetadataOptions {
  /** Pseudonymised: free-text items and birth dates left out. */
  dropFreeText: boolean;
  /** Dates given as study days (integers from day 0) instead of calendar dates. */
  studyDays: boolean;
  /** A blinded export whose study names the infusion form arm-revealing: no infusion records (issue 24). */
  withoutInfusions?: boolean;
}

/** The record forms (infusions, adverse events) an export writes. */
export function recordFormsOf(o: MetadataOptions): readonly FormDefinitionItems[] {
  return o.withoutInfusions ? RECORD_FORMS.filter((f) => f !== INFUSION_FORM) : RECORD_FORMS;
}

/** ODM DataType of an msct item type. Booleans keep ODM's own boolean (lexical 0/1). */
export function odmDataType(item: ItemDefinition, studyDays: boolean): string {
  if ((item as RecordItem).odmType) return (item as RecordItem).odmType!;
  switch (item.type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
      return 'integer';
    case 'decimal':
      return 'float';
    case 'date':
      return studyDays ? 'integer' : 'date';
    case 'code':
      return 'text';
    case 'text':
      return 'text';
  }
}

/** The items of a form that an export of this kind carries. */
export function exportedItems(form: FormDefinitionItems, o: MetadataOptions): ItemDefinition[] {
  const own = form.formCode === SUBJECT_FORM.formCode || form.formCode === VISIT_FORM.formCode;
  return form.items.filter((i: RecordItem) => {
    // Instants would give the dates back in a study-day export.
    if (o.studyDays && i.odmType === 'datetime') return false;
    if (i.notFreeText) return true;
    if (own && i.code === 'STUDY_DAY') return o.studyDays;
    if (own && (i.code === 'VISIT_DATE' || i.code === 'DAY0_DATE')) return !o.studyDays;
    if (own && i.code === 'BIRTH_DATE') return !o.studyDays && !o.dropFreeText;
    // Sex and status are short fixed words, not free text that could name anyone.
    if (o.dropFreeText && !own && isFreeText(i)) return false;
    return true;
  });
}

export function writeStudy(xml: XmlWriter, meta: ExchangeMetadata, o: MetadataOptions): void {
  xml.ele('Study', { OID: oid.study(meta.studyCode) });
  xml.ele('GlobalVariables');
  xml.ele('StudyName').txt(meta.studyCode).up();
  xml.ele('StudyDescription').txt(meta.studyTitle).up();
  xml.ele('ProtocolName').txt(meta.studyCode).up();
  xml.up();
  if (meta.units.size > 0) {
    xml.ele('BasicDefinitions');
    for (const [unit, unitOid] of meta.units) {
      xml.ele('MeasurementUnit', { OID: unitOid, Name: unit });
      translatedText(xml, 'Symbol', unit);
      xml.up();
    }
    xml.up();
  }
  xml.ele('MetaDataVersion', {
    OID: oid.metaDataVersion(meta.definitionVersion),
    Name: `${meta.studyCode} definition ${meta.definitionVersion}`,
  });
  xml.ele('Protocol');
  xml
    .ele('StudyEventRef', { StudyEventOID: oid.visit(SUBJECT_EVENT), OrderNumber: '1', Mandatory: 'Yes' })
    .up();
  meta.visits.forEach((v, i) => {
    xml
      .ele('StudyEventRef', {
        StudyEventOID: v.oid,
        OrderNumber: String(i + 2),
        Mandatory: v.type === 'Scheduled' ? 'Yes' : 'No',
      })
      .up();
  });
  xml.up();

  xml.ele('StudyEventDef', {
    OID: oid.visit(SUBJECT_EVENT),
    Name: 'Subject record',
    Repeating: 'No',
    Type: 'Common',
  });
  xml.ele('FormRef', { FormOID: oid.form(SUBJECT_FORM.formCode), OrderNumber: '1', Mandatory: 'Yes' }).up();
  recordFormsOf(o).forEach((f, i) => {
    xml.ele('FormRef', { FormOID: oid.form(f.formCode), OrderNumber: String(i + 2), Mandatory: 'No' }).up();
  });
  xml.up();
  for (const v of meta.visits) {
    xml.ele('StudyEventDef', {
      OID: v.oid,
      Name: v.label,
      Repeating: v.repeating ? 'Yes' : 'No',
      Type: v.type,
    });
    xml.ele('FormRef', { FormOID: oid.form(VISIT_FORM.formCode), OrderNumber: '1', Mandatory: 'Yes' }).up();
    v.formCodes.forEach((f, i) => {
      xml.ele('FormRef', { FormOID: oid.form(f), OrderNumber: String(i + 2), Mandatory: 'No' }).up();
    });
    xml.up();
  }
  const forms = [SUBJECT_FORM, ...recordFormsOf(o), VISIT_FORM, ...meta.forms.values()];
  // One ItemGroupData per infusion / adverse event: their item groups repeat within one form.
  const repeating = (f: FormDefinitionItems) => (RECORD_FORMS as readonly FormDefinitionItems[]).includes(f);
  // A repeating form of the definition (several records per visit): each record one FormData with
  // its FormRepeatKey (odm-export.ts), as the definition export writes it (definition-export.ts).
  const repeatingForms = new Set((meta.definition.forms ?? []).filter((f) => f.repeating).map((f) => f.id));
  for (const f of forms) {
    xml.ele('FormDef', {
      OID: oid.form(f.formCode),
      Name: f.title,
      Repeating: repeatingForms.has(f.formCode) ? 'Yes' : 'No',
    });
    xml.ele('ItemGroupRef', { ItemGroupOID: oid.itemGroup(f.formCode), Mandatory: 'Yes' }).up();
    xml.up();
  }
  for (const f of forms) {
    xml.ele('ItemGroupDef', {
      OID: oid.itemGroup(f.formCode),
      Name: f.title,
      Repeating: repeating(f) ? 'Yes' : 'No',
    });
    exportedItems(f, o).forEach((it, i) => {
      xml
        .ele('ItemRef', {
          ItemOID: oid.item(f.formCode, it.code),
          OrderNumber: String(i + 1),
          Mandatory: 'No',
        })
        .up();
    });
    xml.up();
  }
  let needsBoolean = false;
  for (const f of forms)
    for (const it of exportedItems(f, o)) {
      const dataType = odmDataType(it, o.studyDays);
      xml.ele('ItemDef', {
        OID: oid.item(f.formCode, it.code),
        Name: `${f.formCode}.${it.code}`,
        DataType: dataType,
        ...(dataType === 'text' ? { Length: '2000' } : {}),
        ...(it.source ? { Origin: it.source } : (it as RecordItem).derived ? { Origin: 'Derived' } : {}),
      });
      translatedText(
        xml,
        'Question',
        it.type === 'date' && o.studyDays ? `${it.label} (study day)` : it.label,
      );
      for (const u of it.units ?? [])
        xml.ele('MeasurementUnitRef', { MeasurementUnitOID: meta.units.get(u)! }).up();
      const defaultUnit = it.units?.[0];
      for (const [comparator, bound] of [
        ['GE', it.min],
        ['LE', it.max],
      ] as const) {
        if (bound === undefined) continue;
        xml.ele('RangeCheck', { Comparator: comparator, SoftHard: 'Hard' });
        xml.ele('CheckValue').txt(String(bound)).up();
        if (defaultUnit)
          xml.ele('MeasurementUnitRef', { MeasurementUnitOID: meta.units.get(defaultUnit)! }).up();
        xml.up();
      }
      if (it.type === 'code') xml.ele('CodeListRef', { CodeListOID: oid.codeList(f.formCode, it.code) }).up();
      if (it.type === 'boolean') {
        needsBoolean = true;
        xml.ele('CodeListRef', { CodeListOID: BOOLEAN_CODE_LIST }).up();
      }
      xml.up();
    }
  for (const f of forms)
    for (const it of exportedItems(f, o)) {
      if (it.type !== 'code' || !it.codes) continue;
      writeCodeList(xml, {
        oid: oid.codeList(f.formCode, it.code),
        name: `${f.formCode}.${it.code}`,
        codes: it.codes,
      });
    }
  if (needsBoolean) writeBooleanCodeList(xml);
  if (forms.some((f) => exportedItems(f, o).some((it) => (it.missingCodes?.length ?? 0) > 0)))
    // The codes an ItemData's Annotation/Flag names for a value not given (odm-item-history.ts).
    writeCodeList(xml, {
      oid: MISSING_CODE_LIST_OID,
      name: 'Missing-data code',
      codes: Object.entries(MISSING_CODE_LABELS).map(([code, label]) => ({ code, label })),
    });
  xml.up(); // MetaDataVersion
  xml.up(); // Study
}
