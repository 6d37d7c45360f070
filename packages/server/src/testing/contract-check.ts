// Test support for holding the server to @msct/contract: a route found by method and URL, and a
// schema made strict at every depth, so an answer with a field the contract does not declare fails.
import { allRoutes, problem, type RouteContract } from '@msct/contract';
import { z } from 'zod';

type Def = { type: string } & Record<string, unknown>;
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/**
 * The same schema with every object strict (unknown keys are an error) at every depth. Objects the
 * contract declares loose (the problem shape) stay loose; values the core computes (z.custom) pass.
 */
export function strictly(s: z.ZodType): z.ZodType {
  const def = defOf(s);
  switch (def.type) {
    case 'object': {
      const shape = Object.fromEntries(
        Object.entries(def.shape as Record<string, z.ZodType>).map(([k, v]) => [k, strictly(v)]),
      );
      const catchall = def.catchall as z.ZodType | undefined;
      return catchall && defOf(catchall).type !== 'never' ? z.looseObject(shape) : z.strictObject(shape);
    }
    case 'array':
      return z.array(strictly(def.element as z.ZodType));
    case 'record':
      return z.record(def.keyType as z.ZodString, strictly(def.valueType as z.ZodType));
    case 'nullable':
      return strictly(def.innerType as z.ZodType).nullable();
    case 'optional':
      return strictly(def.innerType as z.ZodType).optional();
    case 'readonly':
      return strictly(def.innerType as z.ZodType);
    case 'union':
      return z.union((def.options as z.ZodType[]).map(strictly) as [z.ZodType, z.ZodType]);
    default:
      return s;
  }
}

const pattern = (path: string) => new RegExp(`^${path.replace(/:[A-Za-z]+/g, '[^/]+')}$`);
const patterns = allRoutes.map((r) => ({ route: r, re: pattern(r.path) }));

/** The contract route answering `method url` (query string ignored). */
export function routeFor(method: string, url: string): RouteContract | undefined {
  const path = url.split('?')[0]!;
  return patterns.find((p) => p.route.method === method && p.re.test(path))?.route;
}

/** The schema a route's answer with this status must satisfy: its success schema or the problem. */
export function answerSchema(route: RouteContract, status: number): z.ZodType | undefined {
  if (status >= 400) return problem;
  return route.response[status];
}

/** Issues of a body against the route's schema for its status, strict at every depth ([] = matches). */
export function contractIssues(method: string, url: string, status: number, body: unknown): string[] {
  const route = routeFor(method, url);
  if (!route) return [`${method} ${url}: no route of the contract`];
  const schema = answerSchema(route, status);
  if (!schema) return [`${method} ${route.path}: status ${status} is not declared`];
  const parsed = strictly(schema).safeParse(body);
  return parsed.success
    ? []
    : parsed.error.issues.map(
        (i) => `${method} ${route.path} ${status} at ${i.path.join('.') || '(root)'}: ${i.message}`,
      );
}
