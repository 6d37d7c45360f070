// One ODM SubjectData in msct's terms (odm-import.ts): mapped OIDs resolved to visit, form and item,
// the subject's own facts and visit dates set apart, infusion and AE groups gathered into records,
// and of each value's history (Transactional files) only the last ItemData kept.
// Repeats: several ItemData of one item in one item group instance are versions of one value (the last
// counts). Instances of a form or item group that repeat (ODM FormRepeatKey, ItemGroupRepeatKey) are
// kept apart: an infusion or adverse event is one record per instance; each instance of a form the
// definition declares `repeating` (issues #20, #23) is its own record of that form at the visit (the
// n-th instance of its item group in the event, in file order, is record n); a form that is not
// repeating holds one record per visit, so each of its instances is set apart as a repeat the check
// refuses, never collapsed into the last one.
// Special forms (infusions, adverse events, subject and visit records) are recognised by msct's own
// OIDs (F.AE, I.VISIT.VISIT_DATE, …) or by the oidMap, never by a bare name another system may use.
import { UNSCHEDULED_VISIT_CODE } from '@msct/core/protocol';
import type { OdmItem, OdmSubjectData } from './odm-reader.js';
import { RECORD_FORMS, type RecordForm } from './odm-records.js';
import { oid, SUBJECT_EVENT, SUBJECT_FORM, VISIT_FORM } from './study-metadata.js';

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
  /** The form's record at the visit: 1, or the instance's number for a repeating form. */
  record: number;
  item: string;
  value: string | null;
  unit: string | null;
  /** The units the file's ItemDef declares for the item (odm-units.ts itemUnitRule drops these only). */
  declaredUnits?: readonly string[];
  /** msct's missing-data code of an empty value (ND, NK, NA), from the ItemData's Flag. */
  missingCode?: string | null;
}

export interface RecordRow {
  form: RecordForm;
  /** Row and path of the group's first ItemData (where a record-level problem is reported). */
  row: number;
  column: string;
  values: Record<string, string | null>;
  at: Record<string, { row: number; column: string }>;
}

/** One instance of a repeated form or item group of a CRF form, which msct cannot hold (yet). */
export interface RepeatRow {
  /** Row and path of the instance's first ItemData. */
  row: number;
  column: string;
  event: string;
  eventRepeatKey: string | undefined;
  form: string;
  formRepeatKey: string | undefined;
  group: string;
  groupRepeatKey: string | undefined;
  /**
   * Why it is refused: a repeat of a form that is not repeating (the default), or an occurrence after
   * the first of another system's event mapped to the unscheduled visit (its repeat key is no cycle).
   */
  kind?: 'unscheduled-occurrence';
  /** How many instances the form or group has in this event, and the values of this one. */
  instances: number;
  values: number;
  /** The rows of those values (all refused with the instance), and the path of each. */
  rows: number[];
  columns: string[];
}

/** An ItemData left out of the subject on purpose, with why (reported in `skipped`). */
export interface SkippedRow {
  row: number;
  column: string;
  why: string;
}

/** One SubjectData, reduced to the last version of each value. */
export interface OdmSubject {
  /** The subject's code in msct: OpenClinica's StudySubjectID when the file has it, else SubjectKey. */
  key: string;
  /** The file's own SubjectKey (OpenClinica's internal SS_… OID when `key` is its StudySubjectID). */
  sourceKey: string;
  /** The msct site code the subject belongs to (the file's site through the mapping's `sites`). */
  siteCode: string | undefined;
  /** What the file says of the site (LocationOID, data access group, OpenClinica site study), for messages. */
  siteSource: string | undefined;
  /** The site came from a SiteRef (msct's own export and ODM 1.3.2 files declare it so). */
  siteFromSiteRef: boolean;
  /** ItemData that are earlier versions of a value the file gives again later (the last counts). */
  superseded: number;
  /** ItemData left out with a reason other than an unmapped item (an empty subject fact…). */
  skippedRows: SkippedRow[];
  facts: Record<string, string>;
  factAt: Record<string, { row: number; column: string }>;
  visitDates: Map<string, string>;
  /** Where each visit date is in the file (`visit|cycle` → row and path). */
  dateAt: Record<string, { row: number; column: string }>;
  values: Map<string, ValueRow>;
  records: RecordRow[];
  repeats: RepeatRow[];
  /** ItemData of items neither mapped nor msct's own, left out (only with `skipUnmapped`). */
  unmapped: { row: number; column: string; itemOid: string }[];
}

