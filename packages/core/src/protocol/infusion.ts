/**
 * Infusion dose and product release checks against the study's infusion plan
 * (trial.md "Intervention": 1 × 10^6 cells/kg per infusion [design]; viability ≥ 90% [design]).
 */
import type { InfusionPlan } from './study-definition.js';

/** Cells per kg body weight, or null when either input is not a positive finite number. */
export function cellsPerKg(totalCells: number, weightKg: number): number | null {
  if (!(Number.isFinite(totalCells) && totalCells > 0 && Number.isFinite(weightKg) && weightKg > 0))
    return null;
  return totalCells / weightKg;
}

/** Total cells the plan calls for at a body weight, or null for an invalid weight. */
export function plannedTotalCells(plan: Pick<InfusionPlan, 'cellsPerKg'>, weightKg: number): number | null {
  if (!(Number.isFinite(weightKg) && weightKg > 0)) return null;
  return plan.cellsPerKg * weightKg;
}

export interface DoseCheck {
  plannedCellsPerKg: number;
  /** Null when the count or weight is unusable (then `flagged` is true). */
  actualCellsPerKg: number | null;
  /** (actual − planned) / planned; null when actual is unknown. */
  relativeDeviation: number | null;
  tolerance: number;
  flagged: boolean;
  message: string;
}

/** Compare a given dose with the plan; off plan by more than `plan.doseTolerance` is flagged. */
export function checkInfusionDose(
  plan: Pick<InfusionPlan, 'cellsPerKg' | 'doseTolerance'>,
  given: { totalCells: number; weightKg: number },
): DoseCheck {
  const actual = cellsPerKg(given.totalCells, given.weightKg);
  const base = { plannedCellsPerKg: plan.cellsPerKg, tolerance: plan.doseTolerance };
  if (actual === null) {
    return {
      ...base,
      actualCellsPerKg: null,
      relativeDeviation: null,
      flagged: true,
      message: `cannot compute cells/kg from total cells ${given.totalCells} and weight ${given.weightKg} kg`,
    };
  }
  const deviation = (actual - plan.cellsPerKg) / plan.cellsPerKg;
  // Round away floating-point noise so that exactly +10% is within a ±10% tolerance.
  const flagged = Math.abs(Math.round(deviation * 1e9) / 1e9) > plan.doseTolerance;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return {
    ...base,
    actualCellsPerKg: actual,
    relativeDeviation: deviation,
    flagged,
    message: `${actual.toExponential(2)} cells/kg given vs ${plan.cellsPerKg.toExponential(2)} planned (${deviation >= 0 ? '+' : ''}${pct(deviation)}; tolerance ±${pct(plan.doseTolerance)})${flagged ? ': dose deviation' : ''}`,
  };
}

export interface ViabilityCheck {
  viabilityPercent: number;
  minViabilityPercent: number;
  released: boolean;
  message: string;
}

/** Product release: viability must be at least the plan's minimum (≥ 90% for MSCT–SLE). */
export function checkViability(
  plan: Pick<InfusionPlan, 'minViabilityPercent'>,
  viabilityPercent: number,
): ViabilityCheck {
  const released = Number.isFinite(viabilityPercent) && viabilityPercent >= plan.minViabilityPercent;
  return {
    viabilityPercent,
    minViabilityPercent: plan.minViabilityPercent,
    released,
    message: released
      ? `viability ${viabilityPercent}% meets the release criterion (≥ ${plan.minViabilityPercent}%)`
      : `viability ${viabilityPercent}% is below the release criterion (≥ ${plan.minViabilityPercent}%): do not release`,
  };
}
