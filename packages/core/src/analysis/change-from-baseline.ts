/**
 * Change from baseline of one measure (analysis-plan.md R5–R11, "Methods"):
 * - per timepoint: n and descriptive summary of the available values (R `mean`, `sd`, `median`,
 *   `quantile(type = 7)`), n of complete pairs with baseline ("paired tests use available pairs";
 *   R `complete.cases`), summary of the changes;
 * - paired t-test (R `t.test(x, base, paired = TRUE)`) and Wilcoxon signed-rank (R
 *   `wilcox.test(x, base, paired = TRUE)`: exact when n < 50 without ties/zeros, else normal
 *   approximation with continuity and tie correction), two-sided;
 * - Holm adjustment across the follow-up timepoints of the measure (R `p.adjust(p, "holm")`),
 *   separately for each test, as the sensitivity column of R5;
 * - Friedman test across all timepoints on complete cases (R `friedman.test(y)`), the plan's
 *   repeated-measures sensitivity analysis.
 * Works on a plain matrix so that the benchmark times exactly this code.
 */
import {
  adjustPValues,
  describe,
  friedmanTest,
  pairedTTest,
  type StatResult,
  wilcoxonSignedRank,
} from '../stats/index.js';
import type { MeasureAnalysis, PairedTestName, TimepointComparison } from './types.js';

export interface MeasureMatrix {
  /** Timepoint labels; the first is the baseline. */
  timepoints: readonly string[];
  /** values[t][i]: patient i at timepoint t; null = not available. */
  values: readonly (readonly (number | null)[])[];
}

const pOf = (r: StatResult<{ pValue: number }> | null): number | null => (r?.ok ? r.value.pValue : null);

function available(values: readonly (number | null)[]): number[] {
  const out: number[] = [];
  for (const v of values) if (v !== null) out.push(v);
  return out;
}

/** Holm over the non-null p-values, returned in place (null stays null). */
function holm(ps: readonly (number | null)[]): (number | null)[] {
  const idx: number[] = [];
  const vals: number[] = [];
  ps.forEach((p, i) => {
    if (p !== null) {
      idx.push(i);
      vals.push(p);
    }
  });
  const out: (number | null)[] = ps.map(() => null);
  const adj = adjustPValues(vals, 'holm');
  if (adj.ok)
    adj.value.forEach((p, k) => {
      out[idx[k]!] = p;
    });
  return out;
}

export function compareWithBaseline(
  m: MeasureMatrix,
  primaryTest: PairedTestName = 'paired-t',
  options: { friedman?: boolean } = {},
): Pick<MeasureAnalysis, 'timepoints' | 'friedman' | 'primaryTest'> {
  const base = m.values[0] ?? [];
  const rows: TimepointComparison[] = m.timepoints.map((timepoint, t) => {
    const col = m.values[t] ?? [];
    const summary = describe(available(col));
    if (t === 0) {
      return {
        timepoint,
        summary,
        pairs: summary.ok ? summary.value.n : 0,
        change: null,
        tTest: null,
        wilcoxon: null,
        tTestHolm: null,
        wilcoxonHolm: null,
        primaryP: null,
      };
    }
    const diffs: number[] = [];
    for (let i = 0; i < col.length; i++) {
      const a = col[i];
      const b = base[i];
      if (a !== null && a !== undefined && b !== null && b !== undefined) diffs.push(a - b);
    }
    const tTest = pairedTTest(col, base);
    const wilcoxon = wilcoxonSignedRank(col, base);
    return {
      timepoint,
      summary,
      pairs: diffs.length,
      change: describe(diffs),
      tTest,
      wilcoxon,
      tTestHolm: null,
      wilcoxonHolm: null,
      primaryP: pOf(primaryTest === 'paired-t' ? tTest : wilcoxon),
    };
  });
  const follow = rows.slice(1);
  const tHolm = holm(follow.map((r) => pOf(r.tTest)));
  const wHolm = holm(follow.map((r) => pOf(r.wilcoxon)));
  follow.forEach((r, k) => {
    r.tTestHolm = tHolm[k]!;
    r.wilcoxonHolm = wHolm[k]!;
  });

  // Friedman: rows = patients (blocks), columns = timepoints; rows with a null are dropped.
  if (options.friedman === false)
    return {
      timepoints: rows,
      friedman: {
        ok: false,
        issue: { code: 'invalid-argument', message: 'not requested' },
        completeCases: 0,
      },
      primaryTest,
    };
  const nPatients = base.length;
  const blocks: (number | null)[][] = [];
  let complete = 0;
  for (let i = 0; i < nPatients; i++) {
    const row = m.values.map((col) => col[i] ?? null);
    if (row.every((v) => v !== null)) complete++;
    blocks.push(row);
  }
  const friedman = { ...friedmanTest(blocks), completeCases: complete };
  return { timepoints: rows, friedman, primaryTest };
}
