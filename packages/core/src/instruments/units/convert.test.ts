import { describe, expect, it } from 'vitest';
import { convertUnit, KG_PER_LB } from './convert.js';

describe('convertUnit', () => {
  it('converts by the exact pound and the factors of instruments.md §6.4', () => {
    expect(KG_PER_LB).toBe(0.45359237);
    expect(convertUnit(150, 'lb', 'kg')).toBeCloseTo(68.0388555, 9);
    expect(convertUnit(98.6, '°F', '°C')).toBeCloseTo(37, 9);
    expect(convertUnit(1.2, 'mg/dL', 'µmol/L', 'creatinine')).toBeCloseTo(106.08, 9);
    expect(convertUnit(12.5, 'g/dL', 'g/L')).toBe(125);
    expect(convertUnit(85, 'mg/dL', 'g/L')).toBeCloseTo(0.85, 12);
    expect(convertUnit(1500, '/mm3', '10^9/L')).toBe(1.5);
    expect(convertUnit(7, 'kg', 'kg')).toBe(7);
  });

  it('knows no conversion it has no factor for, and none that needs an analyte it is not given', () => {
    expect(convertUnit(1, 'kg', 'lb')).toBeUndefined();
    expect(convertUnit(1.2, 'mg/dL', 'µmol/L')).toBeUndefined();
    expect(convertUnit(1.2, 'mg/dL', 'µmol/L', 'urea')).toBeUndefined();
  });
});
