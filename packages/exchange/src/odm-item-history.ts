// A stored value's history as the ODM export writes it (odm-export.ts): its versions, oldest first,
// rebuilt from the audit trail, each with who, when and why — the ItemData and AuditRecords of a
// Transactional file.
//
// This is the export's inner loop (one ItemData per value and version: ~450 000 at 1 000 patients),
// so rows are plain arrays as the database returns them (no object per row) and the ItemData of a
// form instance are written as one piece of text, laid out exactly as XmlWriter lays out elements
// (the same indentation, self-closing empty elements, escaping): the file is byte for byte what the
// element-by-element writer produced (issue 16: ODM export ≥ 50 000 values/s).
import type { ItemDefinition } from '@msct/core/crf';
import { MISSING_CODE_LIST_OID } from './odm-reader.js';
import { oid, studyDay } from './study-metadata.js';
import { escAttr, escText } from './xml-stream.js';

/** An item value row as the export reads it (columns in this order). */
export type ItemRow = [
  id: string,
  visitId: string,
  formCode: string,
  itemCode: string,
  value: string | null,
  unit: string | null,
  updatedAt: string,
  updatedByName: string | null,
  missingCode: string | null,
  /** The form's record at the visit (migration 024): above 1 only for a repeating form. */
  record: number,
];
export const ITEM = {
  id: 0,
  visitId: 1,
  formCode: 2,
  itemCode: 3,
  value: 4,
  unit: 5,
  updatedAt: 6,
  updatedByName: 7,
  missingCode: 8,
  record: 9,
} as const;

/** An audit event as the export reads it (columns in this order). */
export type AuditRow = [
  entityId: string,
  entityType: string,
  at: string,
  actorName: string,
  newValue: string | null,
  reason: string | null,
];
export const AUDIT = { entityId: 0, entityType: 1, at: 2, actorName: 3, newValue: 4, reason: 5 } as const;

/**
 * The item events of a page, by item value id, in audit order: the first event of each value, and the
 * later ones for the few values that were changed (no array for each of the hundreds of thousands
 * written once).
 */
export class ItemEvents {
  private readonly first = new Map<string, AuditRow>();
  private readonly later = new Map<string, AuditRow[]>();

  add(r: AuditRow): void {
    const id = r[AUDIT.entityId];
    if (!this.first.has(id)) {
      this.first.set(id, r);
      return;
    }
    const list = this.later.get(id);
    if (list) list.push(r);
    else this.later.set(id, [r]);
  }

  firstOf(id: string): AuditRow | undefined {
    return this.first.get(id);
  }

  laterOf(id: string): AuditRow[] | undefined {
    return this.later.get(id);
  }
}

/** One exported item of a form, with its ItemData start tag's constant part built once. */
interface PlannedItem {
  def: ItemDefinition;
  /** `<ItemData ItemOID="…"` */
  open: string;
  dateToStudyDay: boolean;
}

/** A form's exported items in definition order, indexed by code; built once per form and export. */
export interface FormPlan {
  items: PlannedItem[];
  slot: Map<string, number>;
  /** Every item the form defines (exported or not): values of other codes are counted as skipped. */
  defined: Set<string>;
}

export function formPlan(
  formCode: string,
  form: { items: readonly ItemDefinition[] },
  exported: readonly ItemDefinition[],
  studyDays: boolean,
): FormPlan {
  const items = exported.map((def) => ({
    def,
    open: `<ItemData ItemOID="${escAttr(oid.item(formCode, def.code))}"`,
    dateToStudyDay: def.type === 'date' && studyDays,
  }));
  return {
    items,
    slot: new Map(items.map((it, i) => [it.def.code, i])),
    defined: new Set(form.items.map((i) => i.code)),
  };
}

/** What stays the same across the values of one subject. */
export interface HistoryContext {
  withAudit: boolean;
  day0: string | null;
  /** `<LocationRef LocationOID="…"/>` of the subject's site. */
  locationRef: string;
  /** MeasurementUnit OIDs by unit. */
  units: ReadonlyMap<string, string>;
  events: ItemEvents;
  /** Indentation of an ItemData element: newline and two spaces per enclosing element. */
  indent: string;
}

const userRefs = new Map<string, string>();
/** `<UserRef UserOID="…"/>`, cached (a handful of users write hundreds of thousands of values). */
function userRef(name: string): string {
  let s = userRefs.get(name);
  if (s === undefined) {
    s = `<UserRef UserOID="${escAttr(oid.user(name))}"/>`;
    if (userRefs.size < 10_000) userRefs.set(name, s);
  }
  return s;
}

/**
 * The ItemData of one value: each version, oldest first. The audit trail stores "value unit" text;
 * the last version is always the stored row itself, so the file's final value is exactly what msct
 * holds. Without the audit (de-identified files) or without events, the stored row alone.
 */
