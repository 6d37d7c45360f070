// Classic BILAG renal grade from its criteria (instruments.md §2.1 "Classic renal grading"
// [READ: sakitani.net bilag7.html, translated; cross-checked with PMC4411763 Table 1]).
// The assessor may still enter the grade directly; this derives it when the criteria are recorded.
//   A: ≥ 2 of criteria 1–5, at least one of which is 1, 4 or 5;
//   B: any one A criterion; or dipstick risen ≥ 1 level to ≥ 2+; or 24 h protein > 1 g risen
//      50–100%; or creatinine > 1.5 mg/dL (> 130 µmol/L) risen to ≥ 115% of previous;
//   C: 24 h protein > 0.25 g; or dipstick ≥ 1+; or BP > 140/90 with rises ≥ 30 systolic AND ≥ 15
//      diastolic.
import type { TraceEntry } from '../result.js';

export interface ClassicRenalCriteria {
  /** 1: proteinuria — dipstick up ≥ 2 levels, 24 h 0.2 → > 1 g, > 1 g doubled, or new > 1 g/day. */
  readonly proteinuriaA?: boolean;
  /** 2: accelerated (malignant) hypertension. */
  readonly acceleratedHypertension?: boolean;
  /** 3: deteriorating renal function — creatinine > 130 µmol/L and ≥ 130% of previous, clearance ≤ 67% of previous, or < 50 mL/min from > 50. */
  readonly deterioratingFunction?: boolean;
  /** 4: active sediment — pyuria > 5 WBC/hpf, haematuria > 5 RBC/hpf, or red-cell casts. */
  readonly activeSediment?: boolean;
  /** 5: histology of active nephritis within 3 months (sclerosis alone does not count). */
  readonly activeHistology?: boolean;
  /** B: dipstick risen ≥ 1 level to at least 2+. */
  readonly dipstickRiseTo2?: boolean;
  /** B: 24 h protein > 1 g and increased by 50–100%. */
  readonly proteinRise50to100?: boolean;
  /** B: creatinine > 130 µmol/L and risen to ≥ 115% of previous. */
  readonly creatinineRise115?: boolean;
  /** C: 24 h protein > 0.25 g. */
  readonly protein24hOver025?: boolean;
  /** C: dipstick ≥ 1+. */
  readonly dipstickAtLeast1?: boolean;
  /** C: BP > 140/90 with systolic rise ≥ 30 and diastolic rise ≥ 15 mm Hg. */
  readonly risingBloodPressure?: boolean;
}

/** 3 = A, 2 = B, 1 = C, 0 = no activity (D/E from history). */
export function classicRenalRank(c: ClassicRenalCriteria, trace: TraceEntry[] | null = null): 0 | 1 | 2 | 3 {
  const a = [
    c.proteinuriaA,
    c.acceleratedHypertension,
    c.deterioratingFunction,
    c.activeSediment,
    c.activeHistology,
  ];
  const n = a.filter((x) => x === true).length;
  if (n >= 2 && (c.proteinuriaA || c.activeSediment || c.activeHistology)) {
    trace?.push({
      item: 'renal',
      source: 'rule',
      detail: `A: ${n} criteria including 1, 4 or 5`,
      contributes: 'A',
    });
    return 3;
  }
  if (n >= 1 || c.dipstickRiseTo2 || c.proteinRise50to100 || c.creatinineRise115) {
    trace?.push({
      item: 'renal',
      source: 'rule',
      detail: 'B: one A criterion or a B criterion',
      contributes: 'B',
    });
    return 2;
  }
  if (c.protein24hOver025 || c.dipstickAtLeast1 || c.risingBloodPressure) {
    trace?.push({
      item: 'renal',
      source: 'rule',
      detail: 'C: mild proteinuria or rising blood pressure',
      contributes: 'C',
    });
    return 1;
  }
  return 0;
}
