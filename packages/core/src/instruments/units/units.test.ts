import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as c from './conversions.js';
import { checkQuantity, labValue } from './lab-value.js';

const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));
const pos = fc.double({ min: 1e-6, max: 1e6, noNaN: true });

describe('conversion factors (instruments.md §6.4)', () => {
  const cases: [string, number, number][] = [
    [
      'creatinine 1 mg/dL = 88.4 µmol/L',
      c.creatinineMgDlToUmolL(labValue('creatinine', 1, 'mg/dL')).value,
      88.4,
    ],
    [
      'creatinine 1.2 mg/dL = 106.08 µmol/L',
      c.creatinineMgDlToUmolL(labValue('creatinine', 1.2, 'mg/dL')).value,
      106.08,
    ],
    [
      'creatinine 130 µmol/L = 1.4706 mg/dL',
      c.creatinineUmolLToMgDl(labValue('creatinine', 130, 'µmol/L')).value,
      130 / 88.4,
    ],
    ['urea 5 mmol/L = BUN 14 mg/dL', c.ureaMmolLToBunMgDl(labValue('urea', 5, 'mmol/L')).value, 14],
    ['BUN 28 mg/dL = urea 10 mmol/L', c.bunMgDlToUreaMmolL(labValue('bun', 28, 'mg/dL')).value, 10],
    ['urea 60.06 mg/dL = 10 mmol/L', c.ureaMgDlToMmolL(labValue('urea', 60.06, 'mg/dL')).value, 10],
    ['albumin 3.5 g/dL = 35 g/L', c.albuminGdLToGL(labValue('albumin', 3.5, 'g/dL')).value, 35],
    [
      'C3 0.9 g/L = 90 mg/dL (lupus.bmj 137840 vs UCL cut-off)',
      c.complementGLToMgDl(labValue('c3', 0.9, 'g/L')).value,
      90,
    ],
    ['C4 10 mg/dL = 0.1 g/L', c.complementMgDlToGL(labValue('c4', 10, 'mg/dL')).value, 0.1],
    ['Hb 10 g/dL = 100 g/L (CTCAE)', c.haemoglobinGdLToGL(labValue('haemoglobin', 10, 'g/dL')).value, 100],
    [
      'UPCR 50 mg/mmol = 442 mg/g (molar, not the rounded 500)',
      c.upcrMgMmolToMgG(labValue('upcr', 50, 'mg/mmol')).value,
      442,
    ],
    ['UPCR 500 mg/g = 0.5 g/g', c.upcrMgGToGG(labValue('upcr', 500, 'mg/g')).value, 0.5],
    [
      '24 h protein 1500 mg = 1.5 g',
      c.urineProteinMgToG(labValue('urineProtein24h', 1500, 'mg/24h')).value,
      1.5,
    ],
    [
      '1500 /mm³ = 1.5 × 10⁹/L (CTCAE)',
      c.cellCountPerMm3To1e9L(labValue('cellCount', 1500, '/mm3')).value,
      1.5,
    ],
    [
      '100 × 10⁹/L = 100 000 /mm³',
      c.cellCount1e9LToPerMm3(labValue('cellCount', 100, '10^9/L')).value,
      100_000,
    ],
  ];
  test.each(cases)('%s', (_n, got, want) => {
    expect(rel(got, want)).toBeLessThan(1e-12);
  });
  test('converted values carry their new unit and analyte', () => {
    const v = c.creatinineMgDlToUmolL(labValue('creatinine', 1, 'mg/dL'));
    expect(v).toEqual({ analyte: 'creatinine', value: 88.4, unit: 'µmol/L' });
    // @ts-expect-error µmol/L cannot be passed where mg/dL is expected
    c.creatinineMgDlToUmolL(v);
    // @ts-expect-error C3 is not creatinine
    c.creatinineMgDlToUmolL(labValue('c3', 1, 'mg/dL'));
  });
});

