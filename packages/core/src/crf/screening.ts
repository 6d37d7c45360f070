// Screening-form items → the eligibility engine's input: typed values and recorded waivers.
import type {
  EligibilityCriterion,
  EligibilityWaiver,
  ScreeningData,
  ScreeningValue,
} from '../protocol/eligibility.js';
import type { RawItem } from './derive.js';
import { eligibilityForm, waiverItemCode } from './forms.js';

export function screeningFromItems(
  criteria: readonly EligibilityCriterion[],
  items: Readonly<Record<string, RawItem>>,
): { data: ScreeningData; waivers: EligibilityWaiver[] } {
  const form = eligibilityForm(criteria);
  const data: Record<string, ScreeningValue> = {};
  for (const def of form.items) {
    const raw = items[def.code]?.value;
    if (raw === undefined || raw === null || raw === '') continue;
    if (def.type === 'boolean') data[def.code] = raw === '1';
    else if (def.type === 'decimal' || def.type === 'integer') {
      const n = Number(raw);
      if (Number.isFinite(n)) data[def.code] = n;
    } else data[def.code] = raw;
  }
  const waivers: EligibilityWaiver[] = [];
  for (const c of criteria) {
    const reason = items[waiverItemCode(c.id)]?.value;
    if (reason?.trim()) waivers.push({ criterionId: c.id, reason });
  }
  return { data, waivers };
}
