/**
 * The one error convention of msct statistics: every public function returns a `StatResult`.
 * Invalid or degenerate input (too few observations, non-finite values, mismatched lengths, a
 * statistic R itself reports as NaN/NA or refuses with an error) is an `{ ok: false, issue }`
 * value, never a thrown exception and never a silent NaN. Inside a successful result, a field
 * typed `number | null` is `null` exactly where R reports NA/Inf for a quantity that is not
 * estimable (e.g. the upper confidence limit of a median that is never reached).
 */

export type StatIssueCode =
  | 'empty'
  | 'too-few'
  | 'non-finite'
  | 'length-mismatch'
  | 'invalid-argument'
  | 'constant-data'
  | 'no-events'
  | 'singular'
  | 'overflow';

/**
 * A caveat R raises with `warning()` while still returning a result (e.g. "Chi-squared
 * approximation may be incorrect"). The message is R's own text, so a report can show exactly what
 * R would print; the code is stable for programs.
 */
export type StatWarningCode = 'small-expected-counts' | 'exact-with-ties';

export interface StatWarning {
  readonly code: StatWarningCode;
  readonly message: string;
}

/** R's "Chi-squared approximation may be incorrect" (chisq.test, prop.test: some expected count < 5). */
export const SMALL_EXPECTED_WARNING: StatWarning = {
  code: 'small-expected-counts',
  message: 'Chi-squared approximation may be incorrect',
};

/** The direction of the alternative hypothesis, R's `alternative = "two.sided" | "less" | "greater"`. */
export type Alternative = 'two-sided' | 'less' | 'greater';

/** Validates an alternative given at run time (e.g. from JSON); returns a message or null. */
export function badAlternative(alternative: string): string | null {
  return alternative === 'two-sided' || alternative === 'less' || alternative === 'greater'
    ? null
    : `alternative must be 'two-sided', 'less' or 'greater', got '${alternative}'`;
}

export interface StatIssue {
  readonly code: StatIssueCode;
  readonly message: string;
}

export type StatResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issue: StatIssue };

export function ok<T>(value: T): StatResult<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: StatIssueCode, message: string): StatResult<T> {
  return { ok: false, issue: { code, message } };
}

/** The first index holding a non-finite number, or -1. */
export function firstNonFinite(values: readonly number[]): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

/** Validates a confidence level strictly between 0 and 1; returns a message or null. */
export function badConfLevel(confLevel: number): string | null {
  return Number.isFinite(confLevel) && confLevel > 0 && confLevel < 1
    ? null
    : `confLevel must be a number strictly between 0 and 1, got ${confLevel}`;
}

/** Checks a non-empty rectangular table of non-negative finite counts; returns a message or null. */
export function badCountTable(
  table: readonly (readonly number[])[],
  minRows: number,
  minCols: number,
): string | null {
  if (table.length < minRows) return `table needs at least ${minRows} rows, got ${table.length}`;
  const cols = table[0]?.length ?? 0;
  if (cols < minCols) return `table needs at least ${minCols} columns, got ${cols}`;
  for (let i = 0; i < table.length; i++) {
    const row = table[i]!;
    if (row.length !== cols) return `table row ${i} has ${row.length} cells, expected ${cols}`;
    for (let j = 0; j < cols; j++) {
      const v = row[j]!;
      if (!Number.isFinite(v) || v < 0)
        return `table cell [${i}][${j}] = ${v} must be a non-negative finite count`;
    }
  }
  return null;
}
