/**
 * Risk difference p1 − p2 of two independent proportions with Newcombe's hybrid score interval
 * (Newcombe 1998, Stat Med 17:873–890, method 10): with (l_i, u_i) the Wilson score interval of
 * p_i (no continuity correction),
 *   L = D − √((p1 − l1)² + (u2 − p2)²),   U = D + √((u1 − p1)² + (p2 − l2)²),   D = p1 − p2.
 * Unlike the Wald interval it stays inside [−1, 1], is defined at 0/n and n/n, and has coverage
 * close to nominal (Newcombe's Table I). Base R has no function for it; the reference values are
 * the paper's worked examples (Table II, pinned in risk-difference.test.ts) and the same formula
 * evaluated in R on prop.test's Wilson limits (fixtures/generate-two-arm.R, newcombe10).
 */
import { wilsonInterval } from './proportion.js';
import { badConfLevel, fail, ok, type StatResult } from './result.js';

export interface RiskDifference {
  readonly estimates: readonly [number, number];
  /** p1 − p2. */
  readonly difference: number;
  readonly confLevel: number;
  readonly ciLower: number;
  readonly ciUpper: number;
  readonly method: 'newcombe-hybrid-score';
}

export function riskDifference(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  options: { readonly confLevel?: number } = {},
): StatResult<RiskDifference> {
  const confLevel = options.confLevel ?? 0.95;
  const badLevel = badConfLevel(confLevel);
  if (badLevel) return fail('invalid-argument', `risk difference: ${badLevel}`);
  const w1 = wilsonInterval(x1, n1, { confLevel });
  if (!w1.ok) return fail(w1.issue.code, `risk difference (group 1): ${w1.issue.message}`);
  const w2 = wilsonInterval(x2, n2, { confLevel });
  if (!w2.ok) return fail(w2.issue.code, `risk difference (group 2): ${w2.issue.message}`);
  const p1 = w1.value.estimate;
  const p2 = w2.value.estimate;
  const difference = p1 - p2;
  return ok({
    estimates: [p1, p2],
    difference,
    confLevel,
    ciLower: difference - Math.sqrt((p1 - w1.value.lower) ** 2 + (w2.value.upper - p2) ** 2),
    ciUpper: difference + Math.sqrt((w1.value.upper - p1) ** 2 + (p2 - w2.value.lower) ** 2),
    method: 'newcombe-hybrid-score',
  });
}
