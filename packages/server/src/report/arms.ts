// The report's section for a randomised study (issue 24 "The report for a randomised study"): the
// CONSORT flow diagram as SVG (CONSORT 2010, Schulz et al., BMJ 2010;340:c332, flow diagram), the
// baseline table by arm, the endpoints by arm with their effect sizes and CIs, the Kaplan–Meier
// curves by arm, and every caveat of the tests. Every number is a data-path cell, as in the rest.
import type { AnalysisResults, ArmResults } from '@msct/core/analysis';
import { kaplanMeierByArmSpec, toSvg } from './charts.js';
import { escapeHtml } from './format.js';
import { PROPORTION_HEAD, type TableWriter, table, text } from './tables.js';

const BOX_W = 230;
const BOX_H = 38;

/** One box of the flow diagram: a label and a count, centred at x. */
function box(x: number, y: number, label: string, n: number, id: string): string {
  return `<g id="consort-${escapeHtml(id)}"><rect x="${x - BOX_W / 2}" y="${y}" width="${BOX_W}" height="${BOX_H}" fill="#fff" stroke="#333"/><text x="${x}" y="${y + 16}" text-anchor="middle" font-size="11">${escapeHtml(label)}</text><text x="${x}" y="${y + 31}" text-anchor="middle" font-size="12" font-weight="bold">n = ${n}</text></g>`;
}
const arrow = (x1: number, y1: number, x2: number, y2: number) =>
  `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#333" marker-end="url(#consort-arrow)"/>`;

