// Every table of the analysis as CSV (RFC 4180: comma-separated, fields with a comma, quote or
// line break quoted, quotes doubled), one text per table, numbers at full precision as in the JSON.
import type { AnalysisResults, CountRow, Proportion } from '@msct/core/analysis';
import type { StatResult } from '@msct/core/stats';

type Cell = string | number | boolean | null | undefined;

function field(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return `${[header, ...rows].map((r) => r.map(field).join(',')).join('\r\n')}\r\n`;
}

const val = <T>(r: StatResult<T> | null | undefined): T | null => (r?.ok ? r.value : null);

const PROPORTION_HEADER = ['x', 'n', 'estimate', 'cp_lower', 'cp_upper', 'wilson_lower', 'wilson_upper'];
const prop = (p: Proportion): Cell[] => [
  p.x,
  p.n,
  p.estimate,
  val(p.clopperPearson)?.lower,
  val(p.clopperPearson)?.upper,
  val(p.wilson)?.lower,
  val(p.wilson)?.upper,
];
const counts = (rows: readonly CountRow[]) =>
  toCsv(
    ['label', 'events', 'patients'],
    rows.map((r) => [r.label, r.events, r.patients]),
  );

/** Table name → CSV text. */
export function resultsToCsv(r: AnalysisResults): Record<string, string> {
  const out: Record<string, string> = {};
  out.populations = toCsv(
    ['population', 'n'],
    Object.entries(r.populations).map(([k, v]) => [k, v]),
  );
  out.response = toCsv(
    ['group', 'outcome', ...PROPORTION_HEADER],
    [r.response.overall, ...r.response.bySite].flatMap((t) =>
      (['MCR', 'PCR', 'NR', 'responders'] as const).map((o) => [t.group, o, ...prop(t[o])]),
    ),
  );
  out.first_response_month = toCsv(
    ['month', 'count'],
    r.response.firstResponseMonth.map((m) => [m.month, m.count]),
  );
  out.non_responder_imputation = counts(r.response.imputed);
  out.ae_by_term = counts(r.safety.adverseEvents.byTerm);
  out.ae_by_grade = counts(r.safety.adverseEvents.byGrade);
  out.ae_by_seriousness = counts(r.safety.adverseEvents.bySeriousness);
  out.ae_by_relatedness = counts(r.safety.adverseEvents.byRelatedness);
  out.infusion_reactions = counts(r.safety.infusions.reactions);
  out.ae_excluded = toCsv(
    ['subject', 'site', 'term', 'onset_date', 'study_day', 'rule', 'reason'],
    r.safety.adverseEvents.excluded.map((x) => [
      x.subject,
      x.site,
      x.term,
      x.onsetDate,
      x.studyDay,
      x.rule,
      x.reason,
    ]),
  );
  out.safety_summary = toCsv(
    ['measure', ...PROPORTION_HEADER],
    [
      ['patients with any AE', ...prop(r.safety.adverseEvents.patientsWithAny)],
      ['patients with a serious AE', ...prop(r.safety.adverseEvents.serious)],
      ['patients with a transplantation-related AE', ...prop(r.safety.adverseEvents.transplantationRelated)],
      [`alive at day ${r.safety.horizonDay}`, ...prop(r.safety.aliveAtHorizon)],
    ],
  );
  out.deaths = toCsv(
    ['subject', 'site', 'study_day', 'date', 'cause'],
    r.safety.deaths.map((d) => [d.subject, d.site, d.studyDay, d.date, d.cause]),
  );
  for (const [name, c] of [
    ['survival_overall', r.survival.overall],
    ['survival_relapse_free', r.survival.relapseFree],
    ['survival_time_to_first_response', r.survival.timeToFirstResponse],
  ] as const) {
    out[name] = toCsv(
      ['time', 'n_risk', 'n_event', 'n_censor', 'survival', 'std_err', 'lower', 'upper'],
      (val(c.at) ?? []).map((a) => [
        a.time,
        a.nRisk,
        a.nEvent,
        a.nCensor,
        a.survival,
        a.stdErr,
        a.lower,
        a.upper,
      ]),
    );
  }
  out.relapse_by_visit = toCsv(
    ['visit', 'new_relapses', ...PROPORTION_HEADER.map((h) => `cumulative_${h}`)],
    r.relapse.byVisit.map((v) => [v.visit, v.newRelapses, ...prop(v.cumulative)]),
  );
  out.retreatment = toCsv(
    ['subject', 'visit', 'study_day', 'rule'],
    r.relapse.retreatment.patients.map((p) => [p.subject, p.visit, p.studyDay, p.rule]),
  );
  out.change_from_baseline = toCsv(
    [
      'plan_id',
      'measure',
      'key',
      'unit',
      'population',
      'timepoint',
      'n',
      'mean',
      'sd',
      'se',
      'median',
      'q1',
      'q3',
      'min',
      'max',
      'pairs',
      'change_mean',
      'change_sd',
      't',
      'df',
      'p_t',
      'p_t_holm',
      'wilcoxon_v',
      'wilcoxon_method',
      'p_wilcoxon',
      'p_wilcoxon_holm',
      'primary_test',
      'p_primary',
    ],
    r.measures.flatMap((m) =>
      m.timepoints.map((t) => {
        const s = val(t.summary);
        const c = val(t.change);
        const tt = val(t.tTest);
        const w = val(t.wilcoxon);
        return [
          m.planId,
          m.label,
          m.key,
          m.unit,
          m.population,
          t.timepoint,
          s?.n ?? 0,
          s?.mean,
          s?.sd,
          s?.se,
          s?.median,
          s?.q1,
          s?.q3,
          s?.min,
          s?.max,
          t.pairs,
          c?.mean,
          c?.sd,
          tt?.t,
          tt?.df,
          tt?.pValue,
          t.tTestHolm,
          w?.statistic,
          w?.method,
          w?.pValue,
          t.wilcoxonHolm,
          m.primaryTest,
          t.primaryP,
        ];
      }),
    ),
  );
  out.friedman = toCsv(
    ['key', 'measure', 'complete_cases', 'statistic', 'df', 'p'],
    r.measures.map((m) => {
      const f = m.friedman.ok ? m.friedman.value : null;
      return [m.key, m.label, m.friedman.completeCases, f?.statistic, f?.df, f?.pValue];
    }),
  );
  out.log_rank = toCsv(
    ['endpoint', 'group', 'n', 'observed', 'expected', 'chi_square', 'df', 'p'],
    (
      [
        ['time to first response', r.survival.logRankResponseLn],
        ['overall survival', r.survival.logRankSurvivalLn],
      ] as const
    ).flatMap(([name, lr]) => {
      const v = val(lr);
      return v
        ? v.groups.map((g) => [
            name,
            String(g.group),
            g.n,
            g.observed,
            g.expected,
            v.chiSquare,
            v.df,
            v.pValue,
          ])
        : [];
    }),
  );
  const cox = val(r.survival.coxResponse);
  out.cox_time_to_response = toCsv(
    ['covariate', 'coefficient', 'se', 'hazard_ratio', 'lower', 'upper', 'z', 'p'],
    (cox?.coefficients ?? []).map((c, i) => [
      r.survival.coxResponse.covariates[i],
      c.coefficient,
      c.se,
      c.hazardRatio,
      c.lower,
      c.upper,
      c.z,
      c.pValue,
    ]),
  );
  out.patient_listing = toCsv(
    [
      'subject',
      'site',
      'lupus_nephritis',
      'age',
      'disease_duration_months',
      'baseline_sledai',
      'baseline_bilag',
      'best_response',
      'label',
      'first_response_month',
      'relapse_visit',
      're_response_month',
      'retreatment_visit',
      'death_day',
      'death_cause',
      ...r.definitions.timepoints.map((t) => `sledai_${t}`),
      'imputation',
      'summary',
    ],
    r.listing.map((p) => [
      p.subject,
      p.site,
      p.lupusNephritis,
      p.age,
      p.diseaseDurationMonths,
      p.baselineSledai,
      p.baselineBilag,
      p.bestResponse,
      p.label,
      p.firstResponseMonth,
      p.relapseVisit,
      p.reResponseMonth,
      p.retreatmentVisit,
      p.deathDay,
      p.deathCause,
      ...r.definitions.timepoints.map((t) => p.sledai[t] ?? null),
      p.imputation,
      p.summary,
    ]),
  );
  return out;
}
