// Numeric BILAG scores: BILAG-2004 A = 12, B = 8, C = 1, D = E = 0 (Yee et al., Rheumatology
// 2010;49:1665-9, PMC2919194; instruments.md §2.2.5). The classic 9/3/1 weights (BLIPS,
// instruments.md §2.1) are offered as a clearly labelled option; Yee 2010 found they fit the
// BILAG-2004 data less well.
import type { BilagGrade } from './types.js';

export type BilagNumericScheme = 'bilag2004-12-8-1' | 'classic-9-3-1';

export const BILAG_NUMERIC_WEIGHTS: Readonly<
  Record<BilagNumericScheme, Readonly<Record<BilagGrade, number>>>
> = Object.freeze({
  'bilag2004-12-8-1': Object.freeze({ A: 12, B: 8, C: 1, D: 0, E: 0 }),
  'classic-9-3-1': Object.freeze({ A: 9, B: 3, C: 1, D: 0, E: 0 }),
});

/** Sum of the system grades under a numeric scheme (default BILAG-2004 12/8/1). */
export function bilagNumericTotal(
  grades: Readonly<Record<string, BilagGrade>>,
  scheme: BilagNumericScheme = 'bilag2004-12-8-1',
): number {
  const w = BILAG_NUMERIC_WEIGHTS[scheme];
  let total = 0;
  for (const k in grades) total += w[grades[k]!];
  return total;
}
