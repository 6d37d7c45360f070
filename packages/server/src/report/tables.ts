// HTML tables of the report. Every numeric cell is written by `n(path, fmt)`: it reads the value at
// that JSON path of the results and records the path, so a test can check each printed number
// against results.json.
import type { AnalysisResults, CountRow, MeasureAnalysis } from '@msct/core/analysis';
import { atPath, escapeHtml, formatNumber, type NumberFormat } from './format.js';

export type Cell = string; // already HTML

export class TableWriter {
  readonly alpha: number;
  constructor(private readonly results: AnalysisResults) {
    this.alpha = results.definitions.alpha;
  }

  /** A numeric cell bound to a JSON path. */
  n(path: string, fmt: NumberFormat = 'num'): Cell {
    const v = atPath(this.results, path);
    const raw = typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
    return `<td class="num" data-path="${escapeHtml(path)}" data-fmt="${fmt}" data-v="${raw}">${escapeHtml(formatNumber(fmt, v))}</td>`;
  }

  /** The same, inline in a sentence. */
  s(path: string, fmt: NumberFormat = 'num'): string {
    const v = atPath(this.results, path);
    const raw = typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
    return `<span class="num" data-path="${escapeHtml(path)}" data-fmt="${fmt}" data-v="${raw}">${escapeHtml(formatNumber(fmt, v))}</span>`;
  }

  /** "x (pct) [CP lower–upper] [Wilson lower–upper]" cells for a Proportion at `path`. */
  proportion(path: string): Cell {
    return [
      this.n(`${path}.x`, 'int'),
      this.n(`${path}.estimate`, 'pct'),
      `${this.n(`${path}.clopperPearson.value.lower`, 'pct')}${this.n(`${path}.clopperPearson.value.upper`, 'pct')}`,
      `${this.n(`${path}.wilson.value.lower`, 'pct')}${this.n(`${path}.wilson.value.upper`, 'pct')}`,
    ].join('');
  }
}

export const PROPORTION_HEAD =
  '<th>n</th><th>%</th><th colspan="2">95% CI exact (Clopper–Pearson)</th><th colspan="2">95% CI Wilson</th>';

export const text = (s: string | number | null | undefined): Cell =>
  `<td>${s === null || s === undefined ? '—' : escapeHtml(String(s))}</td>`;

export function table(id: string, caption: string, head: string, rows: readonly string[]): string {
  const [open, close] = tableEnds(id, caption, head);
  return `${open}${rows.map((r) => `<tr>${r}</tr>`).join('')}${close}`;
}

/** The HTML before and after a table's rows, for a table written row by row (the listing). */
export function tableEnds(id: string, caption: string, head: string): [open: string, close: string] {
  return [
    `<table id="${escapeHtml(id)}"><caption>${caption}</caption><thead><tr>${head}</tr></thead><tbody>`,
    '</tbody></table>',
  ];
}

export function countTable(
  w: TableWriter,
  id: string,
  caption: string,
  path: string,
  rows: readonly CountRow[],
): string {
  return table(
    id,
    caption,
    '<th>category</th><th>events</th><th>patients</th>',
    rows.map(
      (r, i) => `${text(r.label)}${w.n(`${path}.${i}.events`, 'int')}${w.n(`${path}.${i}.patients`, 'int')}`,
    ),
  );
}

