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

export function averageRanks(values: readonly number[]): Ranked {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
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
