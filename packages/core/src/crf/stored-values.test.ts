// readDecimal reads a stored value exactly as Number() does (stored-values.ts).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { readDecimal } from './stored-values.js';

describe('readDecimal reads a stored value as Number() does', () => {
  const chars = fc.constantFrom(...'0123456789.. -+eE x'.split(''));
  test('random strings of digits, points, signs, exponents and spaces', () => {
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 20 }).map((cs) => cs.join('')),
        (s) => {
          const n = Number(s);
          const want = s.trim() === '' || !Number.isFinite(n) ? Number.NaN : n;
          expect(Object.is(readDecimal(s), want)).toBe(true);
        },
      ),
      { numRuns: 20_000 },
    );
  });
  test('doubles printed by String(), plain decimals, integers around 2^53', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }).map(String),
          fc
            .tuple(fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: 0, max: 999_999 }))
            .map(([a, b]) => `${a}.${b}`),
          // Integers of 15–17 digits: around 2^53, where digit-by-digit accumulation stops being exact.
          fc.bigInt({ min: 10n ** 14n, max: 10n ** 17n }).map(String),
        ),
        (s) => {
          expect(Object.is(readDecimal(s), Number(s))).toBe(true);
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
