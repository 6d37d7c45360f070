// LLDAS (Franklyn et al., ARD 2016;75:1615; instruments.md §3.3) and DORIS 2021 remission
// (van Vollenhoven et al., Lupus Sci Med 2021;8:e000538; instruments.md §3.4).
import type { TraceEntry } from '../result.js';

export interface LldasInput {
  readonly sledai2k: number;
  /** Activity in renal, CNS, cardiopulmonary, vasculitis or fever, or haemolytic anaemia or GI activity. */
  readonly majorOrganActivity: boolean;
  readonly newFeaturesSincePrevious: boolean;
  /** SELENA-SLEDAI PGA, 0–3. */
  readonly pga: number;
  readonly prednisoloneMgPerDay: number;
  /** Standard, well-tolerated maintenance doses; no investigational drugs. */
  readonly standardMaintenanceTherapy: boolean;
}

/** All five LLDAS criteria: SLEDAI-2K ≤ 4 (no major organ activity), no new features, PGA ≤ 1, pred ≤ 7.5 mg/d, standard maintenance. */
export function lldas(i: LldasInput): { value: { met: boolean }; trace: TraceEntry[] } {
  const checks: [string, boolean, string][] = [
    [
      'sledai2k',
      i.sledai2k <= 4 && !i.majorOrganActivity,
      `SLEDAI-2K ${i.sledai2k} ≤ 4 without major organ activity`,
    ],
    ['new_features', !i.newFeaturesSincePrevious, 'no new lupus activity since previous assessment'],
    ['pga', i.pga <= 1, `PGA ${i.pga} ≤ 1`],
    ['prednisolone', i.prednisoloneMgPerDay <= 7.5, `prednisolone ${i.prednisoloneMgPerDay} ≤ 7.5 mg/day`],
    ['maintenance', i.standardMaintenanceTherapy, 'standard maintenance immunosuppression only'],
  ];
  return {
    value: { met: checks.every((c) => c[1]) },
    trace: checks.map(([item, ok, detail]) => ({
      item,
      source: 'rule' as const,
      detail: `${ok ? 'met' : 'not met'}: ${detail}`,
    })),
  };
}

export interface DorisInput {
  /** Clinical SLEDAI (serology ignored). */
  readonly clinicalSledai: number;
  /** Physician/evaluator global assessment, 0–3. */
  readonly pga: number;
  readonly prednisoloneMgPerDay: number;
  /** Antimalarials, immunosuppressives and biologics only at stable doses. */
  readonly stableTherapy: boolean;
}

/**
 * DORIS 2021: clinical SLEDAI = 0, PGA < 0.5, prednisolone ≤ 5 mg/day (abstract: "5 mg/day or
 * less"; the recommendations table prints "< 5" — pass `prednisoloneComparator: '<'` for that
 * reading), stable maintenance therapy. The comparator used is returned.
 */
export function dorisRemission2021(i: DorisInput, options?: { prednisoloneComparator?: '<=' | '<' }) {
  const cmp = options?.prednisoloneComparator ?? '<=';
  const predOk = cmp === '<=' ? i.prednisoloneMgPerDay <= 5 : i.prednisoloneMgPerDay < 5;
  const checks: [string, boolean][] = [
    [`clinical SLEDAI ${i.clinicalSledai} = 0`, i.clinicalSledai === 0],
    [`PGA ${i.pga} < 0.5`, i.pga < 0.5],
    [`prednisolone ${i.prednisoloneMgPerDay} ${cmp} 5 mg/day`, predOk],
    ['stable antimalarial/immunosuppressive/biologic therapy', i.stableTherapy],
  ];
  return {
    value: { remission: checks.every((c) => c[1]), prednisoloneComparator: cmp },
    trace: checks.map(([detail, ok]) => ({
      item: 'doris2021',
      source: 'rule' as const,
      detail: `${ok ? 'met' : 'not met'}: ${detail}`,
    })),
  };
}
