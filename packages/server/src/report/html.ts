// The analysis report as one self-contained HTML document (issue 5 "The report"): inline CSS and
// inline SVG charts, no external resource, printable to PDF. The header states what is needed to
// reproduce every number: data snapshot hash, software version, generation time, endpoint rule set,
// BILAG version, methods and missing-data rules (analysis-plan.md "Methods").
import type { AnalysisResults } from '@msct/core/analysis';
import { BILAG2004_PROVISIONAL_SYSTEMS } from '@msct/core/instruments';
import { endpointBilagStatement } from '@msct/core/protocol';
import { armSectionHtml } from './arms.js';
import {
  kaplanMeierSpec,
  responseBarSpec,
  spaghettiSpec,
  swimmerSpec,
  toSvg,
  trajectorySpec,
} from './charts.js';
import { escapeHtml } from './format.js';
import { countTable, measureTable, PROPORTION_HEAD, TableWriter, table, tableEnds, text } from './tables.js';

export interface ReportMeta {
  softwareVersion: string;
  /** ISO instant the report was generated. */
  generatedAt: string;
  title?: string;
}

const CSS = `
body{font:13px/1.45 Helvetica,Arial,sans-serif;color:#222;margin:24px auto;max-width:1100px;padding:0 16px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;border-bottom:1px solid #ccc;padding-bottom:3px;margin-top:28px}
h3{font-size:14px;margin:18px 0 6px}
table{border-collapse:collapse;margin:8px 0 14px;font-size:12px}caption{text-align:left;font-weight:bold;padding:4px 0}
th,td{border:1px solid #ddd;padding:3px 6px;vertical-align:top}th{background:#f3f3f3;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.sig{text-align:center;font-weight:bold}
.meta td:first-child{font-weight:bold;white-space:nowrap}.note{color:#555;font-size:11px;margin:0 0 12px}
.charts{display:flex;flex-wrap:wrap;gap:10px}.charts figure{margin:0}.measure{break-inside:avoid}
.listing td{font-size:11px}.trace{color:#555}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table{break-inside:auto}tr{break-inside:avoid}}
`;

const figure = (svg: string | null, id: string) =>
  svg ? `<figure id="chart-${escapeHtml(id)}">${svg}</figure>` : '';

/** Patients per chunk of the listing: one chunk is ~0.3 MB of HTML at 500 rows. */
const LISTING_CHUNK = 500;

/** The whole report as one string (the API route and the PDF printer take a string). */
export async function renderReportHtml(results: AnalysisResults, meta: ReportMeta): Promise<string> {
  const parts: string[] = [];
  for await (const part of reportHtmlChunks(results, meta)) parts.push(part);
  return parts.join('');
}

/**
 * The report as consecutive chunks of HTML whose concatenation is the document, the per-patient
 * listing in slices of LISTING_CHUNK rows: `msct analyze` writes them to report.html one by one, so
 * the 13.6 MB document of a 20 000-patient trial (and its 20 000 row strings) never exists in memory
 * at once (issue 16: < 600 MB peak RSS with the HTML report).
 */
