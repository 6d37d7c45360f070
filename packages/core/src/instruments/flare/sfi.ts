// SELENA-SLEDAI Flare Index, classic (instruments.md §1.5 [READ: ARD review table 278401;
// medicalalgorithms.com]). Severe wins over mild/moderate.
import type { TraceEntry } from '../result.js';

export interface SfiInput {
  readonly sledaiPrevious: number;
  readonly sledaiCurrent: number;
  /** New/worse discoid, photosensitive, profundus, cutaneous vasculitis, bullous rash, nasopharyngeal ulcers, pleuritis, pericarditis, arthritis or SLE fever. */
  readonly newMildModerateManifestation?: boolean;
  /** New/worse CNS-SLE, vasculitis, nephritis, myositis, platelets < 60 000, haemolytic anaemia (Hb < 7 g/dL or fall > 3 g/dL) needing hospitalisation or more prednisone. */
  readonly newSevereManifestation?: boolean;
  readonly prednisoneMgPerKgPrevious?: number;
  readonly prednisoneMgPerKgCurrent?: number;
  readonly addedNsaidOrHydroxychloroquine?: boolean;
  /** New cyclophosphamide, azathioprine, methotrexate (mycophenolate UNVERIFIED, instruments.md §1.5). */
  readonly newImmunosuppressant?: boolean;
  readonly hospitalisedForSle?: boolean;
  readonly pgaPrevious: number;
  readonly pgaCurrent: number;
}

export type SfiFlare = 'severe' | 'mild-moderate' | 'none';

export function selenaFlareIndex(i: SfiInput): { value: { flare: SfiFlare }; trace: TraceEntry[] } {
  const trace: TraceEntry[] = [];
  const rise = i.sledaiCurrent - i.sledaiPrevious;
  const pgaRise = Math.round((i.pgaCurrent - i.pgaPrevious) * 1e9) / 1e9;
  const predPrev = i.prednisoneMgPerKgPrevious ?? 0;
  const predNow = i.prednisoneMgPerKgCurrent ?? predPrev;
  const severe: [boolean, string][] = [
    [i.sledaiCurrent > 12 && rise > 0, `SELENA-SLEDAI increased to ${i.sledaiCurrent} > 12`],
    [i.newSevereManifestation === true, 'new/worse severe manifestation'],
    [predNow > 0.5 && predNow > predPrev, `prednisone increased to ${predNow} > 0.5 mg/kg/day`],
    [i.newImmunosuppressant === true, 'new cyclophosphamide, azathioprine or methotrexate'],
    [i.hospitalisedForSle === true, 'hospitalisation for SLE activity'],
    [i.pgaCurrent > 2.5 && pgaRise > 0, `PGA increased to ${i.pgaCurrent} > 2.5`],
  ];
  const mild: [boolean, string][] = [
    [rise >= 3, `SELENA-SLEDAI increase ${rise} ≥ 3`],
    [i.newMildModerateManifestation === true, 'new/worse mild–moderate manifestation'],
    [predNow > predPrev, 'prednisone increased (≤ 0.5 mg/kg/day)'],
    [i.addedNsaidOrHydroxychloroquine === true, 'NSAID or hydroxychloroquine added for SLE activity'],
    [pgaRise >= 1, `PGA increase ${pgaRise} ≥ 1.0`],
  ];
  for (const [hit, detail] of severe) if (hit) trace.push({ item: 'severe', source: 'rule', detail });
  if (trace.length > 0) return { value: { flare: 'severe' }, trace };
  for (const [hit, detail] of mild) if (hit) trace.push({ item: 'mild-moderate', source: 'rule', detail });
  return { value: { flare: trace.length > 0 ? 'mild-moderate' : 'none' }, trace };
}
