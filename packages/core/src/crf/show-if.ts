// Branching logic (issue #20): an item shown only when a condition on other items of its form holds,
// as REDCap's "branching logic" (`[sex] = '2'`, `<>`, `and`/`or`) and ODM's ConditionDef. Values are
// compared as stored text (REDCap compares raw coded values: "Branching Logic", REDCap Help & FAQ).
// A hidden item takes no value: the item writer refuses one (store/repositories/item-writer.ts), the
// web form does not show it.

/** The condition under which an item is shown. */
export type ShowIfCondition =
  | { op: 'is'; item: string; value: string }
  | { op: 'isNot'; item: string; value: string }
  | { op: 'all'; conditions: ShowIfCondition[] }
  | { op: 'any'; conditions: ShowIfCondition[] };

/**
 * Whether `c` holds for a form's current values (item code → stored value; absent or null = blank).
 * A blank equals no value but `''` (REDCap: `[x] = ''` is true while x is empty), and `isNot` holds
 * for a blank item, as REDCap's `<>` does.
 */
export function showIfHolds(c: ShowIfCondition, values: ReadonlyMap<string, string | null>): boolean {
  switch (c.op) {
    case 'is':
      return (values.get(c.item) ?? '') === c.value;
    case 'isNot':
      return (values.get(c.item) ?? '') !== c.value;
    case 'all':
      return c.conditions.every((s) => showIfHolds(s, values));
    case 'any':
      return c.conditions.some((s) => showIfHolds(s, values));
  }
}

/** The items a condition reads. */
export function showIfItems(c: ShowIfCondition): string[] {
  return c.op === 'all' || c.op === 'any' ? c.conditions.flatMap(showIfItems) : [c.item];
}

/** The condition in words: `sex is "F"`, `a is not "1" and (b is "2" or c is "3")`. */
export function showIfText(c: ShowIfCondition): string {
  switch (c.op) {
    case 'is':
      return `${c.item} is "${c.value}"`;
    case 'isNot':
      return `${c.item} is not "${c.value}"`;
    default: {
      const parts = c.conditions.map((s) =>
        s.op === 'all' || s.op === 'any' ? `(${showIfText(s)})` : showIfText(s),
      );
      return parts.join(c.op === 'all' ? ' and ' : ' or ');
    }
  }
}

/**
 * The items of a form that hold something (a value or a missing-data code) while hidden by their
 * `showIf`: each with the condition that hides it.
 */
export function hiddenWithValues(
  items: readonly { code: string; label: string; showIf?: ShowIfCondition | undefined }[],
  held: ReadonlyMap<string, { value: string | null; missingCode: string | null }>,
): { code: string; label: string; condition: ShowIfCondition }[] {
  const values = new Map([...held].map(([k, v]) => [k, v.value]));
  const out: { code: string; label: string; condition: ShowIfCondition }[] = [];
  for (const it of items) {
    if (!it.showIf) continue;
    const h = held.get(it.code);
    if (!h || (h.value === null && h.missingCode === null)) continue;
    if (!showIfHolds(it.showIf, values)) out.push({ code: it.code, label: it.label, condition: it.showIf });
  }
  return out;
}