export interface ReduceOptions {
  /** The unit of an item's values that carry none (ItemOID → unit): the file's ItemDef, then the mapping's. */
  itemUnits?: ReadonlyMap<string, string>;
  /** Every unit each ItemDef of the file declares, by name (ItemOID → units). */
  declaredUnits?: ReadonlyMap<string, readonly string[]>;
  /** Leave out (and list) the ItemData of items the mapping does not map and that are not msct's own. */
  skipUnmapped?: boolean;
  /** The file's site (LocationOID, data access group) → msct site code (the mapping's `sites`). */
  sites?: Record<string, string>;
  /** The msct site of a subject the file gives none. */
  defaultSite?: string;
  /** The study's repeating forms (msct form codes): their instances are records, not refused repeats. */
  repeatingForms?: ReadonlySet<string>;
}

/** REDCap writes a record's data access group as this pseudo-field when the project has groups. */
export const REDCAP_DAG_ITEM = 'redcap_data_access_group';

const keyed = (r: string | undefined) => (r === undefined ? '' : `[${r}]`);
/** The form or item group an ItemData is in, without the repeat keys of the form and group. */
const groupOf = (id: OdmItem) => `${id.eventOid}${keyed(id.eventRepeatKey)}/${id.formOid}/${id.groupOid}`;
/** The instance of that group (form and group repeat keys included). */
const instanceOf = (id: OdmItem) => `${keyed(id.formRepeatKey)}|${keyed(id.groupRepeatKey)}`;

/** The record form (infusion, AE) an ODM form is, by msct's own FormOID or by the mapping. */
export function recordFormOf(formOid: string, oidMap?: Record<string, string>): RecordForm | undefined {
  return RECORD_FORM_BY_OID.get(mapped(oidMap, formOid) ?? formOid);
}

const RECORD_FORM_BY_OID = new Map<string, RecordForm>(RECORD_FORMS.map((f) => [oid.form(f.formCode), f]));

