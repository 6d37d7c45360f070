import { t } from '../i18n/index.js';

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

/**
 * A field path as words: `body.items.1.value` → "item 2 value", `body.entryDate` → "entry date".
 * Only for messages about a field the page does not show itself; a form shows its own label.
 */
export function fieldWords(path: string): string {
  return path
    .replace(/^(body|params|querystring)\./, '')
    .split('.')
    .map((part) => (/^\d+$/.test(part) ? String(Number(part) + 1) : part))
    .join(' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

/** Takes out the API's `body.x.y: ` field prefixes from a problem's detail, naming the field in words. */
export function detailInWords(detail: string): string {
  return detail.replace(/\b(?:body|params|querystring)\.([\w.]+): /g, (_m, path: string) => {
    const words = fieldWords(path);
    return `${words.charAt(0).toUpperCase()}${words.slice(1)}: `;
  });
}

/**
 * The text of an error box, field paths put in words. `atFields`: the form shows each field error
 * at its field (fieldErrors), so the box says only that it was not saved and where to look — each
 * message is shown once.
 */
export function errorText(err: unknown, { atFields = false }: { atFields?: boolean } = {}): string {
  if (err instanceof ApiError) {
    if (err.isConflict) return t('error.conflict', { detail: detailInWords(err.message) });
    const n = err.problem.errors?.length ?? 0;
    if (atFields && n > 0) return t('error.atFields', { count: n });
    return detailInWords(err.message);
  }
  return err instanceof Error ? err.message : String(err);
}
