// Errors leave the API as RFC 9457 problem+json, with a stable greppable code (Fastify's FST_ERR_*
// idea) and, for validation, the field and the rule that failed.
import { type DefinitionIssue, definitionPathText, formatDefinitionIssue } from '@msct/core/protocol';
import type { FastifyReply } from 'fastify';

export const PROBLEM_CODES = {
  MSCT_E_VALIDATION: 400,
  MSCT_E_REASON_REQUIRED: 400,
  MSCT_E_UNAUTHENTICATED: 401,
  MSCT_E_CSRF: 403,
  MSCT_E_FORBIDDEN: 403,
  MSCT_E_PASSWORD_CHANGE_REQUIRED: 403,
  MSCT_E_NOT_FOUND: 404,
  MSCT_E_CONFLICT: 409,
  MSCT_E_DUPLICATE: 409,
  MSCT_E_LOCKED: 423,
  MSCT_E_NOT_ELIGIBLE: 422,
  MSCT_E_IMPORT_INVALID: 422,
  MSCT_E_DEFINITION_INVALID: 422,
  MSCT_E_NOT_IN_DEFINITION: 422,
  MSCT_E_STORED_DEFINITION_INVALID: 409,
  MSCT_E_PAYLOAD_TOO_LARGE: 413,
  MSCT_E_HEADERS_TOO_LARGE: 431,
  MSCT_E_TIMEOUT: 408,
  MSCT_E_UNSUPPORTED_MEDIA: 415,
  MSCT_E_RATE_LIMITED: 429,
  MSCT_E_INTERNAL: 500,
} as const;

export type ProblemCode = keyof typeof PROBLEM_CODES;

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `items.2.value`. */
  field: string;
  rule: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail: string;
  errors?: FieldIssue[];
  [extra: string]: unknown;
}

export class HttpProblem extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

export function problem(code: ProblemCode, detail: string, extra: Record<string, unknown> = {}): Problem {
  const status = PROBLEM_CODES[code];
  // Extra members never replace the standard ones: a detail named `status` (a query's, a form's)
  // once became the HTTP status of the answer.
  return {
    ...extra,
    type: `https://msct.invalid/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: code.replace('MSCT_E_', '').replaceAll('_', ' ').toLowerCase(),
    status,
    code,
    detail,
  };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.status(p.status).type('application/problem+json').send(p);
}

/**
 * Every problem of a study definition, by path: `problems` holds the lines `msct study validate`
 * prints (`forms[3].items[7].codeList: unknown code list "yn2"`), `errors` the same as field issues.
 */
export function definitionProblemExtra(issues: readonly DefinitionIssue[], field = 'definition') {
  return {
    problems: issues.map(formatDefinitionIssue),
    errors: issues.map(
      (i): FieldIssue => ({
        field: i.path.length ? `${field}.${definitionPathText(i.path)}` : field,
        rule: i.code,
        message: i.message,
      }),
    ),
  };
}

export const notFoundProblem = (what: string) => new HttpProblem('MSCT_E_NOT_FOUND', `${what} not found`);
export const forbidden = (detail: string) => new HttpProblem('MSCT_E_FORBIDDEN', detail);
