// How the report writes a number. One formatter for the HTML report and its test, so "the numbers
// in the report equal the JSON" can be checked cell by cell: every numeric cell carries the JSON
// path it shows (data-path) and its format (data-fmt), and its text is formatNumber(fmt, value).

export type NumberFormat = 'int' | 'num' | 'pct' | 'p' | 'day';

/** Significant digits for summaries: 3 decimals, or 3 significant digits for small values. */
function num(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && a < 0.01) return x.toPrecision(3);
  return x.toFixed(a >= 100 ? 1 : a >= 10 ? 2 : 3);
}

/** p-values as a trial report prints them: 3 decimals, "<0.001" below (two-sided, α = 0.05). */
function pValue(p: number): string {
  if (p < 0.001) return '<0.001';
  return p.toFixed(3);
}

export function formatNumber(fmt: NumberFormat, value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  switch (fmt) {
    case 'int':
    case 'day':
      return String(Math.round(value));
    case 'pct':
      return `${(value * 100).toFixed(1)}%`;
    case 'p':
      return pValue(value);
    default:
      return num(value);
  }
}

/** Reads a dotted JSON path ('response.overall.MCR.x', 'measures.0.timepoints.1.pairs'). */
export function atPath(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const key of path.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
