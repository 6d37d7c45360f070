/**
 * Ranks with ties given their average rank (R's rank(x, ties.method = "average")), and the sizes
 * of the tie groups (R's table(rank(x))), which the tie corrections of the signed-rank and
 * Friedman tests need. Ties are exact floating-point equality, as in R.
 */

export interface Ranked {
  /** Average ranks, 1-based, in input order. */
  readonly ranks: number[];
  /** Size of each group of equal values, in ascending value order (singletons included). */
  readonly tieSizes: number[];
}

/**
 * Indices ordered by ascending value, ties in index order: the same order as the stable
 * `indices.sort((a, b) => values[a] - values[b])`. Ours rather than the comparator sort because that
 * sort was most of the time of the log-rank test, the Cox fit and the rank-sum test at 100 000
 * subjects (bench/analysis-two-arm): whole numbers in a range of at most 4n + 1024 (days, score
 * changes) are counted, no sort at all; other finite values take one typed numeric sort and a
 * counting pass over the distinct values (0 and −0 are one value, as the comparator has them);
 * anything non-finite falls back to the comparator sort.
 */
export function ascendingOrder(values: readonly number[]): Int32Array {
  const n = values.length;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let whole = true;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) return Int32Array.from(comparatorOrder(values));
    if (whole && !Number.isInteger(v)) whole = false;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const order = new Int32Array(n);
  if (n === 0) return order;
  if (whole && max - min <= 4 * n + 1024) {
    const start = new Int32Array(max - min + 2);
    for (let i = 0; i < n; i++) start[values[i]! - min + 1]!++;
    for (let k = 0; k <= max - min; k++) start[k + 1]! += start[k]!;
    for (let i = 0; i < n; i++) order[start[values[i]! - min]!++] = i;
    return order;
  }
  const sorted = Float64Array.from(values).sort();
  const rank = new Map<number, number>();
  let distinct = 0;
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    if (i === 0 || v !== sorted[i - 1]) rank.set(v, distinct++);
  }
  const start = new Int32Array(distinct + 1);
  const r = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = rank.get(values[i]!)!;
    r[i] = k;
    start[k + 1]!++;
  }
  for (let k = 0; k < distinct; k++) start[k + 1]! += start[k]!;
  for (let i = 0; i < n; i++) order[start[r[i]!]!++] = i;
  return order;
}

function comparatorOrder(values: readonly number[]): number[] {
  return Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
}

export function averageRanks(values: readonly number[]): Ranked {
  const n = values.length;
  const order = ascendingOrder(values);
  const ranks = new Array<number>(n);
  const tieSizes: number[] = [];
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!] === values[order[i]!]) j++;
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k]!] = rank;
    tieSizes.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, tieSizes };
}
