// One function per conversion (issue 3, Units). Factors cite instruments.md §6.4. Every pair is
// an exact inverse (multiply / divide by the same constant) so round trips hold to 1e-12.
import type { LabValue } from './lab-value.js';

/** mg/dL → µmol/L: 88.4, the clinical convention (instruments.md §6.4; exact molar mass 113.12 g/mol gives 88.42). */
export const CREATININE_UMOL_PER_MGDL = 88.4;
/** BUN mg/dL = urea mmol/L × 2.8 (instruments.md §6.4, urea-nitrogen 2 × 14.0 g/mol rounded). */
export const BUN_MGDL_PER_UREA_MMOLL = 2.8;
/** Urea (not urea-nitrogen) mg/dL ÷ 6.006 = mmol/L (instruments.md §6.4; urea 60.06 g/mol). */
export const UREA_MGDL_PER_MMOLL = 6.006;
/** g/dL × 10 = g/L (albumin, haemoglobin; instruments.md §6.4). */
export const G_L_PER_G_DL = 10;
/** C3/C4 g/L × 100 = mg/dL (instruments.md §6.4, unit arithmetic). */
export const MGDL_PER_GL = 100;
/**
 * UPCR mg/mmol × 8.84 = mg/g: 1 mmol creatinine = 113.12 mg, and 1000/113.12 ≈ 8.84, consistent
 * with the 88.4 creatinine factor (instruments.md §6.4). KDIGO's "50 mg/mmol ≈ 0.5 g/g" (factor
 * 10) is a rounded convention and is NOT this function (see sledai2k proteinuria options).
 */
export const UPCR_MGG_PER_MGMMOL = 8.84;
/** °F = °C × 9/5 + 32 (definition of the Fahrenheit scale). */
export const FAHRENHEIT_PER_CELSIUS = 9 / 5;
export const FAHRENHEIT_AT_0C = 32;
/** 1 × 10⁹/L = 1000 /mm³ (= /µL) (instruments.md §6.4, CTCAE "<1500/mm3; <1.5 x 10^9/L"). */
export const PER_MM3_PER_1E9L = 1000;

// --- creatinine ---
export function creatinineMgDlToUmolL(x: LabValue<'creatinine', 'mg/dL'>): LabValue<'creatinine', 'µmol/L'> {
  return { analyte: 'creatinine', value: x.value * CREATININE_UMOL_PER_MGDL, unit: 'µmol/L' };
}
export function creatinineUmolLToMgDl(x: LabValue<'creatinine', 'µmol/L'>): LabValue<'creatinine', 'mg/dL'> {
  return { analyte: 'creatinine', value: x.value / CREATININE_UMOL_PER_MGDL, unit: 'mg/dL' };
}

// --- urea / BUN ---
export function ureaMmolLToBunMgDl(x: LabValue<'urea', 'mmol/L'>): LabValue<'bun', 'mg/dL'> {
  return { analyte: 'bun', value: x.value * BUN_MGDL_PER_UREA_MMOLL, unit: 'mg/dL' };
}
export function bunMgDlToUreaMmolL(x: LabValue<'bun', 'mg/dL'>): LabValue<'urea', 'mmol/L'> {
  return { analyte: 'urea', value: x.value / BUN_MGDL_PER_UREA_MMOLL, unit: 'mmol/L' };
}
export function ureaMgDlToMmolL(x: LabValue<'urea', 'mg/dL'>): LabValue<'urea', 'mmol/L'> {
  return { analyte: 'urea', value: x.value / UREA_MGDL_PER_MMOLL, unit: 'mmol/L' };
}
export function ureaMmolLToMgDl(x: LabValue<'urea', 'mmol/L'>): LabValue<'urea', 'mg/dL'> {
  return { analyte: 'urea', value: x.value * UREA_MGDL_PER_MMOLL, unit: 'mg/dL' };
}

// --- albumin ---
export function albuminGdLToGL(x: LabValue<'albumin', 'g/dL'>): LabValue<'albumin', 'g/L'> {
  return { analyte: 'albumin', value: x.value * G_L_PER_G_DL, unit: 'g/L' };
}
export function albuminGLToGdL(x: LabValue<'albumin', 'g/L'>): LabValue<'albumin', 'g/dL'> {
  return { analyte: 'albumin', value: x.value / G_L_PER_G_DL, unit: 'g/dL' };
}

// --- complement ---
export function complementGLToMgDl<A extends 'c3' | 'c4'>(x: LabValue<A, 'g/L'>): LabValue<A, 'mg/dL'> {
  return { analyte: x.analyte, value: x.value * MGDL_PER_GL, unit: 'mg/dL' } as LabValue<A, 'mg/dL'>;
}
export function complementMgDlToGL<A extends 'c3' | 'c4'>(x: LabValue<A, 'mg/dL'>): LabValue<A, 'g/L'> {
  return { analyte: x.analyte, value: x.value / MGDL_PER_GL, unit: 'g/L' } as LabValue<A, 'g/L'>;
}

// --- haemoglobin ---
export function haemoglobinGdLToGL(x: LabValue<'haemoglobin', 'g/dL'>): LabValue<'haemoglobin', 'g/L'> {
  return { analyte: 'haemoglobin', value: x.value * G_L_PER_G_DL, unit: 'g/L' };
}
export function haemoglobinGLToGdL(x: LabValue<'haemoglobin', 'g/L'>): LabValue<'haemoglobin', 'g/dL'> {
  return { analyte: 'haemoglobin', value: x.value / G_L_PER_G_DL, unit: 'g/dL' };
}

