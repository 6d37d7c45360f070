// The study definition as the browser sees it: the same core functions the server applies to it.
import { type FormDefinitionItems, itemFormsFor } from '@msct/core/crf';
import { expectedFormCodesAt, type StoredDefinition, storedDefinition } from '@msct/core/protocol';
import type { Study } from '../api/types.js';

export type Definition = StoredDefinition;

/**
 * The study's definition through the one schema: `{}` for an ad-hoc study (or no study yet); one the
 * server should never have stored throws, listing its problems (the page shows the error).
 */
export function definitionOf(study: Pick<Study, 'definition'> | undefined): Definition {
  const d = study?.definition;
  if (typeof d !== 'object' || d === null) return storedDefinition(d ?? {});
  // Pages ask again on every load: the same object is read once.
  const hit = read.get(d);
  if (hit) return hit;
  const definition = storedDefinition(d);
  read.set(d, definition);
  return definition;
}
const read = new WeakMap<object, Definition>();

/** Forms whose items the server checks at entry (catalog forms and the screening form), by form code. */
export function catalogForms(definition: Definition): Map<string, FormDefinitionItems> {
  return itemFormsFor(definition);
}

/**
 * Catalog forms the definition expects at a visit code, in the definition's order (core's one rule:
 * nothing at an unscheduled visit). The infusion and adverse-event records are kept outside the
 * visit's forms, so they are never "not entered" here.
 */
export function formsExpectedAt(definition: Definition, visitCode: string): FormDefinitionItems[] {
  const catalog = catalogForms(definition);
  return expectedFormCodesAt(definition.forms, visitCode).flatMap((id) =>
    catalog.has(id) ? [catalog.get(id)!] : [],
  );
}

/** The title of a form of the definition (its code only when the definition has none). */
export const formTitleOf = (definition: Definition) => (formCode: string) =>
  definition.forms?.find((f) => f.id === formCode)?.title ?? formCode;

export const todayIso = () => {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
};

/** Runs `fn` over `xs` with at most `limit` in flight (the grid loads many visits; the server has few cores). */
export async function mapLimit<T, R>(
  xs: readonly T[],
  limit: number,
  fn: (x: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(xs.length);
  let next = 0;
  const worker = async () => {
    while (next < xs.length) {
      const i = next++;
      out[i] = await fn(xs[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, xs.length) }, worker));
  return out;
}
