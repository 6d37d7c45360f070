import type { RawItem, VisitItems } from '@msct/core/crf';
import type { VisitWithForms } from '../api/types.js';

/** Everything entered at a visit, formCode → itemCode → value, with one form replaced by a draft. */
export function visitItemsOf(
  visit: VisitWithForms,
  override?: { formCode: string; items: Record<string, RawItem> },
): VisitItems {
  const out: Record<string, Record<string, RawItem>> = {};
  for (const f of visit.forms)
    out[f.formCode] = Object.fromEntries(f.items.map((i) => [i.itemCode, { value: i.value, unit: i.unit }]));
  if (override) out[override.formCode] = override.items;
  return out;
}
