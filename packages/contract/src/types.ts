// Types of a route's request and answer, derived from its schemas (z.infer): the web client is typed
// by these, so no response type is written by hand.
import type { z } from 'zod';
import type { Method, RouteContract } from './route.js';
import type { routes } from './routes.js';

type Routes = typeof routes;

/** Every route of the API keyed `METHOD /path`. */
export type RouteTable = {
  [K in keyof Routes as `${Routes[K]['method']} ${Routes[K]['path']}`]: Routes[K];
};

/** The paths a method is declared for: `PathOf<'GET'>`. */
export type PathOf<M extends Method> = {
  [K in keyof RouteTable]: K extends `${M} ${infer P}` ? P : never;
}[keyof RouteTable];

/** The route declared for a method and path. */
export type RouteOf<M extends Method, P extends string> = `${M} ${P}` extends keyof RouteTable
  ? RouteTable[`${M} ${P}`]
  : never;

type Input<S> = S extends z.ZodType ? z.input<S> : never;

/** What a call sends: path parameters, query string and body, each where the route declares one. */
export type RequestOf<R extends RouteContract> = (R extends { params: infer P }
  ? { params: Input<P> }
  : { params?: undefined }) &
  (R extends { querystring: infer Q }
    ? Record<string, never> extends Input<Q>
      ? { query?: Input<Q> }
      : { query: Input<Q> }
    : { query?: undefined }) &
  (R extends { body: infer B } ? { body: Input<B> } : { body?: undefined });

/** The body of the route's success answer (`undefined` for 204). */
export type ResponseOf<R extends RouteContract> = {
  [K in keyof R['response']]: K extends 204
    ? undefined
    : K extends 200 | 201 | 202
      ? z.output<R['response'][K]>
      : never;
}[keyof R['response']];
