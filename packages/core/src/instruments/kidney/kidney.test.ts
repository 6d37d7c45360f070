import { describe, expect, test } from 'vitest';
import { egfrCkdEpi2021, egfrCkdEpi2021CrCys, egfrMdrd175, type Sex } from './egfr.js';
import { kdigoGfrCategory } from './kdigo.js';

const val = (r: ReturnType<typeof egfrCkdEpi2021>) => {
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value.egfr;
};

describe('CKD-EPI 2021 creatinine (Inker 2021; instruments.md §6.1)', () => {
  test('published kidney.org reference: Scr 1.2 mg/dL, 55 y, male → 71 mL/min/1.73 m²', () => {
    expect(
      Math.round(
        val(egfrCkdEpi2021({ creatinine: { value: 1.2, unit: 'mg/dL' }, ageYears: 55, sex: 'male' })),
      ),
    ).toBe(71);
  });
  // instruments.md §6.3 table (computed from the §6.1 formula; recomputed independently in Python
  // for this commit — identical to 2 decimals).
  const table: [number, number, Sex, number, number][] = [
    [1.2, 55, 'male', 71.42, 62.86],
    [0.7, 40, 'female', 112.05, 92.68],
    [0.6, 30, 'female', 123.76, 117.38],
    [1.0, 60, 'female', 64.5, 56.56],
    [0.9, 50, 'male', 104.05, 89.32],
    [0.8, 25, 'male', 125.95, 117.79],
    [2.5, 70, 'male', 26.96, 25.66],
    [3.0, 45, 'female', 18.95, 16.87],
    [1.5, 35, 'female', 46.32, 39.52],
    [0.5, 20, 'female', 137.61, 157.3],
  ];
  test.each(table)('Scr %f mg/dL, %i y, %s → CKD-EPI %f, MDRD %f', (scr, age, sex, ckd, mdrd) => {
    const input = { creatinine: { value: scr, unit: 'mg/dL' as const }, ageYears: age, sex };
    expect(val(egfrCkdEpi2021(input))).toBeCloseTo(ckd, 2);
    expect(val(egfrMdrd175(input))).toBeCloseTo(mdrd, 2);
  });
  test('µmol/L input is converted with 88.4', () => {
    const a = val(
      egfrCkdEpi2021({ creatinine: { value: 106.08, unit: 'µmol/L' }, ageYears: 55, sex: 'male' }),
    );
    expect(a).toBeCloseTo(71.42, 2);
  });
  test('kink at κ: below κ uses α, above uses −1.200 (continuity at Scr = κ)', () => {
    const at = val(egfrCkdEpi2021({ creatinine: { value: 0.9, unit: 'mg/dL' }, ageYears: 40, sex: 'male' }));
    expect(at).toBeCloseTo(142 * 0.9938 ** 40, 10);
  });
});

describe('CKD-EPI 2021 creatinine–cystatin C (instruments.md §6.1)', () => {
  test.each([
    [1.2, 1.0, 55, 'male' as Sex, 78.28],
    [0.7, 0.8, 40, 'female' as Sex, 111.19],
  ])('Scr %f, CysC %f, %i y, %s → %f', (scr, cys, age, sex, want) => {
    const r = egfrCkdEpi2021CrCys({
      creatinine: { value: scr, unit: 'mg/dL' },
      cystatinC: { value: cys, unit: 'mg/L' },
      ageYears: age,
      sex,
    });
    expect(val(r)).toBeCloseTo(want, 2);
  });
});

describe('MDRD-175 race coefficient 1.212 for legacy data (instruments.md §6.2)', () => {
  test('black multiplies by 1.212', () => {
    const base = { creatinine: { value: 1.2, unit: 'mg/dL' as const }, ageYears: 55, sex: 'male' as const };
    expect(val(egfrMdrd175({ ...base, black: true })) / val(egfrMdrd175(base))).toBeCloseTo(1.212, 12);
  });
});

describe('invalid input', () => {
  test.each([
    [{ creatinine: { value: 1 }, ageYears: 50, sex: 'male' }, 'unit-missing'],
    [{ creatinine: { value: -1, unit: 'mg/dL' }, ageYears: 50, sex: 'male' }, 'value-negative'],
    [{ creatinine: { value: 0, unit: 'mg/dL' }, ageYears: 50, sex: 'male' }, 'value-out-of-range'],
    [{ creatinine: { value: 1, unit: 'mg/dL' }, ageYears: 12, sex: 'male' }, 'value-out-of-range'],
    [{ creatinine: { value: 1, unit: 'mg/dL' }, ageYears: 50, sex: 'x' }, 'code-invalid'],
  ])('%j → %s', (input, code) => {
    const r = egfrCkdEpi2021(input as never);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.code).toBe(code);
  });
});

describe('KDIGO GFR categories (instruments.md §6.1): lower bounds inclusive', () => {
  test.each([
    [120, 'G1'],
    [90, 'G1'],
    [89.9, 'G2'],
    [60, 'G2'],
    [59.9, 'G3a'],
    [45, 'G3a'],
    [44.9, 'G3b'],
    [30, 'G3b'],
    [29.9, 'G4'],
    [15, 'G4'],
    [14.9, 'G5'],
    [0, 'G5'],
  ])('%f → %s', (gfr, cat) => expect(kdigoGfrCategory(gfr)).toBe(cat));
  test('negative or NaN → undefined', () => {
    expect(kdigoGfrCategory(-1)).toBeUndefined();
    expect(kdigoGfrCategory(Number.NaN)).toBeUndefined();
  });
});
