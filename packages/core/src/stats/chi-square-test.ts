/**
 * Pearson's chi-square test of independence for an r × c table of counts, as R's chisq.test(x)
 * on a matrix: expected E_ij = row_i·col_j/N; X² = Σ (|O − E| − Y)² / E, df = (r − 1)(c − 1), with
 * Yates' correction Y = min(0.5, |O − E|) for 2 × 2 tables when correct (R's default) and Y = 0
 * otherwise.
 *
 * Like R, the result carries the warning "Chi-squared approximation may be incorrect" when any
 * expected count is below 5 (Cochran (1954), Biometrics 10:417–451, the rule chisq.test applies).
 * Transcribed from stats::chisq.test. Sources: Pearson (1900), Phil Mag 50:157–175;
 * Yates (1934), JRSS Suppl 1:217–235.
 */
import { chiSquareUpperTail } from './distributions/chi-square.js';
import {
  badCountTable,
  fail,
  ok,
  SMALL_EXPECTED_WARNING,
  type StatResult,
  type StatWarning,
} from './result.js';

export interface ChiSquareTest {
  readonly statistic: number;
  readonly df: number;
  readonly pValue: number;
  readonly expected: number[][];
  readonly yatesCorrected: boolean;
  /** R's "Chi-squared approximation may be incorrect" when an expected count is below 5. */
  readonly warnings: readonly StatWarning[];
}

export function chiSquareTest(
  table: readonly (readonly number[])[],
  options: { readonly correct?: boolean } = {},
): StatResult<ChiSquareTest> {
  const bad = badCountTable(table, 2, 2);
  if (bad) return fail('invalid-argument', `chi-square test: ${bad}`);
  const r = table.length;
  const c = table[0]!.length;
  const rowSums = table.map((row) => row.reduce((s, v) => s + v, 0));
  const colSums = Array.from({ length: c }, (_, j) => table.reduce((s, row) => s + row[j]!, 0));
  const total = rowSums.reduce((s, v) => s + v, 0);
  if (total === 0) return fail('invalid-argument', 'chi-square test: at least one count must be positive');
  const zeroRow = rowSums.indexOf(0);
  const zeroCol = colSums.indexOf(0);
  if (zeroRow >= 0 || zeroCol >= 0)
    return fail(
      'constant-data',
      `chi-square test: ${zeroRow >= 0 ? `row ${zeroRow}` : `column ${zeroCol}`} sums to 0, so an expected count is 0`,
    );
  const expected = rowSums.map((rs) => colSums.map((cs) => (rs * cs) / total));
  const yatesWanted = (options.correct ?? true) && r === 2 && c === 2;
  let yates = 0;
  if (yatesWanted) {
    yates = 0.5;
    for (let i = 0; i < r; i++)
      for (let j = 0; j < c; j++) yates = Math.min(yates, Math.abs(table[i]![j]! - expected[i]![j]!));
  }
  let statistic = 0;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const e = expected[i]![j]!;
      statistic += (Math.abs(table[i]![j]! - e) - yates) ** 2 / e;
    }
  }
  const df = (r - 1) * (c - 1);
  return ok({
    statistic,
    df,
    pValue: chiSquareUpperTail(statistic, df),
    expected,
    yatesCorrected: yates > 0,
    warnings: expected.some((row) => row.some((e) => e < 5)) ? [SMALL_EXPECTED_WARNING] : [],
  });
}
