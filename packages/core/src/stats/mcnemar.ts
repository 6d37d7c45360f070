/**
 * McNemar's test of marginal homogeneity for a k × k table of paired classifications (k = 2:
 * McNemar; k > 2: Bowker's symmetry test), as R's mcnemar.test(x) with its default
 * correct = TRUE (continuity correction for 2 × 2 tables with any discordance).
 *
 * Q = Σ_{i<j} (|n_ij − n_ji| − c)² / (n_ij + n_ji), df = k(k − 1)/2, c = 1 for a corrected 2 × 2.
 * Transcribed from stats::mcnemar.test. Sources: McNemar (1947), Psychometrika 12:153–157;
 * Bowker (1948), JASA 43:572–574.
 */
import { chiSquareUpperTail } from './distributions/chi-square.js';
import { badCountTable, fail, ok, type StatResult } from './result.js';

export interface McNemarTest {
  readonly statistic: number;
  readonly df: number;
  readonly pValue: number;
  readonly corrected: boolean;
}

export function mcnemarTest(
  table: readonly (readonly number[])[],
  options: { readonly correct?: boolean } = {},
): StatResult<McNemarTest> {
  const bad = badCountTable(table, 2, 2);
  if (bad) return fail('invalid-argument', `McNemar test: ${bad}`);
  const k = table.length;
  if (table[0]!.length !== k)
    return fail('invalid-argument', `McNemar test: the table must be square, got ${k} × ${table[0]!.length}`);
  const at = (i: number, j: number) => table[i]![j]!;
  let discordant = false;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (at(i, j) !== at(j, i)) discordant = true;
  const corrected = (options.correct ?? true) && k === 2 && discordant;
  let statistic = 0;
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const sum = at(i, j) + at(j, i);
      if (sum === 0)
        return fail(
          'constant-data',
          `McNemar test: cells [${i}][${j}] and [${j}][${i}] are both 0, so the statistic is undefined`,
        );
      const diff = corrected ? Math.abs(at(i, j) - at(j, i)) - 1 : at(i, j) - at(j, i);
      statistic += (diff * diff) / sum;
    }
  }
  const df = (k * (k - 1)) / 2;
  return ok({ statistic, df, pValue: chiSquareUpperTail(statistic, df), corrected });
}
