// The one way the web app talks to the API: JSON in and out, the session cookie sent by the browser,
// the CSRF token on every state-changing request, problems thrown as ApiError.
import { ApiError, type Problem } from './problem.js';

let csrfToken = '';

export function setCsrfToken(token: string) {
  csrfToken = token;
}

/** A file sent as it is (not JSON), with its media type: the CSV import. */
interface RawBody {
  raw: Blob;
  type: string;
}

async function request<T>(method: string, path: string, body?: unknown, raw?: RawBody): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') {
    headers['x-csrf-token'] = csrfToken;
    headers['content-type'] = raw ? raw.type : 'application/json';
  }
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: method === 'GET' ? undefined : raw ? raw.raw : JSON.stringify(body ?? {}),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const p = (parsed ?? {}) as Partial<Problem>;
    throw new ApiError({
      ...p,
      status: p.status ?? res.status,
      code: p.code ?? 'MSCT_E_HTTP',
      detail: p.detail ?? `${res.status} ${res.statusText}`,
    });
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, body),
  /** POSTs a file as its own media type (e.g. text/csv), streamed by the browser. */
  upload: <T>(path: string, file: Blob, type: string) =>
    request<T>('POST', path, undefined, { raw: file, type }),
};