describe('round trips are exact to 1e-12 relative (property)', () => {
  const pairs: [string, (x: number) => number][] = [
    [
      'creatinine',
      (x) => c.creatinineUmolLToMgDl(c.creatinineMgDlToUmolL(labValue('creatinine', x, 'mg/dL'))).value,
    ],
    ['urea/BUN', (x) => c.bunMgDlToUreaMmolL(c.ureaMmolLToBunMgDl(labValue('urea', x, 'mmol/L'))).value],
    ['urea mg/dL', (x) => c.ureaMgDlToMmolL(c.ureaMmolLToMgDl(labValue('urea', x, 'mmol/L'))).value],
    ['albumin', (x) => c.albuminGLToGdL(c.albuminGdLToGL(labValue('albumin', x, 'g/dL'))).value],
    ['C3', (x) => c.complementMgDlToGL(c.complementGLToMgDl(labValue('c3', x, 'g/L'))).value],
    [
      'haemoglobin',
      (x) => c.haemoglobinGLToGdL(c.haemoglobinGdLToGL(labValue('haemoglobin', x, 'g/dL'))).value,
    ],
    ['UPCR mg/mmol↔mg/g', (x) => c.upcrMgGToMgMmol(c.upcrMgMmolToMgG(labValue('upcr', x, 'mg/mmol'))).value],
    ['UPCR mg/g↔g/g', (x) => c.upcrGGToMgG(c.upcrMgGToGG(labValue('upcr', x, 'mg/g'))).value],
    [
      '24 h protein',
      (x) => c.urineProteinGToMg(c.urineProteinMgToG(labValue('urineProtein24h', x, 'mg/24h'))).value,
    ],
    [
      'cell count',
      (x) => c.cellCountPerMm3To1e9L(c.cellCount1e9LToPerMm3(labValue('cellCount', x, '10^9/L'))).value,
    ],
  ];
  test.each(pairs)('%s', (_n, roundTrip) => {
    fc.assert(fc.property(pos, (x) => rel(roundTrip(x), x) < 1e-12));
  });
  test('plain-number normalisers agree with the typed conversions', () => {
    fc.assert(
      fc.property(pos, (x) => {
        expect(rel(c.creatinineInMgDl(x, 'µmol/L'), x / 88.4)).toBeLessThan(1e-12);
        expect(rel(c.upcrInMgMmol(c.upcrInGG(x, 'mg/mmol'), 'g/g'), x)).toBeLessThan(1e-12);
      }),
    );
  });
});

describe('checkQuantity', () => {
  test.each([
    [{ value: 1 }, 'unit-missing'],
    [{ value: 1, unit: 'kg' }, 'unit-invalid'],
    [{ value: -1, unit: 'g/L' }, 'value-negative'],
    [{ value: Number.POSITIVE_INFINITY, unit: 'g/L' }, 'value-not-finite'],
    [5, 'input-invalid'],
  ])('%j → %s', (q, code) => {
    expect(checkQuantity(q, ['g/L'], ['x'])?.code).toBe(code);
  });
  test('a good quantity passes', () => {
    expect(checkQuantity({ value: 0, unit: 'g/L' }, ['g/L'], ['x'])).toBeUndefined();
  });
});

describe('body temperature (°F = °C × 9/5 + 32)', () => {
  test.each([
    [38, 100.4],
    [37, 98.6],
    [0, 32],
    [40, 104],
  ])('%d °C = %d °F', (cels, fahr) => {
    expect(c.temperatureInF(cels, '°C')).toBeCloseTo(fahr, 12);
    expect(c.temperatureInC(fahr, '°F')).toBeCloseTo(cels, 12);
  });
  test('round trip °C → °F → °C within 1e-12', () => {
    fc.assert(
      fc.property(fc.double({ min: 25, max: 45, noNaN: true }), (x) => {
        expect(c.temperatureInC(c.temperatureInF(x, '°C'), '°F')).toBeCloseTo(x, 12);
      }),
    );
  });
});
