// Units of imported values (issue #23): a value in a unit its item does not accept is converted to
// one it does when the core knows the conversion (convertUnit: lb → kg, mg/dL → µmol/L for
// creatinine, …), instead of being refused; a value without a known conversion is left as it is, and
// the check refuses it (unit-invalid) as entry would. ODM (below) and FHIR (fhir-import.ts) imports.
import type { ItemDefinition, ItemType } from '@msct/core/crf';
import { convertUnit } from '@msct/core/instruments';
import type { OdmSubject } from './odm-subject.js';
import type { ExchangeMetadata } from './study-metadata.js';

/**
 * The value in a unit the item accepts, or undefined when it already is in one, is not numeric, or
 * no conversion is known.
 */
export function convertToAccepted(
  def: Pick<ItemDefinition, 'code' | 'type' | 'units'>,
  value: string,
  unit: string,
): { value: string; unit: string } | undefined {
  if (!def.units || def.units.includes(unit)) return undefined;
  if (def.type !== 'decimal' && def.type !== 'integer') return undefined;
  const x = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(x)) return undefined;
  for (const to of def.units) {
    const y = convertUnit(x, unit, to, def.code);
    if (y === undefined) continue;
    // Six decimals at most: the conversion adds no precision the measurement did not have.
    const rounded = Math.round(y * 1e6) / 1e6;
    return { value: def.type === 'integer' ? String(Math.round(y)) : String(rounded), unit: to };
  }
  return undefined;
}

/**
 * What msct makes of the units another system's ODM declares for an item (its ItemDef's
 * MeasurementUnitRef): ONE rule, applied by the definition conversion (odm-definition.ts) to the
 * item and by the data import (convertUnits below) to each of its values, so the two never disagree.
 * - A numeric item (integer, decimal) keeps them as its units; values are checked and converted.
 * - Any other item (text, date, code, boolean) takes no unit in msct: the unit is dropped. The
 *   conversion notes the drop once per item and keeps the unit in the item's help text; the data
 *   import imports each value as it is and lists the drop once per item (`unitsDropped`).
 * Dropping loses nothing, where keeping the unit would: systems put display formats and labels on
 * text and date items as units (OpenClinica 3's JUNO demo: "(DD-MMM-YYYY)" on a date, "HH:MM" on a
 * time, "Hg" on a diastolic pressure kept as text). The unit is the ItemDef's, the same for every
 * value of the item, so the item's help holds it once; the value's text is kept whole. A text item
 * that kept a unit would make every entry name one (checkItemValue refuses a value without an
 * accepted unit), and a date with a "unit" would no longer be a date. A value whose unit is not
 * the one its ItemDef declares is not dropped (the help does not hold it): the check refuses it.
 */
export function itemUnitRule(
  type: ItemType,
  unitNames: readonly string[],
): { keep: string[] } | { drop: string[]; why: string } {
  if (type === 'integer' || type === 'decimal') return { keep: [...new Set(unitNames)] };
  return {
    drop: [...new Set(unitNames)],
    why: `msct holds units for numeric items only, this item is ${type}: the unit is dropped from the item and its values (kept in the item's help), the values are imported as they are`,
  };
}

/** The help text of an item whose source unit was dropped (itemUnitRule): the unit, said once. */
export function helpWithSourceUnit(help: string | undefined, units: readonly string[]): string {
  const said = `Unit in the source: ${units.join(', ')}.`;
  return help ? `${help} ${said}` : said;
}

/** A unit dropped by itemUnitRule from an item's values, listed once per item in the import's report. */
export interface UnitDropped {
  /** `form.item` */
  item: string;
  unit: string;
  values: number;
  why: string;
}

/**
 * Applies itemUnitRule to a value of an item that takes no unit: a unit its source ItemDef declares
 * (`declaredUnits`) is to be dropped; returns whether it is (the caller drops it). Counts the drop in `dropped` (once per item and unit).
 */
export function dropSourceUnit(
  def: Pick<ItemDefinition, 'code' | 'type' | 'units'>,
  form: string,
  v: { unit: string | null; declaredUnits?: readonly string[] },
  dropped: Map<string, UnitDropped>,
): boolean {
  if (v.unit === null || (def.units && def.units.length > 0) || !v.declaredUnits?.includes(v.unit))
    return false;
  const rule = itemUnitRule(def.type, [v.unit]);
  if (!('drop' in rule)) return false;
  const key = `${form}.${def.code}\u0000${v.unit}`;
  const d = dropped.get(key) ?? { item: `${form}.${def.code}`, unit: v.unit, values: 0, why: rule.why };
  d.values++;
  dropped.set(key, d);
  return true;
}

/**
 * Converts the subject's values in place (and drops the source units of items that take none,
 * itemUnitRule); returns how many were converted.
 */
export function convertUnits(
  meta: ExchangeMetadata,
  s: OdmSubject,
  dropped: Map<string, UnitDropped> = new Map(),
): number {
  let n = 0;
  for (const v of s.values.values()) {
    const declared = v.declaredUnits;
    // Only this rule reads them: not spooled with each value.
    delete v.declaredUnits;
    if (v.unit === null || v.value === null) continue;
    const def = meta.forms.get(v.form)?.items.find((i) => i.code === v.item);
    if (!def) continue;
    if (dropSourceUnit(def, v.form, { ...v, declaredUnits: declared ?? [] }, dropped)) {
      v.unit = null;
      continue;
    }
    const c = convertToAccepted(def, v.value, v.unit);
    if (!c) continue;
    v.value = c.value;
    v.unit = c.unit;
    n++;
  }
  return n;
}
