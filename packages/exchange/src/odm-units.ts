// Units of imported values (issue #23): a value in a unit its item does not accept is converted to
// one it does when the core knows the conversion (convertUnit: lb → kg, mg/dL → µmol/L for
// creatinine, …), instead of being refused; a value without a known conversion is left as it is, and
// the check refuses it (unit-invalid) as entry would. ODM (below) and FHIR (fhir-import.ts) imports.
import type { ItemDefinition } from '@msct/core/crf';
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

/** Converts the subject's values in place; returns how many were converted. */
export function convertUnits(meta: ExchangeMetadata, s: OdmSubject): number {
  let n = 0;
  for (const v of s.values.values()) {
    if (v.unit === null || v.value === null) continue;
    const def = meta.forms.get(v.form)?.items.find((i) => i.code === v.item);
    if (!def) continue;
    const c = convertToAccepted(def, v.value, v.unit);
    if (!c) continue;
    v.value = c.value;
    v.unit = c.unit;
    n++;
  }
  return n;
}
