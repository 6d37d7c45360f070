// Which forms need source data verification (issue 21): a study's monitoring plan says either every
// form (100 % SDV, the default: ICH E6(R2) 5.18.3 lets the sponsor choose the extent of monitoring,
// and 100 % is what a study without a risk-based plan does) or a risk-based subset, each rule a form
// code, optionally at one visit code only.

export interface SdvRule {
  formCode: string;
  /** Only at this visit; absent: at every visit. */
  visitCode?: string;
}

export type SdvPlan = { mode: 'all' } | { mode: 'subset'; rules: SdvRule[] };

export const FULL_SDV: SdvPlan = { mode: 'all' };

/** Whether a form at a visit needs source verification under the plan. */
export function needsSdv(plan: SdvPlan, formCode: string, visitCode: string): boolean {
  if (plan.mode === 'all') return true;
  return plan.rules.some(
    (r) => r.formCode === formCode && (r.visitCode === undefined || r.visitCode === visitCode),
  );
}
