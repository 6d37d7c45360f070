/**
 * Fisher's exact test for a 2 × 2 table, two-sided, as R's fisher.test(x)$p.value: the sum of the
 * hypergeometric probabilities of all tables with the observed margins that are no more likely
 * than the observed one, with R's relative tolerance 1 + 1e-7 on "no more likely".
 *
 * Transcribed from stats::fisher.test (2 × 2 branch, or = 1). Source: Fisher (1935), JRSS 98:39–82.
 */
import { logChoose } from './distributions/gamma.js';
import { badCountTable, fail, ok, type StatResult } from './result.js';

export interface FisherExactTest {
  readonly pValue: number;
  /** The sample odds ratio ad/(bc); null where it is 0/0. Not R's conditional MLE. */
  readonly sampleOddsRatio: number | null;
}

export function fisherExact2x2(table: readonly (readonly number[])[]): StatResult<FisherExactTest> {
  const bad = badCountTable(table, 2, 2);
  if (bad) return fail('invalid-argument', `Fisher's exact test: ${bad}`);
  if (table.length !== 2 || table[0]!.length !== 2)
    return fail(
      'invalid-argument',
      `Fisher's exact test here is for 2 × 2 tables, got ${table.length} × ${table[0]!.length}`,
    );
  const a = table[0]![0]!;
  const b = table[0]![1]!;
  const c = table[1]![0]!;
  const d = table[1]![1]!;
  if (![a, b, c, d].every(Number.isInteger))
    return fail('invalid-argument', "Fisher's exact test: counts must be integers");
  // R: m = first column total, n = second column total, k = first row total, x = a.
  const m = a + c;
  const n = b + d;
  const k = a + b;
  const lo = Math.max(0, k - n);
  const hi = Math.min(k, m);
  const logd: number[] = [];
  for (let x = lo; x <= hi; x++) logd.push(logChoose(m, x) + logChoose(n, k - x) - logChoose(m + n, k));
  // A loop, not Math.max(...logd): the support grows with n, and a spread of >~120 000 arguments
  // overflows the call stack (issue 16).
  let maxLog = Number.NEGATIVE_INFINITY;
  for (const v of logd) if (v > maxLog) maxLog = v;
  const dens = logd.map((v) => Math.exp(v - maxLog));
  let total = 0;
  for (const v of dens) total += v;
  const observed = dens[a - lo]! / total;
  const relErr = 1 + 1e-7;
  let p = 0;
  for (const v of dens) if (v / total <= observed * relErr) p += v / total;
  const num = a * d;
  const den = b * c;
  return ok({
    pValue: p,
    sampleOddsRatio: den === 0 ? (num === 0 ? null : Number.POSITIVE_INFINITY) : num / den,
  });
}
