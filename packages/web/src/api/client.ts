// The one way the web app talks to the API: JSON in and out, the session cookie sent by the browser,
// the CSRF token on every state-changing request, problems thrown as ApiError. Calls are typed by
// the route (@msct/contract): `api.get('/api/studies/:studyId', { params: { studyId } })` takes the
// route's parameters, query and body and returns its response type — no cast at the call site.
import type { Method, PathOf, RequestOf, ResponseOf, RouteOf } from '@msct/contract';
import { ApiError, type Problem } from './problem.js';

let csrfToken = '';

export function setCsrfToken(token: string) {
  csrfToken = token;
}

/** A file sent as it is (not JSON), with its media type: the CSV and ODM imports. */
interface RawBody {
  raw: Blob;
  type: string;
}

type Request<M extends Method, P extends string> = RequestOf<RouteOf<M, P>>;
/** The request argument: optional where the route needs no parameters, query or body. */
type Args<M extends Method, P extends string> =
  Record<string, never> extends Request<M, P> ? [request?: Request<M, P>] : [request: Request<M, P>];
type Answer<M extends Method, P extends string> = Promise<ResponseOf<RouteOf<M, P>>>;

interface AnyRequest {
  params?: Record<string, string> | undefined;
  query?: Record<string, unknown> | undefined;
  body?: unknown;
}

/** The URL of a route: `:name` segments filled (encoded) from params, the query string appended. */
export function urlOf(path: string, request: AnyRequest = {}): string {
  const url = path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = request.params?.[name];
    if (value === undefined) throw new Error(`${path}: parameter ${name} is missing`);
    return encodeURIComponent(value);
  });
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(request.query ?? {})) if (v !== undefined) query.set(k, String(v));
  const q = query.toString();
  return q ? `${url}?${q}` : url;
}

async function send(method: Method, url: string, body?: unknown, raw?: RawBody): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') {
    headers['x-csrf-token'] = csrfToken;
    headers['content-type'] = raw ? raw.type : 'application/json';
  }
  const res = await fetch(url, {
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
  return parsed;
}

function call(method: Method, path: string, request?: unknown): Promise<never> {
  const r = (request ?? {}) as AnyRequest;
  return send(method, urlOf(path, r), r.body) as Promise<never>;
}

export const api = {
  get: <P extends PathOf<'GET'>>(path: P, ...[request]: Args<'GET', P>): Answer<'GET', P> =>
    call('GET', path, request),
  post: <P extends PathOf<'POST'>>(path: P, ...[request]: Args<'POST', P>): Answer<'POST', P> =>
    call('POST', path, request),
  put: <P extends PathOf<'PUT'>>(path: P, ...[request]: Args<'PUT', P>): Answer<'PUT', P> =>
    call('PUT', path, request),
  patch: <P extends PathOf<'PATCH'>>(path: P, ...[request]: Args<'PATCH', P>): Answer<'PATCH', P> =>
    call('PATCH', path, request),
  delete: <P extends PathOf<'DELETE'>>(path: P, ...[request]: Args<'DELETE', P>): Answer<'DELETE', P> =>
    call('DELETE', path, request),
  /** POSTs a file as its own media type (text/csv, application/xml), streamed by the browser. */
  upload: <P extends PathOf<'POST'>>(
    path: P,
    request: Omit<Request<'POST', P>, 'body'>,
    file: Blob,
    type: string,
  ): Answer<'POST', P> =>
    send('POST', urlOf(path, request as AnyRequest), undefined, { raw: file, type }) as Promise<never>,
  /**
   * POSTs a file as application/octet-stream and reports how much has been sent (fetch cannot say:
   * XMLHttpRequest's upload events can). Problems are thrown as ApiError, as for every call.
   */
  uploadWithProgress: <P extends PathOf<'POST'>>(
    path: P,
    request: Omit<Request<'POST', P>, 'body'>,
    file: Blob,
    onProgress: (sent: number, total: number) => void,
  ): Answer<'POST', P> =>
    new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', urlOf(path, request as AnyRequest));
      xhr.withCredentials = true;
      xhr.setRequestHeader('accept', 'application/json');
      xhr.setRequestHeader('content-type', 'application/octet-stream');
      xhr.setRequestHeader('x-csrf-token', csrfToken);
      xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
      xhr.onerror = () =>
        reject(
          new ApiError({ status: 0, code: 'MSCT_E_NETWORK', detail: 'the upload was interrupted (network)' }),
        );
      xhr.onload = () => {
        let parsed: unknown;
        try {
          parsed = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
        } catch {
          parsed = undefined;
        }
        if (xhr.status >= 200 && xhr.status < 300) return resolve(parsed as never);
        const p = (parsed ?? {}) as Partial<Problem>;
        reject(
          new ApiError({
            ...p,
            status: p.status ?? xhr.status,
            code: p.code ?? 'MSCT_E_HTTP',
            detail: p.detail ?? `${xhr.status} ${xhr.statusText}`,
          }),
        );
      };
      xhr.send(file);
    }),
};
