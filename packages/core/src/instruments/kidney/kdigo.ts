// KDIGO GFR categories (instruments.md §6.1): G1 ≥ 90, G2 60–89, G3a 45–59, G3b 30–44,
// G4 15–29, G5 < 15 mL/min/1.73 m². Lower bounds are inclusive.
export type KdigoGfrCategory = 'G1' | 'G2' | 'G3a' | 'G3b' | 'G4' | 'G5';

export const KDIGO_GFR_LOWER_BOUNDS: readonly (readonly [KdigoGfrCategory, number])[] = Object.freeze([
  ['G1', 90],
  ['G2', 60],
  ['G3a', 45],
  ['G3b', 30],
  ['G4', 15],
  ['G5', 0],
]);

/** The KDIGO category of a GFR; undefined for a negative or non-finite value. */
export function kdigoGfrCategory(gfr: number): KdigoGfrCategory | undefined {
  if (!Number.isFinite(gfr) || gfr < 0) return undefined;
  for (const [cat, lower] of KDIGO_GFR_LOWER_BOUNDS) if (gfr >= lower) return cat;
  return 'G5';
}
