// Reading a stored item's string value as the reference scorers read it, without allocating: its
// number (exactly Number()'s), a '0'/'1' flag, an ND/0–4 code, a Y/N, a value with its unit. Shared
// by the labs reader (derive-labs.ts) and the row writer (derive-row.ts).
import { CODE_NONE } from '../instruments/compact/layout.js';
import type { RawItem } from './raw-items.js';

const POW10 = Float64Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * The number a stored value holds, exactly as `Number(s)` reads it; NaN when blank or not a finite
 * number. Plain decimals (digits with at most one point, ≤ 15 digits) are parsed here: the digits
 * form an integer below 2^53 and 10^k is exact, so one IEEE division gives the correctly rounded
 * value, the same double Number() gives. Anything else (signs, exponents, spaces, longer) goes to
 * Number() itself.
 */
export function readDecimal(s: string): number {
  const n = s.length;
  if (n === 0 || n > 16) return slowDecimal(s);
  let m = 0;
  let digits = 0;
  let frac = -1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (frac >= 0) frac++;
    } else if (c === 46 && frac < 0) frac = 0;
    else return slowDecimal(s);
  }
  if (digits === 0 || digits > 15) return slowDecimal(s);
  return frac > 0 ? m / POW10[frac]! : m;
}

function slowDecimal(s: string): number {
  if (s.trim() === '') return Number.NaN;
  const x = Number(s);
  return Number.isFinite(x) ? x : Number.NaN;
}

/** A stored value's number (NaN when absent, blank or unreadable). */
export function numberOf(it: RawItem | undefined): number {
  if (it === undefined) return Number.NaN;
  const s = it.value;
  return s === null ? Number.NaN : readDecimal(s);
}

/** Whether a stored value, trimmed, is exactly `c` ('1' or '0'). */
export function isTrimmed(it: RawItem | undefined, c: '0' | '1'): boolean {
  if (it === undefined) return false;
  const s = it.value;
  if (s === c) return true;
  return s !== null && s.length > 1 && s.trim() === c;
}

/** A code, yes/no or value the reference would refuse. */
export const BAD = -2;

/** An ND/0–4 item: its code 0–4, CODE_NONE for ND or not entered, BAD otherwise. */
export function readCode(it: RawItem | undefined): number {
  if (it === undefined) return CODE_NONE;
  const s = it.value;
  if (s === null) return CODE_NONE;
  if (s.length === 1) {
    const c = s.charCodeAt(0) - 48;
    if (c >= 0 && c <= 4) return c;
  }
  const t = s.trim();
  if (t === '' || t === 'ND') return CODE_NONE;
  if (t.length === 1) {
    const c = t.charCodeAt(0) - 48;
    if (c >= 0 && c <= 4) return c;
  }
  return BAD;
}

/** A Y/N item: 1 ('1'), 0 ('0'), CODE_NONE (not entered), BAD (anything else). */
export function readYesNo(it: RawItem | undefined): number {
  if (it === undefined) return CODE_NONE;
  const s = it.value;
  if (s === null) return CODE_NONE;
  if (s === '1') return 1;
  if (s === '0') return 0;
  const t = s.trim();
  return t === '' ? CODE_NONE : t === '1' ? 1 : t === '0' ? 0 : BAD;
}

/** A value item: its number (≥ 0), NaN when not entered, BAD when unreadable, negative or badly unitted. */
export function readValue(it: RawItem | undefined, units: readonly string[] | null): number {
  if (it === undefined) return Number.NaN;
  const s = it.value;
  if (s === null) return Number.NaN;
  const x = readDecimal(s);
  if (Number.isNaN(x)) return s.trim() === '' ? Number.NaN : BAD;
  if (x < 0) return BAD;
  if (units !== null && !units.includes(it.unit ?? '')) return BAD;
  return x;
}
