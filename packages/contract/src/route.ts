// A route of the API declared as data (STYLE.md item 9): method, path, request schemas and one
// response schema per success status. The server registers its handler with these schemas
// (server/src/http/contract.ts adds the problem+json answers), OpenAPI is derived from them, and the
// web client takes its types from them with z.infer — the contract is written once.
import { z } from 'zod';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteContract {
  method: Method;
  /** Fastify-style path: `/api/studies/:studyId`. */
  path: string;
  tags: readonly string[];
  summary: string;
  params?: z.ZodType;
  querystring?: z.ZodType;
  body?: z.ZodType;
  /** One schema per success status; `204: noContent`. Errors are problem+json (below), always. */
  response: Readonly<Record<number, z.ZodType>>;
  /** Media type of a success body that is not JSON (CSV, XML, HTML): the schema is then `document`. */
  produces?: string;
  /** Media types a body that is not JSON is sent as (file uploads). */
  consumes?: readonly string[];
}

/** Declares a route; `const` keeps the literal method and path for the typed web client. */
export const route = <const R extends RouteContract>(r: R): R => r;

/** The body of a 204 answer. */
export const noContent = z.undefined().describe('No content');

/** A body sent as a file (not JSON): the server reads it as a stream. */
export const fileBody = z.unknown().describe('the file, sent with its media type');

/** A document that is not JSON (HTML, XML, CSV), sent with the route's `produces` media type. */
export const document = z
  .custom<unknown>(() => true)
  .meta({ type: 'string', description: 'the document, in the media type the route produces' });

/** One field that failed a rule (`items.2.value`, `body.reason`). */
export const fieldIssue = z.object({ field: z.string(), rule: z.string(), message: z.string() });

/**
 * RFC 9457 problem+json, the body of every 4xx/5xx answer, with a stable code (server/src/http/problem.ts).
 * Loose: a problem may carry members of its own (an import's `report`, eligibility `criteria`,
 * a store error's details, the `requestId` of an internal error).
 */
export const problem = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string(),
  detail: z.string(),
  errors: z.array(fieldIssue).optional(),
});
export type Problem = z.infer<typeof problem>;
export type FieldIssue = z.infer<typeof fieldIssue>;