export async function* reportHtmlChunks(results: AnalysisResults, meta: ReportMeta): AsyncGenerator<string> {
  const r = results;
  const w = new TableWriter(r);
  const d = r.definitions;
  const alpha = d.alpha;
  const svg = async (spec: Parameters<typeof toSvg>[0] | null) => (spec ? toSvg(spec) : null);

  const header = table('meta', 'Report definitions', '<th>item</th><th>value</th>', [
    `${text('Study')}${text(`${r.study.code} — ${r.study.title}`)}`,
    `${text('Data snapshot')}<td><code id="snapshot-hash">${escapeHtml(r.snapshot.hash)}</code> read at ${escapeHtml(r.snapshot.takenAt)}</td>`,
    `${text('Software')}<td id="software-version">msct ${escapeHtml(meta.softwareVersion)}</td>`,
    `${text('Software build')}<td id="software-build">${
      r.software
        ? `${r.software.commit ? `commit <code>${escapeHtml(r.software.commit)}</code>${r.software.uncommittedChanges ? ' with uncommitted changes' : ''}` : 'no git commit available'}; content <code>${escapeHtml(r.software.contentHash)}</code>`
        : 'not recorded in these results'
    }</td>`,
    `${text('Generated')}<td id="generated-at">${escapeHtml(meta.generatedAt)}</td>`,
    `${text('Endpoint rule set')}<td id="rule-set">${escapeHtml(`${d.ruleSet.id} v${d.ruleSet.version}`)} — ${escapeHtml(d.ruleSet.title)}</td>`,
    `${text('BILAG version')}<td id="bilag-version">${escapeHtml(d.bilagVersion)}</td>`,
    // Issue #18 item 13: only classic BILAG (verified) drives endpoints (validate-definition refuses
    // another); BILAG-2004 grades of eight systems rest on provisional rules and are not used here.
    `${text('BILAG driving endpoints')}<td id="endpoint-bilag">${escapeHtml(`${endpointBilagStatement({})} BILAG-2004 grades of the ${BILAG2004_PROVISIONAL_SYSTEMS.join(', ')} systems are provisional.`)}</td>`,
    `${text('Timepoints')}${text(`${d.timepoints.join(', ')} (baseline ${d.timepoints[0]}); follow-up to study day ${d.horizonDay}`)}`,
    `${text('Methods')}<td><ul>${d.methods.map((m) => `<li>${escapeHtml(m)}</li>`).join('')}</ul></td>`,
    `${text('Missing data')}<td id="missing-data"><ul>${d.missingData.map((m) => `<li>${escapeHtml(m)}</li>`).join('')}</ul></td>`,
  ]);

  const populations = table('populations', 'Populations', '<th>population</th><th>n</th>', [
    `${text('screened (in the database)')}${w.n('populations.screened', 'int')}`,
    `${text('enrolled (received the first infusion)')}${w.n('populations.enrolled', 'int')}`,
    `${text('responders (MCR or PCR during 12 months)')}${w.n('populations.responders', 'int')}`,
    `${text('lupus nephritis at baseline')}${w.n('populations.lupusNephritis', 'int')}`,
  ]);

  // R1, R2
  const s = r.safety;
  const safety = [
    table(
      'safety-summary',
      `R1/R2 — safety over the enrolled (n = ${r.populations.enrolled})`,
      `<th>measure</th>${PROPORTION_HEAD}`,
      [
        `${text(`alive at study day ${s.horizonDay}`)}${w.proportion('safety.aliveAtHorizon')}`,
        `${text('patients with any adverse event')}${w.proportion('safety.adverseEvents.patientsWithAny')}`,
        `${text('patients with a serious adverse event')}${w.proportion('safety.adverseEvents.serious')}`,
        `${text('patients with a transplantation-related AE (possible/probable/definite)')}${w.proportion('safety.adverseEvents.transplantationRelated')}`,
      ],
    ),
    `<p class="note">Adverse events: ${w.s('safety.adverseEvents.total', 'int')} from day 0 to day ${s.horizonDay} (${w.s('safety.adverseEvents.excludedOutsideWindow', 'int')} left out, each listed below with the reason). Vital status unknown at the horizon (withdrawn or lost alive): ${w.s('safety.vitalStatusUnknown', 'int')}. Infusions given: ${w.s('safety.infusions.given', 'int')} to ${w.s('safety.infusions.patients', 'int')} patients; patients with an infusion reaction: ${w.s('safety.infusions.withReaction', 'int')}.</p>`,
    countTable(
      w,
      'ae-by-term',
      'Adverse events by term',
      'safety.adverseEvents.byTerm',
      s.adverseEvents.byTerm,
    ),
    countTable(
      w,
      'ae-by-grade',
      'Adverse events by CTCAE grade',
      'safety.adverseEvents.byGrade',
      s.adverseEvents.byGrade,
    ),
    countTable(
      w,
      'ae-by-seriousness',
      'Adverse events by seriousness (ICH E2A)',
      'safety.adverseEvents.bySeriousness',
      s.adverseEvents.bySeriousness,
    ),
    countTable(
      w,
      'ae-by-relatedness',
      'Adverse events by relatedness to the infusion',
      'safety.adverseEvents.byRelatedness',
      s.adverseEvents.byRelatedness,
    ),
    countTable(
      w,
      'infusion-reactions',
      'Infusion reactions',
      'safety.infusions.reactions',
      s.infusions.reactions,
    ),
    table(
      'ae-excluded',
      'Adverse events left out of the tables, and why',
      '<th>subject</th><th>centre</th><th>term</th><th>onset</th><th>study day</th><th>rule</th><th>reason</th>',
      s.adverseEvents.excluded.length
        ? s.adverseEvents.excluded.map(
            (x, i) =>
              `${text(x.subject)}${text(x.site)}${text(x.term)}${text(x.onsetDate)}${w.n(`safety.adverseEvents.excluded.${i}.studyDay`, 'day')}${text(x.rule)}${text(x.reason)}`,
          )
        : ['<td colspan="7">none: every recorded adverse event is in the tables above</td>'],
    ),
    s.adverseEvents.excluded.some((x) => x.studyDay === null)
      ? '<p class="note">Study day "—": the subject has no day 0 (no first infusion), so the onset has no study day.</p>'
      : '',
    table(
      'deaths',
      'Deaths',
      '<th>subject</th><th>centre</th><th>study day</th><th>date</th><th>cause</th>',
      s.deaths.map(
        (x, i) =>
          `${text(x.subject)}${text(x.site)}${w.n(`safety.deaths.${i}.studyDay`, 'day')}${text(x.date)}${text(x.cause)}`,
      ),
    ),
    s.deaths.some((x) => x.cause === null)
      ? '<p class="note">Cause "—": not recorded on the end-of-study form or the fatal adverse event.</p>'
      : '',
  ].join('');

  // Kaplan–Meier median with its CI (R survfit print: NA = the curve never reaches 0.5 in follow-up).
  const median = (key: 'overall' | 'relapseFree' | 'timeToFirstResponse') => {
    const f = r.survival[key].fit;
    if (!f.ok) return `Median: not estimable (${escapeHtml(f.issue.message)}).`;
    const p = `survival.${key}.fit.value.median`;
    const v = (part: 'estimate' | 'lower' | 'upper') =>
      f.value.median[part] === null ? 'not reached' : w.s(`${p}.${part}`, 'day');
    return `<span id="median-${key}">Median (days): ${v('estimate')}, 95% CI ${v('lower')} to ${v('upper')}</span> (n = ${w.s(`survival.${key}.fit.value.n`, 'int')}, events = ${w.s(`survival.${key}.fit.value.events`, 'int')}; "not reached": the curve or its confidence limit stays above 50% through follow-up).`;
  };
  const atRisk = (key: 'overall' | 'relapseFree' | 'timeToFirstResponse', caption: string) => {
    const c = r.survival[key];
    if (!c.at.ok)
      return `<p class="note">${escapeHtml(caption)}: ${escapeHtml(c.at.issue.message)}</p><p class="note">${median(key)}</p>`;
    const noCi = c.at.value.some((a) => a.lower === null || a.upper === null);
    return `${table(
      `km-${key}`,
      caption,
      '<th>day</th><th>at risk</th><th>events</th><th>censored</th><th>S(t)</th><th>lower</th><th>upper</th>',
      c.at.value.map((_, i) => {
        const p = `survival.${key}.at.value.${i}`;
        return `${w.n(`${p}.time`, 'day')}${w.n(`${p}.nRisk`, 'int')}${w.n(`${p}.nEvent`, 'int')}${w.n(`${p}.nCensor`, 'int')}${w.n(`${p}.survival`, 'pct')}${w.n(`${p}.lower`, 'pct')}${w.n(`${p}.upper`, 'pct')}`;
      }),
    )}<p class="note">${median(key)}${
      noCi
        ? ' "—" in lower/upper: the log-log CI is undefined where S(t) = 1 (no event yet) or S(t) = 0 (R survfit gives NA).'
        : ''
    }</p>`;
  };

  // R3
  const responseRows = [r.response.overall, ...r.response.bySite].flatMap((t, gi) => {
    const base = gi === 0 ? 'response.overall' : `response.bySite.${gi - 1}`;
    return (['MCR', 'PCR', 'NR', 'responders'] as const).map(
      (o) =>
        `${text(t.group)}${text(o === 'responders' ? 'MCR + PCR' : o)}${w.n(`${base}.n`, 'int')}${w.proportion(`${base}.${o}`)}`,
    );
  });
  const response = [
    table(
      'response',
      'R3 — best response during 12 months (% of enrolled; NR includes non-responder imputation)',
      `<th>group</th><th>outcome</th><th>N</th>${PROPORTION_HEAD}`,
      responseRows,
    ),
    table(
      'first-response-month',
      'Month of first response (responders)',
      '<th>month</th><th>patients</th>',
      r.response.firstResponseMonth.map(
        (_m, i) =>
          `${w.n(`response.firstResponseMonth.${i}.month`, 'int')}${w.n(`response.firstResponseMonth.${i}.count`, 'int')}`,
      ),
    ),
    countTable(w, 'nri', 'Non-responders by imputation, by reason', 'response.imputed', r.response.imputed),
  ].join('');

  // R4, R12
  const relapse = [
    table(
      'relapse-by-visit',
      `R4 — relapse among responders (n = ${r.relapse.responders}) by the visit at which it was first detected`,
      `<th>visit</th><th>new relapses</th><th>cumulative</th><th>%</th><th colspan="2">95% CI exact</th><th colspan="2">95% CI Wilson</th>`,
      r.relapse.byVisit.map(
        (v, i) =>
          `${text(v.visit)}${w.n(`relapse.byVisit.${i}.newRelapses`, 'int')}${w.proportion(`relapse.byVisit.${i}.cumulative`)}`,
      ),
    ),
    table(
      'retreatment',
      'R12 — re-treatment rule: responders who would be flagged for a repeat MSCT cycle',
      '<th>subject</th><th>visit</th><th>study day</th><th>rule</th>',
      r.relapse.retreatment.patients.map(
        (p, i) =>
          `${text(p.subject)}${text(p.visit)}${w.n(`relapse.retreatment.patients.${i}.studyDay`, 'day')}${text(p.rule)}`,
      ),
    ),
    `<p class="note">Flagged: ${w.s('relapse.retreatment.flagged.x', 'int')} of ${w.s('relapse.retreatment.flagged.n', 'int')} responders (${w.s('relapse.retreatment.flagged.estimate', 'pct')}).</p>`,
  ].join('');

  // Time to event: log-rank and Cox
  const lr = (key: 'logRankResponseLn' | 'logRankSurvivalLn', label: string) => {
    const t = r.survival[key];
    if (!t.ok)
      return `<p class="note">Log-rank LN vs non-LN, ${escapeHtml(label)}: not computed (${escapeHtml(t.issue.message)}).</p>`;
    // Caution below 5 events in a group: the χ² approximation of the log-rank statistic is then
    // unreliable (the usual ≥ 5 rule for χ² approximations; Cochran 1954, Biometrics 10:417–451).
    const few = t.value.groups.filter((g) => g.observed < 5);
    return `${table(
      key,
      `Log-rank LN vs non-LN — ${label}: χ² = ${formatInline(w, `survival.${key}.value.chiSquare`)}, df = ${formatInline(w, `survival.${key}.value.df`)}, p = ${formatInline(w, `survival.${key}.value.pValue`, 'p')}`,
      '<th>group</th><th>n</th><th>observed</th><th>expected</th>',
      t.value.groups.map(
        (g, i) =>
          `${text(String(g.group))}${w.n(`survival.${key}.value.groups.${i}.n`, 'int')}${w.n(`survival.${key}.value.groups.${i}.observed`, 'int')}${w.n(`survival.${key}.value.groups.${i}.expected`)}`,
      ),
    )}${
      few.length
        ? `<p class="note caution" id="caution-${key}">Caution: ${escapeHtml(few.map((g) => `group ${g.group} has ${g.observed} event${g.observed === 1 ? '' : 's'}`).join(', '))} (fewer than 5): the χ² approximation is unreliable; read this p-value as descriptive only.</p>`
        : ''
    }`;
  };
  const cox = r.survival.coxResponse;
  const coxHtml = cox.ok
    ? table(
        'cox',
        `Exploratory Cox model of time to first response (Efron ties; complete cases n = ${cox.n}, ${cox.excluded} left out${cox.value.converged ? '' : '; did not converge'})`,
        '<th>covariate</th><th>β</th><th>SE</th><th>HR</th><th>95% CI lower</th><th>upper</th><th>p</th>',
        cox.value.coefficients.map((_, i) => {
          const p = `survival.coxResponse.value.coefficients.${i}`;
          return `${text(cox.covariates[i])}${w.n(`${p}.coefficient`)}${w.n(`${p}.se`)}${w.n(`${p}.hazardRatio`)}${w.n(`${p}.lower`)}${w.n(`${p}.upper`)}${w.n(`${p}.pValue`, 'p')}`;
        }),
      ) +
      table(
        'cox-global',
        `Cox model global tests (H0: all β = 0; R summary(coxph)): n = ${w.s('survival.coxResponse.value.n', 'int')}, events = ${w.s('survival.coxResponse.value.events', 'int')}`,
        '<th>test</th><th>χ²</th><th>df</th><th>p</th>',
        (
          [
            ['likelihood ratio', 'likelihoodRatio'],
            ['score (log-rank)', 'score'],
            ['Wald', 'wald'],
          ] as const
        ).map(
          ([label, k]) =>
            `${text(label)}${w.n(`survival.coxResponse.value.${k}.statistic`)}${w.n(`survival.coxResponse.value.${k}.df`, 'int')}${w.n(`survival.coxResponse.value.${k}.pValue`, 'p')}`,
        ),
      ) +
      (cox.value.events < 10 * cox.value.coefficients.length
        ? `<p class="note caution" id="caution-cox">Caution: ${cox.value.events} events for ${cox.value.coefficients.length} coefficients (fewer than 10 per coefficient; Peduzzi et al. 1995, J Clin Epidemiol 48:1503–1510): estimates are unstable, exploratory only.</p>`
        : '')
    : `<p class="note">Cox model not computed: ${escapeHtml(cox.issue.message)} (complete cases ${cox.n}).</p>`;

  // Charts
  const [osSvg, rfsSvg, barSvg, spaghettiSvg, swimmerSvg] = await Promise.all([
    svg(kaplanMeierSpec(r.survival.overall, 'days from first infusion')),
    svg(kaplanMeierSpec(r.survival.relapseFree, 'days from first response')),
    svg(responseBarSpec(r)),
    svg(spaghettiSpec(r)),
    svg(swimmerSpec(r)),
  ]);
  const trajectories = await Promise.all(r.measures.map((m) => svg(trajectorySpec(m, alpha))));
  const byArm = await armSectionHtml(r, w);

  const listingRow = (p: AnalysisResults['listing'][number], i: number) =>
    `${text(p.subject)}${text(p.site)}${text(p.lupusNephritis === null ? '?' : p.lupusNephritis ? 'yes' : 'no')}${w.n(`listing.${i}.baselineSledai`, 'int')}${w.n(`listing.${i}.baselineBilag`, 'int')}${text(p.label)}${w.n(`listing.${i}.firstResponseMonth`, 'int')}${text(p.relapseVisit)}${w.n(`listing.${i}.reResponseMonth`, 'int')}${text(p.retreatmentVisit)}${w.n(`listing.${i}.deathDay`, 'day')}<td class="trace">${escapeHtml(p.summary)}${p.problems.length ? `<br>${escapeHtml(p.problems.join('; '))}` : ''}</td>`;
  const [listingOpen, listingClose] = tableEnds(
    'listing',
    'Per-patient listing (each verdict with its trace summary)',
    '<th>subject</th><th>centre</th><th>LN</th><th>baseline SLEDAI-2K</th><th>baseline BILAG</th><th>best response</th><th>first response month</th><th>relapse</th><th>re-response month</th><th>re-treatment flag</th><th>death day</th><th>verdict trace</th>',
  );

  const listingLegend =
    '<p class="note">"—" in the listing: none (no response month, no relapse, no re-response after a relapse, no re-treatment flag, alive) or not recorded (baseline score); "?" = LN status not recorded. A re-response never changes the best response or removes the relapse (endpoints.md Clarification 3).</p>';

  const title = meta.title ?? `Analysis report — ${r.study.code}`;
  yield `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="note">Every result below is recomputed from item-level data by msct's analysis plan (analysis-plan.md R1–R12). Numbers are rounded for display; results.json holds them at full precision.</p>
${header}
${populations}
${byArm}<h2 id="safety">Safety and survival (R1, R2)</h2>
${safety}
<div class="charts">${figure(osSvg, 'km-overall')}</div>
${atRisk('overall', 'Overall survival: Kaplan–Meier at the scheduled visits')}
<h2 id="response">Response (R3)</h2>
<div class="charts">${figure(barSvg, 'response')}</div>
${response}
<h2 id="relapse">Relapse and re-treatment (R4, R12)</h2>
${relapse}
<div class="charts">${figure(rfsSvg, 'km-relapse-free')}</div>
${atRisk('relapseFree', 'Relapse-free survival among responders, days from first response')}
<h2 id="change">Change from baseline (R5–R11)</h2>
<div class="charts">${trajectories.map((t, i) => figure(t, `trajectory-${r.measures[i]!.key}`)).join('')}</div>
${r.measures.map((m, i) => measureTable(w, m, i)).join('')}
<h2 id="time-to-event">Time to event, exploratory</h2>
${atRisk('timeToFirstResponse', 'Time to first response (S = not yet responded)')}
${lr('logRankResponseLn', 'time to first response')}
${lr('logRankSurvivalLn', 'overall survival')}
${coxHtml}
<h2 id="patients">Patients</h2>
<div class="charts">${figure(spaghettiSvg, 'spaghetti')}${figure(swimmerSvg, 'swimmer')}</div>
<div class="listing">${listingOpen}`;
  for (let from = 0; from < r.listing.length; from += LISTING_CHUNK) {
    const rows: string[] = [];
    const to = Math.min(from + LISTING_CHUNK, r.listing.length);
    for (let i = from; i < to; i++) rows.push(`<tr>${listingRow(r.listing[i]!, i)}</tr>`);
    yield rows.join('');
  }
  yield `${listingClose}</div>
${listingLegend}
${r.notes.length ? `<h3>Notes</h3><ul id="notes">${r.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}

function formatInline(w: TableWriter, path: string, fmt: 'num' | 'p' = 'num'): string {
  return w.s(path, fmt);
}
