/**
 * Errors of the randomisation engine are values, as everywhere in core: a design that cannot
 * randomise (a ratio that is not a positive integer, a block size that is not a multiple of the
 * ratio total, an unknown stratum level, a malformed seed) is `{ ok: false, issue }` saying what
 * and where, never a throw.
 */
export type RandomisationIssueCode =
  | 'invalid-seed'
  | 'invalid-arms'
  | 'invalid-block-sizes'
  | 'invalid-factors'
  | 'unknown-stratum'
  | 'invalid-argument'
  | 'list-exhausted';

export interface RandomisationIssue {
  readonly code: RandomisationIssueCode;
  readonly message: string;
}

export type RandomisationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issue: RandomisationIssue };

export const ok = <T>(value: T): RandomisationResult<T> => ({ ok: true, value });

export const fail = <T = never>(code: RandomisationIssueCode, message: string): RandomisationResult<T> => ({
  ok: false,
  issue: { code, message },
});
