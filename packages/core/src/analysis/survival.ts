/**
 * Time to event (analysis-plan.md R1, R4 and "Methods: Time to event"):
 * - overall survival from day 0 (death; censored at last contact, administratively at the horizon),
 *   Kaplan–Meier with Greenwood variance and log-log CI (R `survfit(Surv(t, e) ~ 1)`);
 * - relapse-free survival among responders from the first response (R4), censored at the last
 *   assessment of follow-up;
 * - time to first response (censored at the last assessment), log-rank LN vs non-LN (R `survdiff`);
 * - exploratory Cox model (Efron ties, R `coxph(..., ties = "efron")`) of time to first response on
 *   baseline SLEDAI-2K, disease duration and age, on complete cases.
 */
import { coxPH, type GroupLabel, kaplanMeier, logRankTest, survivalAt } from '../stats/index.js';
import { isResponder } from './response.js';
import { deathOf } from './safety.js';
import type { SubjectRecord } from './subject-record.js';
import type { SurvivalCurve, SurvivalResults } from './types.js';

export interface Tte {
  time: number;
  event: boolean;
}

export function survivalCurve(
  label: string,
  data: readonly Tte[],
  times: readonly number[],
  confLevel: number,
): SurvivalCurve {
  const fit = kaplanMeier(
    data.map((d) => d.time),
    data.map((d) => d.event),
    { confType: 'log-log', confLevel },
  );
  return { label, fit, at: fit.ok ? survivalAt(fit.value, times) : fit };
}

/** Overall survival of one enrolled subject (endpoints.md "Safety": censored at last contact). */
export function overallSurvivalOf(r: SubjectRecord, horizonDay: number): Tte {
  const os = r.timeToEvent?.overallSurvival;
  if (os) return { time: os.time, event: os.event === 1 };
  const death = deathOf(r);
  if (death)
    return death.studyDay > horizonDay
      ? { time: horizonDay, event: false }
      : { time: death.studyDay, event: true };
  const days = r.derivation.visits.map((v) => v.studyDay).filter((d): d is number => d !== null);
  return { time: Math.min(horizonDay, Math.max(0, ...days)), event: false };
}

/** Relapse-free time of a responder from the first response (analysis-plan.md R4). */
export function relapseFreeOf(r: SubjectRecord): Tte | null {
  const v = r.adjudication?.primary;
  if (!v || !isResponder(r) || !v.firstResponseAt) return null;
  const start = v.firstResponseAt.studyDay;
  if (v.relapse) return { time: v.relapse.studyDay - start, event: true };
  return { time: Math.max(0, (v.lastAssessment?.studyDay ?? start) - start), event: false };
}

function firstResponseOf(r: SubjectRecord): Tte {
  const fr = r.timeToEvent?.firstResponse;
  return fr ? { time: fr.time, event: fr.event === 1 } : { time: 0, event: false };
}

export interface SurvivalOptions {
  horizonDay: number;
  /** Days at which S(t) is tabulated (the schedule's target days). */
  reportingDays: readonly number[];
  confLevel: number;
}

export function analyseSurvival(enrolled: readonly SubjectRecord[], o: SurvivalOptions): SurvivalResults {
  const os = enrolled.map((r) => overallSurvivalOf(r, o.horizonDay));
  const rfs = enrolled.map(relapseFreeOf).filter((x): x is Tte => x !== null);
  const ttr = enrolled.map(firstResponseOf);

  const withLn = enrolled.map((r, i) => ({ r, i })).filter(({ r }) => r.lupusNephritis !== null);
  const lnLabel = (r: SubjectRecord): GroupLabel => (r.lupusNephritis ? 'LN' : 'non-LN');
  const logRank = (data: readonly Tte[]) =>
    logRankTest(
      withLn.map(({ i }) => data[i]!.time),
      withLn.map(({ i }) => data[i]!.event),
      withLn.map(({ r }) => lnLabel(r)),
    );

  const covariates = ['baseline SLEDAI-2K', 'disease duration (months)', 'age (years)'];
  const rows = enrolled.flatMap((r, i) => {
    const s = r.derivation.history?.baseline.sledai;
    return s !== undefined && r.diseaseDurationMonths !== null && r.age !== null
      ? [{ x: [s, r.diseaseDurationMonths, r.age], t: ttr[i]! }]
      : [];
  });
  const cox = coxPH(
    rows.map((x) => x.t.time),
    rows.map((x) => x.t.event),
    rows.map((x) => x.x),
    { confLevel: o.confLevel },
  );

  return {
    overall: survivalCurve('Overall survival', os, o.reportingDays, o.confLevel),
    relapseFree: survivalCurve(
      'Relapse-free survival among responders (from first response)',
      rfs,
      o.reportingDays.filter((d) => d <= o.horizonDay - 182),
      o.confLevel,
    ),
    timeToFirstResponse: survivalCurve(
      'Time to first response (1 − S = cumulative response)',
      ttr,
      o.reportingDays,
      o.confLevel,
    ),
    logRankResponseLn: logRank(ttr),
    logRankSurvivalLn: logRank(os),
    coxResponse: { ...cox, covariates, n: rows.length, excluded: enrolled.length - rows.length },
  };
}
