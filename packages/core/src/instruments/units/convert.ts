// A value in one unit to another, by the factors of conversions.ts (instruments.md §6.4) and the
// exact definition of the pound: what an importer may convert instead of refusing a file whose
// unit an item does not accept (issue #23, "units … converted by the core's unit functions").
import {
  CREATININE_UMOL_PER_MGDL,
  G_L_PER_G_DL,
  MGDL_PER_GL,
  PER_MM3_PER_1E9L,
  temperatureInC,
  UPCR_MGG_PER_MGMMOL,
} from './conversions.js';

/** 1 lb = 0.45359237 kg exactly (international yard and pound agreement, 1959; NIST SP 811 B.8). */
export const KG_PER_LB = 0.45359237;

/** Conversions that hold for any quantity measured in the unit (pure unit arithmetic). */
const ANY_ITEM: Readonly<Record<string, (n: number) => number>> = {
  'lb→kg': (n) => n * KG_PER_LB,
  'g→kg': (n) => n / 1000,
  '°F→°C': (f) => temperatureInC(f, '°F'),
  'g/dL→g/L': (n) => n * G_L_PER_G_DL,
  'mg/dL→g/L': (n) => n / MGDL_PER_GL,
  'mg/24h→g/24h': (n) => n / 1000,
  'mg/day→g/day': (n) => n / 1000,
  '/mm3→10^9/L': (n) => n / PER_MM3_PER_1E9L,
  '/µL→10^9/L': (n) => n / PER_MM3_PER_1E9L,
};

/** Conversions that depend on the analyte (a molar mass): keyed by the item's code. */
const BY_ITEM: Readonly<Record<string, Readonly<Record<string, (n: number) => number>>>> = {
  creatinine: { 'mg/dL→µmol/L': (n) => n * CREATININE_UMOL_PER_MGDL },
  upcr: { 'mg/g→mg/mmol': (n) => n / UPCR_MGG_PER_MGMMOL },
};

/**
 * `value` (in `from`) in unit `to`, or undefined when no conversion is known. `itemCode` names the
 * analyte for the conversions that need one (creatinine mg/dL → µmol/L).
 */
export function convertUnit(value: number, from: string, to: string, itemCode?: string): number | undefined {
  if (from === to) return value;
  const key = `${from}→${to}`;
  const f = (itemCode ? BY_ITEM[itemCode]?.[key] : undefined) ?? ANY_ITEM[key];
  return f ? f(value) : undefined;
}

/**
 * `value` (in `from`) in unit `to` by a known conversion either way: the forward one of
 * `convertUnit`, else the inverse of a proportional conversion `to → from` (one with f(0) = 0: every
 * lab unit conversion of conversions.ts is a factor, so its inverse is a division by the same
 * factor — not the affine °F → °C). Undefined when neither is known. Lab ranges use it to judge a
 * value entered in one unit against a range stated in another (crf/lab-flags.ts).
 */
export function convertUnitEitherWay(
  value: number,
  from: string,
  to: string,
  itemCode?: string,
): number | undefined {
  const forward = convertUnit(value, from, to, itemCode);
  if (forward !== undefined) return forward;
  const factor = convertUnit(1, to, from, itemCode);
  if (factor === undefined || factor === 0 || convertUnit(0, to, from, itemCode) !== 0) return undefined;
  return value / factor;
}
