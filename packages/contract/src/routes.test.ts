// The contract's own consistency: each route's path parameters are exactly its params schema's keys,
// it answers with success statuses only (problems are added by the server for every route), a
// document route names its media type, and the inferred types are the ones the web client relies on.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { allRoutes, type PathOf, type RequestOf, type ResponseOf, type RouteOf, routes } from './index.js';

const keysOf = (s: z.ZodType | undefined) =>
  s ? Object.keys((s as unknown as { shape: Record<string, unknown> }).shape).sort() : [];

describe('the API contract', () => {
  it('declares 109 routes, each method and path once', () => {
    const keys = allRoutes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(109);
  });

  it("names each path parameter in the route's params schema, and nothing else", () => {
    const wrong = allRoutes.filter((r) => {
      const inPath = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!).sort();
      return JSON.stringify(inPath) !== JSON.stringify(keysOf(r.params));
    });
    expect(wrong.map((r) => r.path)).toEqual([]);
  });

  it('declares success statuses only, and a media type for every document', () => {
    for (const r of allRoutes) {
      const statuses = Object.keys(r.response).map(Number);
      expect(statuses.length, r.path).toBeGreaterThan(0);
      expect(
        statuses.every((s) => s >= 200 && s < 300),
        r.path,
      ).toBe(true);
    }
    expect(allRoutes.filter((r) => r.produces).map((r) => `${r.path} ${r.produces}`)).toEqual([
      '/api/studies/:studyId/queries.csv text/csv',
      '/api/studies/:studyId/analysis/report.html text/html',
      '/api/exports/:jobId/file application/octet-stream',
      '/api/studies/:studyId/export.odm.xml application/xml',
      '/api/studies/:studyId/definition.odm.xml application/xml',
      '/api/studies/:studyId/definition.csv text/csv',
      '/api/studies/:studyId/definition.html text/html',
      '/api/studies/:studyId/crfs.html text/html',
      '/api/studies/:studyId/crfs.pdf application/pdf',
      '/api/subjects/:subjectId/casebook.html text/html',
      '/api/subjects/:subjectId/casebook.pdf application/pdf',
      '/api/adverse-events/:aeId/cioms.html text/html',
      '/api/adverse-events/:aeId/cioms.pdf application/pdf',
      '/api/studies/:studyId/out-of-range-labs.csv text/csv',
      '/api/attachments/:attachmentId/file application/octet-stream',
    ]);
  });

  it('types a call by its route', () => {
    expectTypeOf<PathOf<'DELETE'>>().toEqualTypeOf<
      '/api/users/:userId/roles/:assignmentId' | '/api/visits/:visitId' | '/api/forms/:formId'
    >();
    type GetStudy = RouteOf<'GET', '/api/studies/:studyId'>;
    expectTypeOf<RequestOf<GetStudy>['params']>().toEqualTypeOf<{ studyId: string }>();
    expectTypeOf<ResponseOf<GetStudy>['code']>().toEqualTypeOf<string>();
    expectTypeOf<ResponseOf<RouteOf<'POST', '/api/auth/logout'>>>().toEqualTypeOf<undefined>();
    expectTypeOf<
      ResponseOf<RouteOf<'GET', '/api/studies/:studyId/queries'>>['queries'][number]['status']
    >().toEqualTypeOf<'open' | 'answered' | 'closed'>();
    expect(routes.getStudy.path).toBe('/api/studies/:studyId');
  });
});
