// One ODM SubjectData in msct's terms (odm-import.ts): mapped OIDs resolved to visit, form and item,
// the subject's own facts and visit dates set apart, infusion and AE groups gathered into records,
// and of each value's history (Transactional files) only the last ItemData kept.
import type { OdmSubjectData } from './odm-reader.js';
import { RECORD_FORMS, type RecordForm } from './odm-records.js';
import { SUBJECT_EVENT, SUBJECT_FORM, VISIT_FORM } from './study-metadata.js';

/** A mapped OID: own keys only (an ItemOID "constructor" must not find Object.prototype's). */
const mapped = (map: Record<string, string> | undefined, key: string): string | undefined =>
  map && Object.hasOwn(map, key) && typeof map[key] === 'string' ? map[key] : undefined;

const afterPrefix = (oid: string, prefix: string) =>
  oid.startsWith(prefix) ? oid.slice(prefix.length) : oid;

export interface ValueRow {
  row: number;
  column: string;
  visit: string;
  cycle: string;
  form: string;
  item: string;
  value: string | null;
  unit: string | null;
}

export interface RecordRow {
  form: RecordForm;
  /** Row and path of the group's first ItemData (where a record-level problem is reported). */
  row: number;
  column: string;
  values: Record<string, string | null>;
  at: Record<string, { row: number; column: string }>;
}

/** One SubjectData, reduced to the last version of each value. */
export interface OdmSubject {
  key: string;
  siteCode: string | undefined;
  facts: Record<string, string>;
  factAt: Record<string, { row: number; column: string }>;
  visitDates: Map<string, string>;
  /** Where each visit date is in the file (`visit|cycle` → row and path). */
  dateAt: Record<string, { row: number; column: string }>;
  values: Map<string, ValueRow>;
  records: RecordRow[];
}

export function reduceSubject(
  s: OdmSubjectData,
  units: Map<string, string>,
  oidMap?: Record<string, string>,
) {
  const out: OdmSubject = {
    key: s.key,
    siteCode: s.siteOid && afterPrefix(s.siteOid, 'LOC.'),
    facts: {},
    factAt: {},
    visitDates: new Map(),
    dateAt: {},
    values: new Map(),
    records: [],
  };
  const records = new Map<string, RecordRow>();
  for (const id of s.items) {
    const visit = mapped(oidMap, id.eventOid) ?? afterPrefix(id.eventOid, 'SE.');
    const cycle = id.eventRepeatKey ?? '1';
    const formCode = afterPrefix(id.formOid, 'F.');
    const recordForm = RECORD_FORMS.find((f) => f.formCode === formCode);
    if (recordForm) {
      const key = `${formCode}|${id.groupRepeatKey ?? '1'}`;
      let r = records.get(key);
      if (!r) {
        r = { form: recordForm, row: id.row, column: id.path.replace(/\/[^/]*$/, ''), values: {}, at: {} };
        records.set(key, r);
        out.records.push(r);
      }
      const item = afterPrefix(id.itemOid, `I.${formCode}.`);
      r.values[item] = id.value;
      r.at[item] = { row: id.row, column: id.path };
      continue;
    }
    const target = mapped(oidMap, id.itemOid) ?? afterPrefix(id.itemOid, 'I.');
    const dot = target.lastIndexOf('.');
    const form = dot < 0 ? formCode : target.slice(0, dot);
    const item = dot < 0 ? target : target.slice(dot + 1);
    const unit = id.unitOid ? (units.get(id.unitOid) ?? id.unitOid) : null;
    if (visit === SUBJECT_EVENT && form === SUBJECT_FORM.formCode) {
      if (id.value !== null) {
        out.facts[item] = id.value;
        out.factAt[item] = { row: id.row, column: id.path };
      }
    } else if (form === VISIT_FORM.formCode) {
      if (item === 'VISIT_DATE' && id.value) {
        out.visitDates.set(`${visit}|${cycle}`, id.value);
        out.dateAt[`${visit}|${cycle}`] = { row: id.row, column: id.path };
      }
    } else {
      out.values.set(`${visit}|${cycle}|${form}|${item}`, {
        row: id.row,
        column: id.path,
        visit,
        cycle,
        form,
        item,
        value: id.value,
        unit,
      });
    }
  }
  return out;
}
