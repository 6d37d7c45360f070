// The one result shape every instrument returns: a value with its trace, or typed issues that name
// the offending item. Clinical input is never thrown on and never turned into NaN (issue 3,
// "Invalid input … is a typed error naming the item"); the shape follows Zod's issue list
// (shared/STYLE.md item 8).

/** Stable, greppable issue codes. Documentation and audit logs cite the code, not the message. */
export type IssueCode =
  | 'item-unknown'
  | 'code-invalid'
  | 'value-negative'
  | 'value-not-finite'
  | 'value-out-of-range'
  | 'unit-missing'
  | 'unit-invalid'
  | 'reference-missing'
  | 'history-missing'
  | 'input-invalid';

export type IssuePath = readonly (string | number)[];

export interface Issue {
  readonly code: IssueCode;
  /** Where the problem is, e.g. ['bilag2004', 'renal', 'proteinuria24h']. */
  readonly path: IssuePath;
  readonly message: string;
}

export interface Ok<T, Tr> {
  readonly ok: true;
  readonly value: T;
  /** Empty (the shared EMPTY_TRACE) when the caller passed `{ trace: false }`. */
  readonly trace: Tr;
}

export interface Fail {
  readonly ok: false;
  readonly issues: readonly Issue[];
}

export type Result<T, Tr = readonly TraceEntry[]> = Ok<T, Tr> | Fail;

/** One line of "why": which rule fired, from which input. */
export interface TraceEntry {
  /** The item, descriptor or criterion, as its stable code. */
  readonly item: string;
  /** `entered` by the assessor, `derived` from a raw value by a rule, or a rule's verdict. */
  readonly source: 'entered' | 'derived' | 'rule' | 'excluded';
  /** Human-readable reason naming the value and the rule, e.g. 'C3 0.62 g/L < LLN 0.9 g/L'. */
  readonly detail: string;
  /** Points or grade contributed, when there is one. */
  readonly contributes?: number | string;
}

export interface ScoreOptions {
  /** Build the trace (default true). Pass false on hot paths: the trace is then EMPTY_TRACE. */
  readonly trace?: boolean;
}

export const EMPTY_TRACE: readonly TraceEntry[] = Object.freeze([]);

export function ok<T, Tr>(value: T, trace: Tr): Ok<T, Tr> {
  return { ok: true, value, trace };
}

export function fail(issues: readonly Issue[]): Fail {
  return { ok: false, issues };
}

export function issue(code: IssueCode, path: IssuePath, message: string): Issue {
  return { code, path, message };
}
