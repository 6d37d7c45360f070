// The form readers (form-slots.ts): the compiled reader Node uses and the looped reader a browser
// uses copy exactly form[codes[k]] into slot k, whatever the form holds — items missing, extra
// items, other key orders, dictionary-mode and fast-mode objects, codes that need quoting.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { formReader, formSlots, loopedFormReader, slotIndex } from './form-slots.js';
import type { RawItem } from './raw-items.js';

const CODES = ['pyrexia', 'weight_loss', 'a"b', "c'd", 'e\\f', 'line\nbreak', '1', 'constructor', 'ttp'];

const item = fc.record({
  value: fc.option(fc.string({ maxLength: 4 }), { nil: null }),
  unit: fc.option(fc.constantFrom('g/L', 'mg/dL', ''), { nil: null }),
});

describe('form readers', () => {
  test('the compiled reader is compiled (Node) and both readers fill slot k with form[codes[k]]', () => {
    const compiled = formReader(CODES);
    expect(compiled.toString()).toContain('out[0] = form["pyrexia"]');
    const looped = loopedFormReader(CODES);
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...CODES, 'other', 'weight'), item, { maxKeys: 12 }),
        fc.boolean(),
        (entries, viaJson) => {
          const form: Record<string, RawItem> = viaJson ? JSON.parse(JSON.stringify(entries)) : entries;
          const a = formSlots(CODES);
          const b = formSlots(CODES);
          compiled(form, a);
          looped(form, b);
          expect(a).toEqual(CODES.map((c) => form[c]));
          expect(b).toEqual(a);
          for (let k = 0; k < CODES.length; k++) expect(a[k]).toBe(form[CODES[k]!]);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('a reader overwrites every slot, so nothing of the previous form is left', () => {
    const read = formReader(CODES);
    const out = formSlots(CODES);
    read({ pyrexia: { value: '2', unit: null }, ttp: { value: '1', unit: null } }, out);
    const second: Record<string, RawItem> = { weight_loss: { value: '0', unit: null } };
    read(second, out);
    expect(out[CODES.indexOf('pyrexia')]).toBeUndefined();
    expect(out[CODES.indexOf('ttp')]).toBeUndefined();
    // (An inherited name such as 'constructor' reads what form[code] reads, as before.)
    expect(out).toEqual(CODES.map((c) => second[c]));
  });

  test('slotIndex gives each code its position', () => {
    expect(slotIndex(['x', 'y', 'z'] as const)).toEqual({ x: 0, y: 1, z: 2 });
  });
});
