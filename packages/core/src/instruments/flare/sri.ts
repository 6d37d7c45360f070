// SLE Responder Index (Furie et al. 2009; instruments.md §3.1): all three vs baseline —
// (1) SELENA-SLEDAI reduced by ≥ 4 points (SRI-5…8: ≥ 5…8); (2) no new BILAG A and no more than
// one new BILAG B; (3) no PGA worsening, worsening = increase ≥ 0.3 on the 0–3 scale.
import type { BilagGrade } from '../bilag2004/types.js';
import type { TraceEntry } from '../result.js';
import { bilagFlare } from './bilag-flare.js';

export interface SriInput {
  readonly sledaiBaseline: number;
  readonly sledaiCurrent: number;
  readonly bilagBaseline: Readonly<Record<string, BilagGrade>>;
  readonly bilagCurrent: Readonly<Record<string, BilagGrade>>;
  /** Physician's global assessment, 0–3. */
  readonly pgaBaseline: number;
  readonly pgaCurrent: number;
}

/** SRI-4 … SRI-8: the SLEDAI reduction threshold. */
export type SriThreshold = 4 | 5 | 6 | 7 | 8;

export const SRI_PGA_WORSENING = 0.3;

export function sri(
  input: SriInput,
  threshold: SriThreshold = 4,
): { value: { responder: boolean; threshold: SriThreshold }; trace: TraceEntry[] } {
  const reduction = input.sledaiBaseline - input.sledaiCurrent;
  const c1 = reduction >= threshold;
  const f = bilagFlare(input.bilagBaseline, input.bilagCurrent).value;
  const c2 = f.newA.length === 0 && f.newB.length <= 1;
  // Rounded to 1e-9 so that 1.3 − 1.0 counts as the 0.3 it is on paper.
  const pgaRise = Math.round((input.pgaCurrent - input.pgaBaseline) * 1e9) / 1e9;
  const c3 = pgaRise < SRI_PGA_WORSENING;
  const trace: TraceEntry[] = [
    { item: 'sledai', source: 'rule', detail: `reduction ${reduction} ${c1 ? '≥' : '<'} ${threshold}` },
    {
      item: 'bilag',
      source: 'rule',
      detail: `new A: ${f.newA.length}, new B: ${f.newB.length} (allowed 0 and ≤ 1)`,
    },
    { item: 'pga', source: 'rule', detail: `PGA change ${pgaRise} (worsening is ≥ 0.3)` },
  ];
  return { value: { responder: c1 && c2 && c3, threshold }, trace };
}
