// Lab values carry their analyte and unit in the type, so passing a creatinine in mg/dL where
// µmol/L is expected is a compile error (issue 3, Units; DESIGN.md principle 3: raw data with units
// is the truth).
import { type Issue, type IssuePath, issue } from '../result.js';

/** The units each analyte may be reported in. */
export interface AnalyteUnits {
  creatinine: 'mg/dL' | 'µmol/L';
  cystatinC: 'mg/L';
  urea: 'mmol/L' | 'mg/dL';
  bun: 'mg/dL';
  albumin: 'g/dL' | 'g/L';
  c3: 'g/L' | 'mg/dL';
  c4: 'g/L' | 'mg/dL';
  ch50: 'U/mL';
  antiDsDna: 'IU/mL' | '%';
  haemoglobin: 'g/dL' | 'g/L';
  /** Platelets, white cells, neutrophils, lymphocytes. */
  cellCount: '10^9/L' | '/mm3' | '/µL';
  upcr: 'mg/mmol' | 'mg/g' | 'g/g';
  uacr: 'mg/mmol' | 'mg/g';
  urineProtein24h: 'g/24h' | 'mg/24h';
  urineCellsHpf: '/hpf';
}

export type Analyte = keyof AnalyteUnits;
export type UnitOf<A extends Analyte> = AnalyteUnits[A];

/** A number with its unit; the analyte is implied by the field that holds it. */
export interface Quantity<U extends string> {
  readonly value: number;
  readonly unit: U;
}

/** A number with its analyte and unit: the form that travels between modules and the store. */
export interface LabValue<A extends Analyte, U extends UnitOf<A> = UnitOf<A>> extends Quantity<U> {
  readonly analyte: A;
}

export function labValue<A extends Analyte, U extends UnitOf<A>>(
  analyte: A,
  value: number,
  unit: U,
): LabValue<A, U> {
  return { analyte, value, unit };
}

/**
 * Checks a quantity read from untrusted input: present unit from the allowed set, finite,
 * non-negative. Returns the issue naming `path`, or undefined when the quantity is usable.
 */
export function checkQuantity(q: unknown, allowed: readonly string[], path: IssuePath): Issue | undefined {
  if (q === null || typeof q !== 'object') {
    return issue('input-invalid', path, `expected { value, unit } with unit one of ${allowed.join(', ')}`);
  }
  const { value, unit } = q as { value?: unknown; unit?: unknown };
  if (unit === undefined || unit === null || unit === '') {
    return issue('unit-missing', path, `unit missing; expected one of ${allowed.join(', ')}`);
  }
  if (typeof unit !== 'string' || !allowed.includes(unit)) {
    return issue(
      'unit-invalid',
      path,
      `unit ${String(unit)} not allowed; expected one of ${allowed.join(', ')}`,
    );
  }
  return checkNumber(value, path);
}

/** Finite and non-negative, else the issue. */
export function checkNumber(value: unknown, path: IssuePath): Issue | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return issue('value-not-finite', path, `value ${String(value)} is not a finite number`);
  }
  if (value < 0) return issue('value-negative', path, `value ${value} is negative`);
  return undefined;
}
