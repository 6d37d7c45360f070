/**
 * The log-rank test comparing survival between k ≥ 2 groups, as R's
 * survdiff(Surv(time, event) ~ group) (package survival, rho = 0, one stratum).
 *
 * At each distinct event time with n at risk (n_g in group g) and d events, the expected count
 * for group g is d·n_g/n and the hypergeometric covariance is
 * V_gh = d(n − d)/(n(n − 1)) · n_g(δ_gh − n_h/n). The statistic is (O − E)ᵀ V⁻ (O − E) over the
 * groups with E > 0 minus the first, on (#groups with E > 0) − 1 degrees of freedom.
 * Transcribed from survival::survdiff and its C routine survdiff2.
 * Sources: Mantel (1966), Cancer Chemother Rep 50:163–170; Peto & Peto (1972), JRSS A 135:185–207.
 */
import { chiSquareUpperTail } from './distributions/chi-square.js';
import { solveLinear } from './linear-algebra.js';
import { fail, ok, type StatResult } from './result.js';
import { checkSurvivalData, timeOrder } from './survival-data.js';

export type GroupLabel = string | number;

export interface LogRankGroup {
  readonly group: GroupLabel;
  readonly n: number;
  readonly observed: number;
  readonly expected: number;
}

export interface LogRankTest {
  /** Groups in R's factor-level order: numbers ascending, else strings in code-point order. */
  readonly groups: LogRankGroup[];
  readonly variance: number[][];
  readonly chiSquare: number;
  readonly df: number;
  readonly pValue: number;
}

function compareLabels(a: GroupLabel, b: GroupLabel): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export function logRankTest(
  time: readonly number[],
  event: readonly boolean[],
  group: readonly GroupLabel[],
): StatResult<LogRankTest> {
  const checked = checkSurvivalData(time, event, 'log-rank test');
  if (!checked.ok) return checked;
  const n = time.length;
  if (group.length !== n)
    return fail('length-mismatch', `log-rank test: ${n} times but ${group.length} group labels`);
  const labels = [...new Set(group)].sort(compareLabels);
  const k = labels.length;
  if (k < 2) return fail('too-few', 'log-rank test: there is only 1 group');
  if (checked.value.events === 0) return fail('no-events', 'log-rank test: no events, so nothing to compare');
  const gIndex = new Map(labels.map((l, i) => [l, i] as const));
  const g = group.map((l) => gIndex.get(l)!);
  const order = timeOrder(time);

  const atRisk = new Array<number>(k).fill(0);
  for (const gi of g) atRisk[gi]!++;
  const sizes = [...atRisk];
  const observed = new Array<number>(k).fill(0);
  const expected = new Array<number>(k).fill(0);
  const variance = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let nRisk = n;
  let i = 0;
  while (i < n) {
    const t = time[order[i]!]!;
    const deaths = new Array<number>(k).fill(0);
    const leaving = new Array<number>(k).fill(0);
    let d = 0;
    let j = i;
    while (j < n && time[order[j]!] === t) {
      const idx = order[j]!;
      leaving[g[idx]!]!++;
      if (event[idx]) {
        deaths[g[idx]!]!++;
        d++;
      }
      j++;
    }
    if (d > 0) {
      for (let a = 0; a < k; a++) {
        observed[a]! += deaths[a]!;
        expected[a]! += (d * atRisk[a]!) / nRisk;
      }
      if (nRisk > 1) {
        const kt = (d * (nRisk - d)) / (nRisk * (nRisk - 1));
        for (let a = 0; a < k; a++) {
          const wa = (kt * atRisk[a]!) / nRisk;
          for (let b = 0; b < k; b++) {
            variance[a]![b]! += wa * ((a === b ? nRisk : 0) - atRisk[b]!);
          }
        }
      }
    }
    for (let a = 0; a < k; a++) atRisk[a]! -= leaving[a]!;
    nRisk -= j - i;
    i = j;
  }
  const kept = labels.map((_, a) => a).filter((a) => expected[a]! > 0);
  const df = kept.length - 1;
  if (df < 1)
    return fail('too-few', 'log-rank test: fewer than two groups have anyone at risk at an event time');
  const rest = kept.slice(1);
  const diff = rest.map((a) => observed[a]! - expected[a]!);
  const sub = rest.map((a) => rest.map((b) => variance[a]![b]!));
  const solved = solveLinear(sub, diff);
  if (!solved) return fail('singular', 'log-rank test: the variance matrix is singular');
  let chiSquare = 0;
  for (let a = 0; a < diff.length; a++) chiSquare += solved[a]! * diff[a]!;
  return ok({
    groups: labels.map((label, a) => ({
      group: label,
      n: sizes[a]!,
      observed: observed[a]!,
      expected: expected[a]!,
    })),
    variance,
    chiSquare,
    df,
    pValue: chiSquareUpperTail(chiSquare, df),
  });
}
