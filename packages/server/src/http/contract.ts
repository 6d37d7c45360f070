// The server's side of @msct/contract: a route's schemas as Fastify takes them. Every route answers
// its errors as problem+json (http/problem.ts), so `4xx` and `5xx` are declared here for all; the
// success bodies are serialised through their schemas (fastify-type-provider-zod's serializer), so a
// field not declared never leaves the server.
import {
  problem,
  type ROLES,
  type RouteContract,
  type SUBJECT_SORTS,
  type SUBJECT_STATUSES,
} from '@msct/contract';
import type * as store from '@msct/store';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/** The Fastify `schema` of a contract route. */
export function schemaOf<const R extends RouteContract>(r: R) {
  return {
    tags: [...r.tags],
    summary: r.summary,
    ...(r.params ? { params: r.params } : {}),
    ...(r.querystring ? { querystring: r.querystring } : {}),
    ...(r.body ? { body: r.body } : {}),
    ...(r.produces ? { produces: [r.produces] } : {}),
    ...(r.consumes ? { consumes: [...r.consumes] } : {}),
    response: { ...r.response, '4xx': problem, '5xx': problem },
  } as {
    tags: string[];
    summary: string;
    params: R['params'];
    querystring: R['querystring'];
    body: R['body'];
    response: R['response'] & { '4xx': typeof problem; '5xx': typeof problem };
  };
}

type JsonSchema = Record<string, unknown>;

/**
 * OpenAPI from the route schemas (jsonSchemaTransform), with each answer under its media type:
 * problems as application/problem+json, documents (HTML, XML) as the route's `produces`.
 */
export const openApiTransform: typeof jsonSchemaTransform = (input) => {
  const out = jsonSchemaTransform(input);
  const schema = out.schema as { response?: Record<string, JsonSchema>; produces?: string[] } | undefined;
  const response = schema?.response;
  if (!schema || !response) return out;
  const produces = schema.produces?.[0];
  for (const [status, body] of Object.entries(response)) {
    if (/^[45]xx$/.test(status))
      response[status] = {
        description: 'A problem (RFC 9457) with a stable code',
        content: { 'application/problem+json': { schema: body } },
      };
    else if (produces && status.startsWith('2'))
      response[status] = { description: 'Success', content: { [produces]: { schema: body } } };
  }
  delete schema.produces;
  return out;
};

// The contract's lists of roles, subject statuses and grid sorts are the store's (compile-time check).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type ContractMatchesStore = [
  Assert<Same<(typeof ROLES)[number], (typeof store.ROLES)[number]>>,
  Assert<Same<(typeof SUBJECT_STATUSES)[number], (typeof store.SUBJECT_STATUSES)[number]>>,
  Assert<Same<(typeof SUBJECT_SORTS)[number], (typeof store.SUBJECT_SORTS)[number]>>,
];