export function reduceSubject(
  s: OdmSubjectData,
  units: Map<string, string>,
  oidMap?: Record<string, string>,
  opts: ReduceOptions = {},
) {
  // The site: SiteRef, else REDCap's data access group (attribute, or its pseudo-field), else
  // OpenClinica 3's site-level study, through the mapping's table; a subject without one is at the
  // mapping's default site.
  const siteSource =
    s.siteOid ??
    s.dataAccessGroup ??
    s.items.find((i) => i.itemOid === REDCAP_DAG_ITEM && i.value)?.value ??
    s.siteStudyOid ??
    undefined;
  const out: OdmSubject = {
    key: s.studySubjectId ?? s.key,
    sourceKey: s.key,
    siteCode:
      siteSource === undefined
        ? opts.defaultSite
        : (mapped(opts.sites, siteSource) ?? afterPrefix(siteSource, 'LOC.')),
    siteSource,
    siteFromSiteRef: s.siteOid !== undefined,
    superseded: 0,
    skippedRows: [],
    facts: {},
    factAt: {},
    visitDates: new Map(),
    dateAt: {},
    values: new Map(),
    records: [],
    repeats: [],
    unmapped: [],
  };
  // The instances of each form and item group of a CRF form (records keep every instance anyway),
  // each with its number in file order from 1.
  const instances = new Map<string, Map<string, number>>();
  const unmapped = (id: OdmItem) =>
    !!opts.skipUnmapped && mapped(oidMap, id.itemOid) === undefined && !id.itemOid.startsWith('I.');
  for (const id of s.items) {
    if (recordFormOf(id.formOid, oidMap) || unmapped(id)) continue;
    const g = groupOf(id);
    const numbers = instances.get(g) ?? new Map<string, number>();
    instances.set(g, numbers);
    const key = instanceOf(id);
    if (!numbers.has(key)) numbers.set(key, numbers.size + 1);
  }
  const repeats = new Map<string, RepeatRow>();
  // One refused repeat (an instance of a non-repeating form, or an unscheduled occurrence) with each
  // of its values' rows and paths.
  const countRepeat = (
    key: string,
    id: (typeof s.items)[number],
    what: Pick<RepeatRow, 'instances'> & Partial<Pick<RepeatRow, 'kind'>>,
  ) => {
    let r = repeats.get(key);
    if (!r) {
      r = {
        row: id.row,
        column: id.path.replace(/\/[^/]*$/, ''),
        event: id.eventOid,
        eventRepeatKey: id.eventRepeatKey,
        form: id.formOid,
        formRepeatKey: id.formRepeatKey,
        group: id.groupOid,
        groupRepeatKey: id.groupRepeatKey,
        ...what,
        values: 0,
        rows: [],
        columns: [],
      };
      repeats.set(key, r);
      out.repeats.push(r);
    }
    r.values++;
    r.rows.push(id.row);
    r.columns.push(id.path);
  };
  const records = new Map<string, RecordRow>();
  for (const id of s.items) {
    if (unmapped(id)) {
      out.unmapped.push({ row: id.row, column: id.path, itemOid: id.itemOid });
      continue;
    }
    const visit = mapped(oidMap, id.eventOid) ?? afterPrefix(id.eventOid, 'SE.');
    const cycle = id.eventRepeatKey ?? '1';
    const formCode = afterPrefix(id.formOid, 'F.');
    const recordForm = recordFormOf(id.formOid, oidMap);
    if (recordForm) {
      // One record per instance of the group, wherever it is in the file: every repeat is kept.
      const key = `${groupOf(id)}|${instanceOf(id)}`;
      let r = records.get(key);
      if (!r) {
        r = { form: recordForm, row: id.row, column: id.path.replace(/\/[^/]*$/, ''), values: {}, at: {} };
        records.set(key, r);
        out.records.push(r);
      }
      const item = afterPrefix(
        mapped(oidMap, id.itemOid) ?? id.itemOid,
        mapped(oidMap, id.itemOid) !== undefined ? `${recordForm.formCode}.` : `I.${recordForm.formCode}.`,
      );
      if (Object.hasOwn(r.at, item)) out.superseded++;
      r.values[item] = id.value;
      r.at[item] = { row: id.row, column: id.path };
      continue;
    }
    const group = groupOf(id);
    const seen = instances.get(group)!;
    // Another system's event mapped to the unscheduled visit: its StudyEventRepeatKey counts its
    // occurrences, which are not treatment cycles (only the definition's cycle rule makes a cycle, and
    // several unscheduled visits fall in one cycle); msct holds one unscheduled visit per subject and
    // cycle, so every occurrence after the first is refused, never read as cycle 2, 3, ….
    // msct's own export writes the visit's cycle there (odm-export.ts), read as such.
    if (
      visit === UNSCHEDULED_VISIT_CODE &&
      mapped(oidMap, id.eventOid) !== undefined &&
      id.eventRepeatKey !== undefined &&
      id.eventRepeatKey !== '1'
    ) {
      countRepeat(`unscheduled|${id.eventOid}|${id.eventRepeatKey}`, id, {
        kind: 'unscheduled-occurrence',
        instances: 0,
      });
      continue;
    }
    const target = mapped(oidMap, id.itemOid) ?? afterPrefix(id.itemOid, 'I.');
    const dot = target.lastIndexOf('.');
    const form = dot < 0 ? formCode : target.slice(0, dot);
    const item = dot < 0 ? target : target.slice(dot + 1);
    // A repeating form's instances are its records 1, 2, … (the instance's place among its group's).
    const repeating = opts.repeatingForms?.has(form) === true;
    const record = repeating ? seen.get(instanceOf(id))! : 1;
    if (seen.size > 1 && !repeating) {
      countRepeat(`${group}|${instanceOf(id)}`, id, { instances: seen.size });
      continue;
    }
    const unit = id.unitOid
      ? (units.get(id.unitOid) ?? id.unitOid)
      : (opts.itemUnits?.get(id.itemOid) ?? null);
    // The subject and visit records only under msct's own ItemOIDs (I.SUBJECT.SEX) or mapped ones,
    // not when another system's form happens to be called VISIT.
    const special = dot >= 0 && (id.itemOid.startsWith('I.') || mapped(oidMap, id.itemOid) !== undefined);
    if (special && visit === SUBJECT_EVENT && form === SUBJECT_FORM.formCode) {
      if (id.value !== null) {
        if (Object.hasOwn(out.factAt, item)) out.superseded++;
        out.facts[item] = id.value;
        out.factAt[item] = { row: id.row, column: id.path };
      } else
        out.skippedRows.push({
          row: id.row,
          column: id.path,
          why: `${item} of the subject record is empty: nothing to set`,
        });
    } else if (special && form === VISIT_FORM.formCode) {
      if (item === 'VISIT_DATE' && id.value) {
        if (out.dateAt[`${visit}|${cycle}`]) out.superseded++;
        out.visitDates.set(`${visit}|${cycle}`, id.value);
        out.dateAt[`${visit}|${cycle}`] = { row: id.row, column: id.path };
      } else
        out.skippedRows.push({
          row: id.row,
          column: id.path,
          why:
            item === 'VISIT_DATE'
              ? 'the visit date is empty: nothing to set'
              : `${item} of the visit record is derived (from the visit date and day 0), not imported`,
        });
    } else {
      const key = `${visit}|${cycle}|${form}|${record}|${item}`;
      if (out.values.has(key)) out.superseded++;
      out.values.set(key, {
        row: id.row,
        column: id.path,
        visit,
        cycle,
        form,
        record,
        item,
        value: id.value,
        unit,
        ...(opts.declaredUnits?.has(id.itemOid)
          ? { declaredUnits: opts.declaredUnits.get(id.itemOid)! }
          : {}),
        ...(id.missingCode !== undefined ? { missingCode: id.missingCode } : {}),
      });
    }
  }
  return out;
}
