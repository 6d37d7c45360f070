// Renal response in lupus nephritis; which definition was used travels with the verdict
// (instruments.md §3.6). UPCR in g/g (use units/conversions.ts: mg/mmol × 8.84 / 1000).
//   kdigo-2021:  complete UPCR < 0.5 g/g and eGFR within ±15% of baseline (stable or better);
//                partial ≥ 50% UPCR reduction to < 3 g/g with eGFR stable (±15%).
//   bliss-ln:    complete (CRR) eGFR ≥ 90 or ≥ 90% of baseline, UPCR < 0.5, no treatment failure;
//                partial = PERR: eGFR ≥ 60 or ≥ 80% of baseline, UPCR ≤ 0.7, no treatment failure.
//   eular-2019:  complete UPCR < 0.5 (g/24 h read as g/g) with eGFR within 10% of baseline;
//                partial ≥ 50% reduction to < 3 with eGFR within 10%.
// The KDIGO ±10–15% band is printed as a range; 15% is our reading (configurable later).
import type { TraceEntry } from '../result.js';

export type RenalResponseDefinition = 'kdigo-2021' | 'bliss-ln' | 'eular-2019';
export type RenalResponse = 'complete' | 'partial' | 'none';

export interface RenalResponseInput {
  readonly upcrBaselineGG: number;
  readonly upcrCurrentGG: number;
  readonly egfrBaseline: number;
  readonly egfrCurrent: number;
  readonly treatmentFailure?: boolean;
}

export function renalResponse(
  i: RenalResponseInput,
  definition: RenalResponseDefinition,
): { value: { response: RenalResponse; definition: RenalResponseDefinition }; trace: TraceEntry[] } {
  const reduction = i.upcrBaselineGG > 0 ? 1 - i.upcrCurrentGG / i.upcrBaselineGG : 0;
  const ratio = i.egfrBaseline > 0 ? i.egfrCurrent / i.egfrBaseline : 1;
  const failed = i.treatmentFailure === true;
  let complete = false;
  let partial = false;
  if (definition === 'kdigo-2021') {
    const stable = ratio >= 0.85;
    complete = i.upcrCurrentGG < 0.5 && stable;
    partial = reduction >= 0.5 && i.upcrCurrentGG < 3 && stable;
  } else if (definition === 'bliss-ln') {
    complete = !failed && i.upcrCurrentGG < 0.5 && (i.egfrCurrent >= 90 || ratio >= 0.9);
    partial = !failed && i.upcrCurrentGG <= 0.7 && (i.egfrCurrent >= 60 || ratio >= 0.8);
  } else {
    const stable = ratio >= 0.9;
    complete = i.upcrCurrentGG < 0.5 && stable;
    partial = reduction >= 0.5 && i.upcrCurrentGG < 3 && stable;
  }
  const response: RenalResponse = complete ? 'complete' : partial ? 'partial' : 'none';
  return {
    value: { response, definition },
    trace: [
      {
        item: definition,
        source: 'rule',
        detail: `UPCR ${i.upcrBaselineGG} → ${i.upcrCurrentGG} g/g (reduction ${(reduction * 100).toFixed(1)}%), eGFR ${i.egfrBaseline} → ${i.egfrCurrent} (${(ratio * 100).toFixed(1)}% of baseline) → ${response}`,
      },
    ],
  };
}