/** R5–R11: one table per measure and population. */
export function measureTable(w: TableWriter, m: MeasureAnalysis, index: number): string {
  const p = `measures.${index}`;
  const primary = m.primaryTest === 'paired-t' ? 't' : 'W';
  const rows = m.timepoints.map((t, k) => {
    const tp = `${p}.timepoints.${k}`;
    const s = `${tp}.summary.value`;
    const base = k === 0;
    return [
      text(t.timepoint),
      w.n(`${s}.n`, 'int'),
      w.n(`${s}.mean`),
      w.n(`${s}.sd`),
      w.n(`${s}.se`),
      w.n(`${s}.median`),
      w.n(`${s}.q1`),
      w.n(`${s}.q3`),
      base
        ? '<td></td>'.repeat(9)
        : [
            w.n(`${tp}.pairs`, 'int'),
            w.n(`${tp}.change.value.mean`),
            w.n(`${tp}.tTest.value.ciLower`),
            w.n(`${tp}.tTest.value.ciUpper`),
            w.n(`${tp}.tTest.value.pValue`, 'p'),
            w.n(`${tp}.tTestHolm`, 'p'),
            w.n(`${tp}.wilcoxon.value.pValue`, 'p'),
            w.n(`${tp}.wilcoxonHolm`, 'p'),
            `<td class="sig">${t.primaryP !== null && t.primaryP < w.alpha ? '*' : ''}</td>`,
          ].join(''),
    ].join('');
  });
  const f = m.friedman;
  const friedman = f.ok
    ? `Friedman (complete cases, n = ${w.s(`${p}.friedman.completeCases`, 'int')}): χ² = ${w.s(`${p}.friedman.value.statistic`)}, df = ${w.s(`${p}.friedman.value.df`, 'int')}, p = ${w.s(`${p}.friedman.value.pValue`, 'p')}.`
    : `Friedman: not computed (${escapeHtml(f.issue.message)}; complete cases ${f.completeCases}).`;
  return `<div class="measure" id="measure-${escapeHtml(m.key)}">${table(
    `table-${m.key}`,
    `${m.planId} — ${m.label} (${m.unit}); population: ${m.population}, N = ${m.populationN}`,
    `<th>timepoint</th><th>n</th><th>mean</th><th>SD</th><th>SE</th><th>median</th><th>Q1</th><th>Q3</th><th>pairs</th><th>mean change</th><th colspan="2">95% CI of mean change (t)</th><th>p (t)${primary === 't' ? ' ★' : ''}</th><th>p (t) Holm</th><th>p (Wilcoxon)${primary === 'W' ? ' ★' : ''}</th><th>p (W) Holm</th><th>sig.</th>`,
    rows,
  )}<p class="note">${friedman} ★ = primary test; sig. = primary p &lt; ${w.alpha} vs baseline; available pairs.</p>${dashNotes(m, w.alpha)}</div>`;
}

const describeIssue = (issue: { code: string; message: string }) =>
  issue.code === 'empty' ? 'no value recorded at this timepoint in the population' : issue.message;

/**
 * Why a cell of a measure table prints "—", and where a "not significant" rests on a degenerate
 * sample (all changes equal): one footnote line per timepoint concerned (issue #18 item 9).
 */
export function dashNotes(m: MeasureAnalysis, alpha: number): string {
  const lines: string[] = [];
  m.timepoints.forEach((t, k) => {
    const why: string[] = [];
    if (!t.summary.ok) why.push(`no summary (${describeIssue(t.summary.issue)})`);
    else if (t.summary.value.sd === null) why.push('SD and SE need at least 2 values (n = 1)');
    if (k > 0) {
      if (t.pairs === 0) {
        why.push('no patient has both a baseline and this value, so there is no change, CI or test');
      } else if (
        (t.tTest && !t.tTest.ok && t.tTest.issue.code === 'constant-data') ||
        (t.change?.ok && t.change.value.sd === 0)
      ) {
        // All changes equal: a degenerate sample (issue #18 item 9).
        const d = t.change?.ok ? t.change.value.mean : null;
        const w = t.wilcoxon?.ok ? t.wilcoxon.value.pValue : null;
        why.push(
          d === 0
            ? `all ${t.pairs} changes are 0 (no patient changed from baseline): the t-test, its CI and the Wilcoxon test are undefined`
            : `all ${t.pairs} changes are equal${d === null ? '' : ` (${Number(d.toPrecision(4))})`}: the t-test and its CI are undefined${
                w === null
                  ? ''
                  : w >= alpha
                    ? `; the Wilcoxon p = ${w.toPrecision(3)} rests on this degenerate sample, so "not significant" here says nothing about the size of the change`
                    : `; the Wilcoxon p = ${w.toPrecision(3)} only says every patient changed in the same direction (a degenerate sample)`
              }`,
        );
      } else {
        if (t.change && !t.change.ok) why.push(`change: ${describeIssue(t.change.issue)}`);
        if (t.tTest && !t.tTest.ok) why.push(`t-test and CI: ${t.tTest.issue.message}`);
        if (t.wilcoxon && !t.wilcoxon.ok) why.push(`Wilcoxon: ${t.wilcoxon.issue.message}`);
      }
      if (t.pairs > 0 && (t.tTestHolm === null || t.wilcoxonHolm === null) && (t.tTest?.ok || t.wilcoxon?.ok))
        why.push('Holm column: "—" where that test has no p');
    }
    if (why.length) lines.push(`<li>${escapeHtml(t.timepoint)}: ${escapeHtml(why.join('; '))}.</li>`);
  });
  return lines.length ? `<ul class="note dash-notes">${lines.join('')}</ul>` : '';
}
