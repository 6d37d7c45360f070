import { describe, expect, test } from 'vitest';
import { cellsPerKg, checkInfusionDose, checkViability, plannedTotalCells } from './infusion.js';
import { msctSleTrial } from './msct-sle-trial.js';

const plan = msctSleTrial.infusion;

describe('infusion plan', () => {
  test('trial.md Intervention [design]: 1 × 10^6 cells/kg, day 0 and day 7, viability ≥ 90%', () => {
    expect(plan.cellsPerKg).toBe(1_000_000);
    expect(plan.infusionVisitCodes).toEqual(['D0', 'D7']);
    expect(plan.minViabilityPercent).toBe(90);
    expect(plan.doseTolerance).toBe(0.1);
  });

  test('cells per kg', () => {
    expect(cellsPerKg(60e6, 60)).toBe(1e6);
    expect(cellsPerKg(55e6, 50)).toBeCloseTo(1.1e6);
    expect(cellsPerKg(60e6, 0)).toBeNull();
    expect(cellsPerKg(-1, 60)).toBeNull();
    expect(cellsPerKg(Number.NaN, 60)).toBeNull();
    expect(plannedTotalCells(plan, 52.5)).toBe(52.5e6);
    expect(plannedTotalCells(plan, 0)).toBeNull();
  });

  test.each([
    [60e6, 60, false],
    [66e6, 60, false], // exactly +10%
    [54e6, 60, false], // exactly −10%
    [66.1e6, 60, true],
    [53.9e6, 60, true],
    [120e6, 60, true],
  ])('%d cells at %d kg: flagged %s (±10%% tolerance)', (cells, kg, flagged) => {
    expect(checkInfusionDose(plan, { totalCells: cells, weightKg: kg }).flagged).toBe(flagged);
  });

  test('the tolerance is configurable', () => {
    const strict = { ...plan, doseTolerance: 0.05 };
    const check = checkInfusionDose(strict, { totalCells: 63.5e6, weightKg: 60 });
    expect(check.flagged).toBe(true);
    expect(check.relativeDeviation).toBeCloseTo(0.0583, 3);
    expect(check.message).toContain('dose deviation');
  });

  test('an unusable weight is flagged, not silently accepted', () => {
    expect(checkInfusionDose(plan, { totalCells: 60e6, weightKg: 0 })).toMatchObject({
      flagged: true,
      actualCellsPerKg: null,
    });
  });

  test('viability release criterion ≥ 90%', () => {
    expect(checkViability(plan, 90).released).toBe(true);
    expect(checkViability(plan, 89.9).released).toBe(false);
    expect(checkViability(plan, Number.NaN).released).toBe(false);
  });
});
