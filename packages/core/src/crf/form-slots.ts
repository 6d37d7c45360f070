// A form's items by slot (issue #19 item 6): the item codes a scorer reads from a stored form are
// resolved to slot positions once per form layout (module load), not looked up by code per item per
// visit. `formReader(codes)` returns a function that copies form[codes[k]] into out[k] for every k.
//
// Why generated code (shared/DESIGN.md principle 8, the scoring hot loop): under Node the reader is
// compiled once per layout into straight-line reads with constant property names
// (`out[0] = form["pyrexia"]; …`). V8 caches each such read at its own site, so on the forms the
// store hands over (JSON.parse'd: every form of a layout shares one hidden class) each read is a
// shape check and a field load. The same copy written as a loop, `form[codes[k]]`, is one site that
// sees every code and goes megamorphic: a hashed look-up per item, which was ~70 % of the scoring
// path's time (docs/validation.md "struct —"; bench/instruments.bench.ts measures both). The codes
// are the instrument modules' own item ids (constants, never user input), quoted with
// JSON.stringify. In a browser the server's Content-Security-Policy forbids generated code
// (no 'unsafe-eval'), so there the plain loop is used: same result, one visit at a time.
import type { RawItem } from './raw-items.js';

export type Form = Readonly<Record<string, RawItem>>;
/** A form's items in slot order; undefined where the form has no such item. */
export type FormSlots = (RawItem | undefined)[];
export type FormReader = (form: Form, out: FormSlots) => void;

const IN_NODE =
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

/** A reader copying `form[codes[k]]` into `out[k]`; `out` must have at least `codes.length` slots. */
export function formReader(codes: readonly string[]): FormReader {
  if (IN_NODE) {
    const body = codes.map((code, k) => `out[${k}] = form[${JSON.stringify(code)}];`).join('\n');
    try {
      return new Function('form', 'out', `"use strict";\n${body}`) as FormReader;
    } catch {
      // Node run with --disallow-code-generation-from-strings: the loop, as in a browser.
    }
  }
  return loopedFormReader(codes);
}

/** The looped reader everywhere (the browser's; tests compare the two). */
export function loopedFormReader(codes: readonly string[]): FormReader {
  return (form, out) => {
    for (let k = 0; k < codes.length; k++) out[k] = form[codes[k]!];
  };
}

/** Slots for `codes`, all empty. */
export function formSlots(codes: readonly string[]): FormSlots {
  return new Array<RawItem | undefined>(codes.length).fill(undefined);
}

/** Slot index of each code. */
export function slotIndex<C extends string>(codes: readonly C[]): Record<C, number> {
  return Object.fromEntries(codes.map((c, k) => [c, k])) as Record<C, number>;
}
