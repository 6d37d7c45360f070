/**
 * Small dense linear algebra for the tests' quadratic forms and Newton steps: Cholesky
 * factorization of a symmetric positive-definite matrix, solve and inverse. Tolerance as
 * survival's cholesky2 (pivot ≤ toler·max diagonal counts as singular, toler = eps^0.75).
 */

const TOLER = Number.EPSILON ** 0.75;

/** Lower-triangular L with A = L·Lᵀ, or null if A is not (numerically) positive definite. */
export function cholesky(a: readonly (readonly number[])[]): number[][] | null {
  const n = a.length;
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i]![i]!));
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    let diag = a[j]![j]!;
    for (let k = 0; k < j; k++) diag -= l[j]![k]! * l[j]![k]!;
    if (!(diag > TOLER * maxDiag)) return null;
    const root = Math.sqrt(diag);
    l[j]![j] = root;
    for (let i = j + 1; i < n; i++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      l[i]![j] = s / root;
    }
  }
  return l;
}

function solveWithCholesky(l: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = l.length;
  const y = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i]![k]! * y[k]!;
    y[i] = s / l[i]![i]!;
  }
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k]![i]! * x[k]!;
    x[i] = s / l[i]![i]!;
  }
  return x;
}

/** Solves A·x = b for symmetric positive-definite A; null if singular. */
export function solveLinear(a: readonly (readonly number[])[], b: readonly number[]): number[] | null {
  const l = cholesky(a);
  return l ? solveWithCholesky(l, b) : null;
}

/** Inverse of a symmetric positive-definite matrix; null if singular. */
export function invertSymmetric(a: readonly (readonly number[])[]): number[][] | null {
  const l = cholesky(a);
  if (!l) return null;
  const n = a.length;
  const columns = Array.from({ length: n }, (_, j) =>
    solveWithCholesky(
      l,
      Array.from({ length: n }, (_, i) => (i === j ? 1 : 0)),
    ),
  );
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => columns[j]![i]!));
}