export function itemDataText(row: ItemRow, item: PlannedItem, c: HistoryContext): string {
  const first = c.withAudit ? c.events.firstOf(row[ITEM.id]) : undefined;
  if (first === undefined)
    return versionText(
      item,
      c,
      row[ITEM.value],
      row[ITEM.unit],
      row[ITEM.updatedAt],
      row[ITEM.updatedByName] ?? 'unknown',
      null,
      true,
      row[ITEM.missingCode],
    );
  const later = c.events.laterOf(row[ITEM.id]);
  if (later === undefined)
    return versionText(
      item,
      c,
      row[ITEM.value],
      row[ITEM.unit],
      first[AUDIT.at],
      first[AUDIT.actorName],
      first[AUDIT.reason],
      true,
      row[ITEM.missingCode],
    );
  const split = splitValueText(first[AUDIT.newValue], item.def);
  let s = versionText(
    item,
    c,
    split.value,
    split.unit,
    first[AUDIT.at],
    first[AUDIT.actorName],
    first[AUDIT.reason],
    true,
    split.missingCode,
  );
  for (let i = 0; i < later.length; i++) {
    const e = later[i]!;
    const last = i === later.length - 1;
    const v = last
      ? { value: row[ITEM.value], unit: row[ITEM.unit], missingCode: row[ITEM.missingCode] }
      : splitValueText(e[AUDIT.newValue], item.def);
    s += versionText(
      item,
      c,
      v.value,
      v.unit,
      e[AUDIT.at],
      e[AUDIT.actorName],
      e[AUDIT.reason],
      false,
      v.missingCode,
    );
  }
  return s;
}

function versionText(
  item: PlannedItem,
  c: HistoryContext,
  stored: string | null,
  unit: string | null,
  at: string,
  user: string,
  reason: string | null,
  insert: boolean,
  missingCode: string | null,
): string {
  const value = item.dateToStudyDay ? nullableString(studyDay(stored, c.day0)) : stored;
  let s = `${c.indent}${item.open}${value === null ? ' IsNull="Yes"' : ` Value="${escAttr(value)}"`}`;
  const withUnit = unit !== null && unit !== '' && value !== null;
  const coded = value === null && missingCode !== null;
  if (!c.withAudit && !withUnit && !coded) return `${s}/>`;
  if (c.withAudit) {
    const inner = `${c.indent}    `;
    s += insert ? ' TransactionType="Insert">' : ' TransactionType="Update">';
    s += `${c.indent}  <AuditRecord>${inner}${userRef(user)}${inner}${c.locationRef}${inner}<DateTimeStamp>${escText(at)}</DateTimeStamp>`;
    if (reason) s += `${inner}<ReasonForChange>${escText(reason)}</ReasonForChange>`;
    s += `${c.indent}  </AuditRecord>`;
  } else s += '>';
  if (withUnit)
    s += `${c.indent}  <MeasurementUnitRef MeasurementUnitOID="${escAttr(c.units.get(unit) ?? unit)}"/>`;
  // ODM 1.3.2 has no missing-data attribute on ItemData (REDCap writes its codes as the value); an
  // Annotation's Flag is the standard's place for a flag on a value (ODM1-3-2-foundation.xsd,
  // ODMcomplexTypeDefinition-Annotation / -Flag), its FlagValue drawn from msct's code list of codes.
  if (coded) {
    const inner = `${c.indent}    `;
    s += `${c.indent}  <Annotation SeqNum="1">${inner}<Flag>${inner}  <FlagValue CodeListOID="${MISSING_CODE_LIST_OID}">${escText(missingCode)}</FlagValue>${inner}</Flag>${c.indent}  </Annotation>`;
  }
  return `${s}${c.indent}</ItemData>`;
}

/** The audit trail's text of a missing-data code (item-writer.ts `valueText`): `[ND: not done]`. */
const CODED_TEXT = /^\[(ND|NK|NA): [^\]]*\]$/;

/** Splits the audit trail's "value unit" text using the item's known units. */
export function splitValueText(
  text: string | null,
  def: ItemDefinition,
): { value: string | null; unit: string | null; missingCode: string | null } {
  if (text === null) return { value: null, unit: null, missingCode: null };
  const coded = CODED_TEXT.exec(text);
  if (coded) return { value: null, unit: null, missingCode: coded[1]! };
  for (const u of def.units ?? [])
    if (text.endsWith(` ${u}`)) return { value: text.slice(0, -u.length - 1), unit: u, missingCode: null };
  return { value: text, unit: null, missingCode: null };
}

export const nullableString = (n: number | null) => (n === null ? null : String(n));
