/**
 * How a stored item value reads to a person (issue 22: labels, never codes): a code-list value by its
 * label, a yes/no item as the form offers it (catalog-form: 1 = Yes, 0 = No; item-definition.ts
 * BOOLEAN_VALUES); anything else as stored. The coded value is shown only where the user asks for it.
 */
import type { ItemDefinition } from './item-definition.js';

const BOOLEAN_LABELS: Readonly<Record<string, string>> = { '1': 'Yes', '0': 'No' };

export function itemValueLabel(
  def: Pick<ItemDefinition, 'type'> & { codes?: readonly { code: string; label: string }[] | undefined },
  value: string,
): string {
  if (def.type === 'boolean') return Object.hasOwn(BOOLEAN_LABELS, value) ? BOOLEAN_LABELS[value]! : value;
  if (def.type === 'code') return def.codes?.find((c) => c.code === value)?.label ?? value;
  return value;
}
