// The streamed JSON writer is the built-in JSON.stringify(value, null, 2), byte for byte, on
// arbitrary values (fast-check), including the members JSON.stringify leaves out or turns into null
// and toJSON (Date).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { emitPrettyJson, writePrettyJsonFile } from './json-file.js';

const pretty = (v: unknown) => {
  let s = '';
  emitPrettyJson(v, (p) => {
    s += p;
  });
  return s;
};

describe('writePrettyJsonFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'msct-json-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('equals JSON.stringify(value, null, 2) on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(pretty(v)).toBe(JSON.stringify(v, null, 2));
      }),
      { numRuns: 2000 },
    );
  });

  it('equals it on values JSON.stringify treats specially', () => {
    const odd = {
      a: undefined,
      b: () => 1,
      c: [undefined, () => 2, Symbol('s'), Number.NaN, -0, Number.POSITIVE_INFINITY],
      d: new Date(Date.UTC(2014, 0, 2)),
      e: { toJSON: (key: string) => `key ${key}` },
      f: {},
      g: [],
      h: [[], {}, [[{}]]],
      'quote"and\\slash\u2028': 'é ☃ \u0000',
    };
    expect(pretty(odd)).toBe(JSON.stringify(odd, null, 2));
    fc.assert(
      fc.property(fc.anything({ withDate: true, withNullPrototype: false, withBigInt: false }), (v) => {
        expect(pretty(v)).toBe(JSON.stringify(v, null, 2) ?? 'null');
      }),
      { numRuns: 1000 },
    );
  });

  it('writes the file with a final newline, in chunks larger than one piece', () => {
    const big = {
      rows: Array.from({ length: 5000 }, (_, i) => ({ i, name: `subject ${i}`, ok: i % 2 === 0 })),
    };
    const file = join(dir, 'out.json');
    writePrettyJsonFile(file, big);
    expect(readFileSync(file, 'utf8')).toBe(`${JSON.stringify(big, null, 2)}\n`);
  });
});
