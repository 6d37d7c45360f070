/**
 * Allocation balance report: subjects per arm overall, in each stratum and at each level of each
 * factor (the margins minimisation balances), against the numbers the allocation ratio implies.
 * Deviation of arm i in a group of n subjects = n_i − n·r_i/T (T the ratio total); a group's
 * imbalance is the largest |deviation|. For permuted blocks it is 0 at the end of every block and
 * |deviation of arm i| ≤ B·r_i·(T − r_i)/T² inside one, B the largest block size (arm i can run at
 * most m·r_i ahead within a block of size m·T; cf. Rosenberger & Lachin 2016 on the
 * maximum imbalance of permuted block designs); issue 24 asks for this report by stratum.
 */
import { type Arm, checkArms, type FactorLevels } from './design.js';
import { fail, ok, type RandomisationResult } from './result.js';

export interface AssignedSubject {
  readonly arm: string;
  /** The stratum id (permuted blocks); omit for designs without strata. */
  readonly stratum?: string;
  /** Factor levels of the subject, for the marginal rows. */
  readonly levels?: FactorLevels;
}

export interface BalanceRow {
  /** "overall", a stratum id, or "<factor>=<level>". */
  readonly group: string;
  readonly total: number;
  readonly counts: readonly { readonly arm: string; readonly n: number; readonly deviation: number }[];
  readonly maxAbsDeviation: number;
}

export interface BalanceReport {
  readonly overall: BalanceRow;
  readonly strata: readonly BalanceRow[];
  readonly margins: readonly BalanceRow[];
}

function row(group: string, arms: readonly Arm[], ratioTotal: number, counts: readonly number[]): BalanceRow {
  const total = counts.reduce((s, v) => s + v, 0);
  const rows = arms.map((a, i) => ({
    arm: a.code,
    n: counts[i]!,
    deviation: counts[i]! - (total * a.ratio) / ratioTotal,
  }));
  return { group, total, counts: rows, maxAbsDeviation: Math.max(...rows.map((r) => Math.abs(r.deviation))) };
}

export function balanceReport(
  arms: readonly Arm[],
  subjects: readonly AssignedSubject[],
): RandomisationResult<BalanceReport> {
  const ratio = checkArms(arms);
  if (!ratio.ok) return ratio;
  const index = new Map(arms.map((a, i) => [a.code, i] as const));
  const zero = () => new Array<number>(arms.length).fill(0);
  const overall = zero();
  const strata = new Map<string, number[]>();
  const margins = new Map<string, number[]>();
  for (const [i, s] of subjects.entries()) {
    const k = index.get(s.arm);
    if (k === undefined)
      return fail('invalid-argument', `subject ${i} is on arm '${s.arm}', not an arm of the design`);
    overall[k]!++;
    if (s.stratum !== undefined) {
      if (!strata.has(s.stratum)) strata.set(s.stratum, zero());
      strata.get(s.stratum)![k]!++;
    }
    for (const [factor, level] of Object.entries(s.levels ?? {})) {
      const key = `${factor}=${level}`;
      if (!margins.has(key)) margins.set(key, zero());
      margins.get(key)![k]!++;
    }
  }
  const sorted = (m: Map<string, number[]>) =>
    [...m.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([g, c]) => row(g, arms, ratio.value, c));
  return ok({
    overall: row('overall', arms, ratio.value, overall),
    strata: sorted(strata),
    margins: sorted(margins),
  });
}
