/**
 * Friedman rank-sum test for an unreplicated complete block design, as R's friedman.test(y) with
 * y a matrix: rows are blocks (patients), columns are groups (timepoints). Rows with a missing
 * value (null) are dropped first (R: complete.cases).
 *
 * Q = 12·Σ_j (R_j − n(k + 1)/2)² / (n·k(k + 1) − Σ(t³ − t)/(k − 1)), df = k − 1, with R_j the
 * column sums of within-row average ranks and t the within-row tie-group sizes.
 * Transcribed from stats:::friedman.test.default. Source: Friedman (1937), JASA 32:675–701;
 * tie correction: Hollander & Wolfe, Nonparametric Statistical Methods (1973) §7.1.
 */
import { chiSquareUpperTail } from './distributions/chi-square.js';
import { averageRanks } from './ranks.js';
import { fail, ok, type StatResult } from './result.js';

export interface FriedmanTest {
  /** Complete blocks used. */
  readonly blocks: number;
  readonly groups: number;
  readonly statistic: number;
  readonly df: number;
  readonly pValue: number;
}

export function friedmanTest(y: readonly (readonly (number | null)[])[]): StatResult<FriedmanTest> {
  const k = y[0]?.length ?? 0;
  if (k < 2) return fail('too-few', `Friedman test needs at least 2 groups (columns), got ${k}`);
  const complete: number[][] = [];
  for (let i = 0; i < y.length; i++) {
    const row = y[i]!;
    if (row.length !== k)
      return fail('length-mismatch', `Friedman test: row ${i} has ${row.length} values, expected ${k}`);
    if (row.some((v) => v === null)) continue;
    const values = row as readonly number[];
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) return fail('non-finite', `Friedman test: row ${i} column ${bad} is ${values[bad]}`);
    complete.push([...values]);
  }
  const n = complete.length;
  if (n < 2) return fail('too-few', `Friedman test needs at least 2 complete blocks, got ${n}`);
  const colSums = new Array<number>(k).fill(0);
  let tieTerm = 0;
  for (const row of complete) {
    const { ranks, tieSizes } = averageRanks(row);
    ranks.forEach((r, j) => {
      colSums[j]! += r;
    });
    for (const t of tieSizes) tieTerm += t * t * t - t;
  }
  let ss = 0;
  for (const r of colSums) ss += (r - (n * (k + 1)) / 2) ** 2;
  const denominator = n * k * (k + 1) - tieTerm / (k - 1);
  if (!(denominator > 0))
    return fail(
      'constant-data',
      'Friedman test: every block is tied across all groups, so the statistic is undefined',
    );
  const statistic = (12 * ss) / denominator;
  const df = k - 1;
  return ok({ blocks: n, groups: k, statistic, df, pValue: chiSquareUpperTail(statistic, df) });
}
