// RFC 9457 problem+json, as the API returns it, turned into something a form can show.

export interface FieldIssue {
  field: string;
  rule: string;
  message: string;
}

export interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: FieldIssue[];
  [extra: string]: unknown;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
  get status() {
    return this.problem.status;
  }
  get code() {
    return this.problem.code;
  }
  get isConflict() {
    return this.problem.code === 'MSCT_E_CONFLICT';
  }
  get isNotFound() {
    return this.problem.status === 404;
  }
}

/**
 * Field messages keyed by the field path without its `body.` prefix (`items.0.value`, `reason`).
 * Store errors name an item by its code (`field: "HGB"`); those keys are kept as they come.
 */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const e of err.problem.errors ?? []) {
    const key = e.field.replace(/^body\./, '');
    out[key] = out[key] ? `${out[key]}; ${e.message}` : e.message;
  }
  return out;
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.isConflict) return `Changed by someone else — reload to see the current values. (${err.message})`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