// --- urine protein:creatinine ratio ---
export function upcrMgMmolToMgG(x: LabValue<'upcr', 'mg/mmol'>): LabValue<'upcr', 'mg/g'> {
  return { analyte: 'upcr', value: x.value * UPCR_MGG_PER_MGMMOL, unit: 'mg/g' };
}
export function upcrMgGToMgMmol(x: LabValue<'upcr', 'mg/g'>): LabValue<'upcr', 'mg/mmol'> {
  return { analyte: 'upcr', value: x.value / UPCR_MGG_PER_MGMMOL, unit: 'mg/mmol' };
}
export function upcrMgGToGG(x: LabValue<'upcr', 'mg/g'>): LabValue<'upcr', 'g/g'> {
  return { analyte: 'upcr', value: x.value / 1000, unit: 'g/g' };
}
export function upcrGGToMgG(x: LabValue<'upcr', 'g/g'>): LabValue<'upcr', 'mg/g'> {
  return { analyte: 'upcr', value: x.value * 1000, unit: 'mg/g' };
}

// --- 24 h urine protein ---
export function urineProteinMgToG(
  x: LabValue<'urineProtein24h', 'mg/24h'>,
): LabValue<'urineProtein24h', 'g/24h'> {
  return { analyte: 'urineProtein24h', value: x.value / 1000, unit: 'g/24h' };
}
export function urineProteinGToMg(
  x: LabValue<'urineProtein24h', 'g/24h'>,
): LabValue<'urineProtein24h', 'mg/24h'> {
  return { analyte: 'urineProtein24h', value: x.value * 1000, unit: 'mg/24h' };
}

// --- cell counts ---
export function cellCountPerMm3To1e9L(
  x: LabValue<'cellCount', '/mm3' | '/µL'>,
): LabValue<'cellCount', '10^9/L'> {
  return { analyte: 'cellCount', value: x.value / PER_MM3_PER_1E9L, unit: '10^9/L' };
}
export function cellCount1e9LToPerMm3(x: LabValue<'cellCount', '10^9/L'>): LabValue<'cellCount', '/mm3'> {
  return { analyte: 'cellCount', value: x.value * PER_MM3_PER_1E9L, unit: '/mm3' };
}

// --- plain-number normalisers used inside the scorers (no allocation on hot paths) ---

/** Creatinine in µmol/L from either unit. */
export function creatinineInUmolL(value: number, unit: 'mg/dL' | 'µmol/L'): number {
  return unit === 'µmol/L' ? value : value * CREATININE_UMOL_PER_MGDL;
}
/** Creatinine in mg/dL from either unit. */
export function creatinineInMgDl(value: number, unit: 'mg/dL' | 'µmol/L'): number {
  return unit === 'mg/dL' ? value : value / CREATININE_UMOL_PER_MGDL;
}
/** Haemoglobin in g/dL from either unit. */
export function haemoglobinInGdL(value: number, unit: 'g/dL' | 'g/L'): number {
  return unit === 'g/dL' ? value : value / G_L_PER_G_DL;
}
/** Cell count in 10⁹/L from any allowed unit. */
export function cellCountIn1e9L(value: number, unit: '10^9/L' | '/mm3' | '/µL'): number {
  return unit === '10^9/L' ? value : value / PER_MM3_PER_1E9L;
}
/** Complement in g/L from either unit. */
export function complementInGL(value: number, unit: 'g/L' | 'mg/dL'): number {
  return unit === 'g/L' ? value : value / MGDL_PER_GL;
}
/** UPCR in mg/mmol from any allowed unit, using the molar factor 8.84. */
export function upcrInMgMmol(value: number, unit: 'mg/mmol' | 'mg/g' | 'g/g'): number {
  if (unit === 'mg/mmol') return value;
  const mgPerG = unit === 'mg/g' ? value : value * 1000;
  return mgPerG / UPCR_MGG_PER_MGMMOL;
}
/** UPCR in g/g from any allowed unit, using the molar factor 8.84. */
export function upcrInGG(value: number, unit: 'mg/mmol' | 'mg/g' | 'g/g'): number {
  if (unit === 'g/g') return value;
  if (unit === 'mg/g') return value / 1000;
  return (value * UPCR_MGG_PER_MGMMOL) / 1000;
}
/** UACR in mg/mmol (same molar factor as UPCR). */
export function uacrInMgMmol(value: number, unit: 'mg/mmol' | 'mg/g'): number {
  return unit === 'mg/mmol' ? value : value / UPCR_MGG_PER_MGMMOL;
}
/** 24 h urine protein in g. */
/** Body temperature in °C from °C or °F ((°F − 32) × 5/9). */
export function temperatureInC(value: number, unit: '°C' | '°F'): number {
  return unit === '°F' ? (value - FAHRENHEIT_AT_0C) / FAHRENHEIT_PER_CELSIUS : value;
}
/** Body temperature in °F from °C (°C × 9/5 + 32). */
export function temperatureInF(value: number, unit: '°C' | '°F'): number {
  return unit === '°C' ? value * FAHRENHEIT_PER_CELSIUS + FAHRENHEIT_AT_0C : value;
}

export function urineProteinInG(value: number, unit: 'g/24h' | 'mg/24h'): number {
  return unit === 'g/24h' ? value : value / 1000;
}
