// The item writer's refusals that need no query: a signed or locked form, text a dialect cannot keep.
// Thrown before anything is written (item-writer.ts runs them for every path and for imports' dry run).
import { StoreError } from '../errors.js';
import type { FormInstanceTable } from '../schema.js';
import { unstorableText } from '../text.js';

/** A signed or locked form takes no change (it is unlocked first, with a reason). */
export function refuseLocked(
  visit: { visitCode: string; cycle: number },
  formCode: string,
  form: FormInstanceTable,
): void {
  if (form.status === 'signed' || form.status === 'locked')
    throw new StoreError(
      'locked',
      `form ${formCode} of visit ${visit.visitCode} (cycle ${visit.cycle}) is ${form.status}: an investigator must unlock it (with a reason) before it can change`,
      { formId: form.id, rule: `form-${form.status}` },
    );
}

/** The text rule (text.ts), named by item: refused before anything of the value is written. */
export function refuseUnstorable(itemCode: string, value: string | null, unit: string | null): void {
  for (const [part, text] of [
    ['value', value],
    ['unit', unit],
  ] as const) {
    if (text === null) continue;
    const issue = unstorableText(text);
    if (issue)
      throw new StoreError('invalid', `item ${itemCode}: ${part} ${issue.message}`, {
        field: itemCode,
        rule: issue.rule,
      });
  }
}

/** A missed visit takes no data (the site takes the miss back, with a reason, first). */
export function refuseMissed(visit: { visitCode: string; cycle: number; status: string }): void {
  if (visit.status === 'missed')
    throw new StoreError(
      'invalid',
      `visit ${visit.visitCode} (cycle ${visit.cycle}) of this subject is declared missed: take that back (with a reason) before entering data into it`,
      { field: 'visit', rule: 'visit-missed' },
    );
}