/** The CONSORT flow: enrolment, allocation, follow-up and analysis, one column per arm. */
export function consortSvg(flow: ArmResults['consort']): string {
  const arms = flow.arms;
  const colW = BOX_W + 30;
  const width = Math.max(2, arms.length) * colW + 20;
  const mid = width / 2;
  const rowY = [10, 80, 170, 240, 310, 380];
  const colX = arms.map(
    (_, i) => 10 + colW / 2 + i * colW + ((Math.max(2, arms.length) - arms.length) * colW) / 2,
  );
  const parts: string[] = [
    '<defs><marker id="consort-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#333"/></marker></defs>',
    box(mid, rowY[0]!, 'Screened (subjects in the study)', flow.screened, 'screened'),
    arrow(mid, rowY[0]! + BOX_H, mid, rowY[1]!),
    box(mid, rowY[1]!, `Randomised (not randomised: ${flow.notRandomised})`, flow.randomised, 'randomised'),
  ];
  arms.forEach((a, i) => {
    const x = colX[i]!;
    parts.push(
      `<polyline points="${mid},${rowY[1]! + BOX_H} ${mid},${rowY[2]! - 20} ${x},${rowY[2]! - 20} ${x},${rowY[2]!}" fill="none" stroke="#333" marker-end="url(#consort-arrow)"/>`,
      box(x, rowY[2]!, `Allocated to ${a.label}`, a.allocated, `allocated-${a.arm}`),
      arrow(x, rowY[2]! + BOX_H, x, rowY[3]!),
      box(x, rowY[3]!, 'Received the infusion', a.receivedInfusion, `received-${a.arm}`),
      arrow(x, rowY[3]! + BOX_H, x, rowY[4]!),
      box(x, rowY[4]!, 'Lost to follow-up or withdrawn', a.lost, `lost-${a.arm}`),
      arrow(x, rowY[4]! + BOX_H, x, rowY[5]!),
      box(x, rowY[5]!, `Analysed (excluded, no day 0: ${a.excluded})`, a.analysed, `analysed-${a.arm}`),
    );
  });
  const height = rowY[5]! + BOX_H + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" id="consort" role="img" aria-label="CONSORT flow diagram" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">${parts.join('')}</svg>`;
}

/** The section by arm, or '' for a single-arm study. */
export async function armSectionHtml(r: AnalysisResults, w: TableWriter): Promise<string> {
  const b = r.byArm;
  if (!b) return '';
  const armHead = (per: string) =>
    b.arms.map((a) => `<th colspan="${per}">${escapeHtml(a.label)}</th>`).join('');
  const comparisonNote = b.comparison
    ? `Comparisons: ${escapeHtml(b.arms[0]!.label)} against ${escapeHtml(b.arms[1]!.label)} (differences first − second; odds and hazard ratios of the first arm, the second the reference).`
    : 'No two-arm comparison: the study does not have exactly two arms.';

  const baseline = table(
    'arm-baseline',
    'Baseline characteristics by arm (analysed subjects): mean (SD); median; n — or n with the characteristic / n recorded',
    `<th>characteristic</th>${b.arms.map((a) => `<th colspan="4">${escapeHtml(a.label)}</th>`).join('')}`,
    b.baseline.map((row, i) => {
      const cells = b.arms.map((_, j) => {
        if (row.kind === 'count') {
          const p = `byArm.baseline.${i}.counts.${j}`;
          const c = row.counts![j]!;
          return `${w.n(`${p}.x`, 'int')}${text('of')}${w.n(`${p}.n`, 'int')}${text(c.n ? `${((100 * c.x) / c.n).toFixed(1)}%` : '—')}`;
        }
        const s = row.summaries![j]!;
        const p = `byArm.baseline.${i}.summaries.${j}.value`;
        return s.ok
          ? `${w.n(`${p}.mean`)}${w.n(`${p}.sd`)}${w.n(`${p}.median`)}${w.n(`${p}.n`, 'int')}`
          : `<td colspan="4">${escapeHtml(s.issue.message)}</td>`;
      });
      return `${text(row.unit ? `${row.label} (${row.unit})` : row.label)}${cells.join('')}`;
    }),
  );

  const responseRows = b.response.byArm.flatMap((t, i) =>
    (['MCR', 'PCR', 'NR', 'responders'] as const).map(
      (o) =>
        `${text(t.group)}${text(o === 'responders' ? 'MCR + PCR' : o)}${w.n(`byArm.response.byArm.${i}.n`, 'int')}${w.proportion(`byArm.response.byArm.${i}.${o}`)}`,
    ),
  );
  const response = table(
    'arm-response',
    'Best response during 12 months by arm (% of analysed; NR includes non-responder imputation)',
    `<th>arm</th><th>outcome</th><th>N</th>${PROPORTION_HEAD}`,
    responseRows,
  );
  const comparisons = table(
    'arm-response-comparison',
    'Response between the arms: risk difference (Newcombe hybrid score 95% CI), Fisher’s exact test with the conditional MLE odds ratio (95% CI), χ² with Yates’ correction',
    '<th>endpoint</th><th>risk difference</th><th>lower</th><th>upper</th><th>odds ratio</th><th>lower</th><th>upper</th><th>Fisher p</th><th>χ²</th><th>χ² p</th>',
    b.response.comparisons.map((c, i) => {
      const p = `byArm.response.comparisons.${i}`;
      return `${text(c.label)}${w.n(`${p}.riskDifference.value.difference`, 'pct')}${w.n(`${p}.riskDifference.value.ciLower`, 'pct')}${w.n(`${p}.riskDifference.value.ciUpper`, 'pct')}${w.n(`${p}.fisher.value.oddsRatio`)}${w.n(`${p}.fisher.value.ciLower`)}${w.n(`${p}.fisher.value.ciUpper`)}${w.n(`${p}.fisher.value.pValue`, 'p')}${w.n(`${p}.chiSquare.value.statistic`)}${w.n(`${p}.chiSquare.value.pValue`, 'p')}`;
    }),
  );

  const measures = b.measures
    .map((m, mi) =>
      table(
        `arm-change-${m.key}`,
        `${escapeHtml(m.label)}${m.unit ? ` (${escapeHtml(m.unit)})` : ''}, change from baseline by arm${m.population === 'LN' ? ' (LN subjects)' : ''}: mean (SD) and n per arm; difference of mean change with Welch’s 95% CI; Wilcoxon rank-sum`,
        `<th>timepoint</th>${armHead('3')}<th>difference</th><th>lower</th><th>upper</th><th>Welch p</th><th>W</th><th>rank-sum p</th>`,
        m.timepoints.map((t, ti) => {
          const p = `byArm.measures.${mi}.timepoints.${ti}`;
          const arms = t.change
            .map((c, j) =>
              c.ok
                ? `${w.n(`${p}.change.${j}.value.mean`)}${w.n(`${p}.change.${j}.value.sd`)}${w.n(`${p}.change.${j}.value.n`, 'int')}`
                : '<td colspan="3">no pairs</td>',
            )
            .join('');
          const welch = t.welch?.ok
            ? `${w.n(`${p}.welch.value.estimate`)}${w.n(`${p}.welch.value.ciLower`)}${w.n(`${p}.welch.value.ciUpper`)}${w.n(`${p}.welch.value.pValue`, 'p')}`
            : `<td colspan="4">${escapeHtml(t.welch ? t.welch.issue.message : 'not compared')}</td>`;
          const rank = t.rankSum?.ok
            ? `${w.n(`${p}.rankSum.value.statistic`)}${w.n(`${p}.rankSum.value.pValue`, 'p')}`
            : `<td colspan="2">${escapeHtml(t.rankSum ? t.rankSum.issue.message : 'not compared')}</td>`;
          return `${text(t.timepoint)}${arms}${welch}${rank}`;
        }),
      ),
    )
    .join('');

  const survival = async (key: 'overall' | 'relapseFree', xTitle: string) => {
    const s = b.survival[key];
    const spec = kaplanMeierByArmSpec(s.label, s.curves, xTitle);
    const svg = spec ? await toSvg(spec) : null;
    const p = `byArm.survival.${key}.comparison.value`;
    const c = s.comparison;
    const tests = !c
      ? ''
      : c.ok
        ? table(
            `arm-survival-${key}`,
            `${escapeHtml(s.label)} between the arms: log-rank (R survdiff) and Cox with arm as covariate (Efron ties; HR ${escapeHtml(b.arms[0]!.label)} : ${escapeHtml(b.arms[1]!.label)})`,
            '<th>log-rank χ²</th><th>p</th><th>hazard ratio</th><th>lower</th><th>upper</th><th>Cox p</th>',
            [
              `${w.n(`${p}.logRank.chiSquare`)}${w.n(`${p}.logRank.pValue`, 'p')}${
                // An arm without events: no finite hazard ratio (see the caveats), so none is printed.
                c.value.logRank.groups.some((g) => g.observed === 0)
                  ? '<td colspan="4">not estimable: an arm has no event</td>'
                  : `${w.n(`${p}.cox.hazardRatio`)}${w.n(`${p}.cox.lower`)}${w.n(`${p}.cox.upper`)}${w.n(`${p}.cox.pValue`, 'p')}`
              }`,
            ],
          )
        : `<p class="note">${escapeHtml(s.label)} between the arms: not computed (${escapeHtml(c.issue.message)}).</p>`;
    return `${svg ? `<div class="charts"><figure id="chart-arm-km-${key}">${svg}</figure></div>` : ''}${tests}`;
  };

  return `<h2 id="by-arm">Randomised comparison by arm</h2>
<p class="note">${comparisonNote} The sections further below pool the arms.</p>
<h3>CONSORT flow</h3>
<div class="charts"><figure id="chart-consort">${consortSvg(b.consort)}</figure></div>
${baseline}
<h3>Response by arm</h3>
${response}
${comparisons}
<h3>Change from baseline by arm</h3>
${measures}
<h3>Time to event by arm</h3>
${await survival('overall', 'days from day 0')}
${await survival('relapseFree', 'days from first response')}
${b.warnings.length ? `<h3>Caveats of the tests</h3><ul id="arm-warnings">${b.warnings.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>` : ''}
${b.notes.length ? `<ul id="arm-notes">${b.notes.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>` : ''}`;
}
