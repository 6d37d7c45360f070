// Units of imported ODM values (issue #23): a value in a unit its item does not accept is converted to
// one it does when the core knows the conversion (convertUnit: lb → kg, mg/dL → µmol/L for
// creatinine, …), instead of being refused; a value without a known conversion is left as it is, and
// the check refuses it (unit-invalid) as entry would.
import { convertUnit } from '@msct/core/instruments';
import type { OdmSubject } from './odm-subject.js';
import type { ExchangeMetadata } from './study-metadata.js';

/** Converts the subject's values in place; returns how many were converted. */
export function convertUnits(meta: ExchangeMetadata, s: OdmSubject): number {
  let n = 0;
  for (const v of s.values.values()) {
    if (v.unit === null || v.value === null) continue;
    const def = meta.forms.get(v.form)?.items.find((i) => i.code === v.item);
    if (!def?.units || def.units.includes(v.unit)) continue;
    if (def.type !== 'decimal' && def.type !== 'integer') continue;
    const x = Number(v.value.trim());
    if (v.value.trim() === '' || !Number.isFinite(x)) continue;
    for (const to of def.units) {
      const y = convertUnit(x, v.unit, to, v.item);
      if (y === undefined) continue;
      // Six decimals at most: the conversion adds no precision the measurement did not have.
      const rounded = Math.round(y * 1e6) / 1e6;
      v.value = def.type === 'integer' ? String(Math.round(y)) : String(rounded);
      v.unit = to;
      n++;
      break;
    }
  }
  return n;
}
