// What an item on a case report form is: its code, type, unit and allowed values. The same
// definition checks a value typed in the browser, posted to the API, or imported from a file
// (USERS.md: scores and checks must not depend on the path the data took).
import type { z } from 'zod';
import { temperatureInC } from '../instruments/units/conversions.js';
import type {
  itemDefinitionSchema,
  itemTypeSchema,
  resolvedFormSchema,
} from '../protocol/definition-schema.js';

// Item and resolved-form types are inferred from the study-definition schema (protocol/definition-schema.ts):
// a resolved item is a definition item with its code list's codes in place of the list's id.
export type ItemType = z.infer<typeof itemTypeSchema>;
export type ItemDefinition = z.infer<typeof itemDefinitionSchema>;
export type FormDefinitionItems = z.infer<typeof resolvedFormSchema>;

export type ItemIssueCode =
  | 'item-unknown'
  | 'code-invalid'
  | 'value-invalid'
  | 'value-out-of-range'
  | 'unit-missing'
  | 'unit-invalid';

export interface ItemIssue {
  code: ItemIssueCode;
  formCode: string;
  itemCode: string;
  message: string;
}

const BOOLEAN_VALUES = new Set(['0', '1']);

/**
 * Conversions of another accepted unit to an item's default unit, where the plausibility range must
 * hold in any unit (a temperature of 500 °F is a typing error as surely as 260 °C). Units without
 * an entry here are only refused when negative (their ranges differ by analyte, see above).
 */
const TO_DEFAULT_UNIT: Readonly<Record<string, (n: number) => number>> = {
  '°F→°C': (f) => temperatureInC(f, '°F'),
};
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isRealDate(s: string): boolean {
  if (!ISO_DATE.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/**
 * Checks one entered value against its item definition. `null` (cleared) is always allowed:
 * missingness is a data-quality question, not an entry error.
 */
export function checkItemValue(
  form: FormDefinitionItems,
  itemCode: string,
  value: string | null,
  unit: string | null,
): ItemIssue | undefined {
  const def = form.items.find((i) => i.code === itemCode);
  const at = { formCode: form.formCode, itemCode };
  if (!def) return { ...at, code: 'item-unknown', message: `${form.formCode} has no item "${itemCode}"` };
  if (value === null) return undefined;
  if (def.units && def.units.length > 0) {
    if (!unit)
      return {
        ...at,
        code: 'unit-missing',
        message: `${def.label}: unit missing; expected ${def.units.join(' or ')}`,
      };
    if (!def.units.includes(unit))
      return {
        ...at,
        code: 'unit-invalid',
        message: `${def.label}: unit "${unit}" is not one of ${def.units.join(', ')}`,
      };
  } else if (unit) {
    return { ...at, code: 'unit-invalid', message: `${def.label} takes no unit, got "${unit}"` };
  }
  switch (def.type) {
    case 'boolean':
      if (!BOOLEAN_VALUES.has(value))
        return {
          ...at,
          code: 'code-invalid',
          message: `${def.label}: expected 1 (present) or 0 (absent), got "${value}"`,
        };
      return undefined;
    case 'code':
      if (!def.codes?.some((c) => c.code === value)) {
        return {
          ...at,
          code: 'code-invalid',
          message: `${def.label}: "${value}" is not one of ${def.codes?.map((c) => c.code).join(', ')}`,
        };
      }
      return undefined;
    case 'date':
      if (!isRealDate(value))
        return { ...at, code: 'value-invalid', message: `${def.label}: "${value}" is not a date YYYY-MM-DD` };
      return undefined;
    case 'text':
      return undefined;
    case 'integer':
    case 'decimal': {
      const pattern = def.type === 'integer' ? /^-?\d+$/ : /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
      if (!pattern.test(value.trim()))
        return {
          ...at,
          code: 'value-invalid',
          message: `${def.label}: "${value}" is not ${def.type === 'integer' ? 'a whole number' : 'a number'}`,
        };
      const n = Number(value);
      // Ranges are stated in the default unit; a value in another unit is converted by the caller
      // before scoring, so only the default unit's range is enforced here.
      if (unit === (def.units?.[0] ?? null) || !def.units) {
        if (def.min !== undefined && n < def.min)
          return {
            ...at,
            code: 'value-out-of-range',
            message: `${def.label}: ${value} is below the plausible minimum ${def.min}${unit ? ` ${unit}` : ''}`,
          };
        if (def.max !== undefined && n > def.max)
          return {
            ...at,
            code: 'value-out-of-range',
            message: `${def.label}: ${value} is above the plausible maximum ${def.max}${unit ? ` ${unit}` : ''}`,
          };
      } else {
        const toDefault = TO_DEFAULT_UNIT[`${unit}→${def.units[0]}`];
        const d = toDefault ? toDefault(n) : undefined;
        if (
          d !== undefined &&
          ((def.min !== undefined && d < def.min) || (def.max !== undefined && d > def.max))
        )
          return {
            ...at,
            code: 'value-out-of-range',
            message: `${def.label}: ${value} ${unit} (${Math.round(d * 10) / 10} ${def.units[0]}) is outside the plausible range ${def.min ?? '…'}–${def.max ?? '…'} ${def.units[0]}`,
          };
        if (n < 0)
          return {
            ...at,
            code: 'value-out-of-range',
            message: `${def.label}: ${value} must not be negative`,
          };
      }
      return undefined;
    }
  }
}

/**
 * The missing-data codes an item may hold instead of a value, with the words the UI and the history
 * show (definition-schema.ts missingDataCodeSchema; CDISC usage: ND not done, NK not known, NA not
 * applicable).
 */
export const MISSING_CODE_LABELS: Readonly<Record<MissingCode, string>> = {
  ND: 'not done',
  NK: 'not known',
  NA: 'not applicable',
};
export type MissingCode = 'ND' | 'NK' | 'NA';

export const isMissingCode = (s: string | null | undefined): s is MissingCode =>
  s === 'ND' || s === 'NK' || s === 'NA';

/**
 * Why `code` may not stand in place of a value of `itemCode`: the item does not allow it (its
 * definition's `missingCodes`), or a value came with it (an item holds a value or a code, never
 * both). Undefined when it may. An ad-hoc form (no definition) allows no code.
 */
export function missingCodeRefusal(
  form: FormDefinitionItems | undefined,
  itemCode: string,
  code: string,
  value: string | null,
): string | undefined {
  if (!isMissingCode(code)) return `"${code}" is not a missing-data code (ND, NK or NA)`;
  if (value !== null) return `${itemCode} holds a value or a missing-data code, not both`;
  const def = form?.items.find((i) => i.code === itemCode);
  const allowed = def?.missingCodes ?? [];
  if (!allowed.includes(code))
    return allowed.length === 0
      ? `${def?.label ?? itemCode} takes no missing-data code`
      : `${def?.label ?? itemCode} takes ${allowed.join(', ')}, not ${code}`;
  return undefined;
}

/**
 * The required items of a form that are not answered: an item is answered when it holds a value or a
 * missing-data code (a "not done" is an answer; a blank is not).
 */
export function unansweredRequired(
  form: FormDefinitionItems,
  items: readonly { itemCode: string; value: string | null; missingCode: string | null }[],
): ItemDefinition[] {
  const answered = new Set(
    items.filter((i) => i.value !== null || i.missingCode !== null).map((i) => i.itemCode),
  );
  return form.items.filter((d) => d.required === true && !answered.has(d.code));
}
