// Issue 19 item 2: every route of the API is declared once in @msct/contract. The OpenAPI document
// (derived from the routes' schemas) lists exactly the contract's routes, and each declares its
// request (path parameters, query string, body) and its answers: a success body per status and
// problem+json for 4xx and 5xx.
import { allRoutes } from '@msct/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from './testing/test-server.js';

interface Operation {
  summary?: string;
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, unknown> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');
const keyOf = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

describe('every route declares its request and response schemas (OpenAPI)', () => {
  let server: TestServer;
  let doc: Doc;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
    doc = (await new ApiClient(server.baseUrl).get<Doc>('/api/openapi.json')).body;
  });
  afterAll(async () => server?.close());

  it('lists exactly the routes of the contract', () => {
    const served = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => keyOf(m, path)),
    );
    const declared = allRoutes.map((r) => keyOf(r.method, openApiPath(r.path)));
    expect(new Set(declared).size).toBe(declared.length);
    expect([...served].sort()).toEqual([...declared].sort());
    expect(served.length).toBe(109);
  });

  it('each route has its path parameters, query string and body, as the contract declares them', () => {
    const missing: string[] = [];
    for (const r of allRoutes) {
      const op = doc.paths[openApiPath(r.path)]?.[r.method.toLowerCase()];
      if (!op) continue; // the test above names it
      if (op.summary !== r.summary) missing.push(`${r.method} ${r.path}: summary is not the contract's`);
      const names = (where: string) => (op.parameters ?? []).filter((p) => p.in === where).map((p) => p.name);
      for (const [, name] of r.path.matchAll(/:([A-Za-z]+)/g))
        if (!names('path').includes(name!)) missing.push(`${r.method} ${r.path}: path parameter ${name}`);
      if (r.querystring && names('query').length === 0) missing.push(`${r.method} ${r.path}: query string`);
      if (r.body && !op.requestBody) missing.push(`${r.method} ${r.path}: request body`);
      if (!r.body && op.requestBody)
        missing.push(`${r.method} ${r.path}: a body the contract does not declare`);
    }
    expect(missing).toEqual([]);
  });

  it('each route declares a success answer and problem+json for 4xx and 5xx', () => {
    const missing: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        const responses = op.responses ?? {};
        const success = Object.keys(responses).filter((s) => /^2\d\d$/.test(s));
        if (success.length === 0) missing.push(`${method} ${path}: no success answer`);
        for (const s of success)
          if (s !== '204' && !Object.values(responses[s]!.content ?? {}).some((c) => c.schema))
            missing.push(`${method} ${path}: ${s} has no schema`);
        for (const s of ['4XX', '5XX'])
          if (!responses[s]?.content?.['application/problem+json']?.schema)
            missing.push(`${method} ${path}: ${s} is not problem+json`);
      }
    expect(missing).toEqual([]);
  });

  it('documents (HTML, XML) and uploads (CSV, ODM) are declared with their media types', () => {
    const op = (method: string, path: string) => doc.paths[path]![method]!;
    expect(
      Object.keys(op('get', '/api/studies/{studyId}/analysis/report.html').responses!['200']!.content!),
    ).toEqual(['text/html']);
    expect(
      Object.keys(op('get', '/api/studies/{studyId}/export.odm.xml').responses!['200']!.content!),
    ).toEqual(['application/xml']);
    expect(Object.keys(op('post', '/api/studies/{studyId}/import.csv').requestBody!.content)).toEqual([
      'text/csv',
      'application/csv',
    ]);
    expect(Object.keys(op('post', '/api/studies/{studyId}/import.odm').requestBody!.content)).toContain(
      'application/xml',
    );
    expect(Object.keys(op('post', '/api/studies/{studyId}/import.fhir').requestBody!.content)).toEqual([
      'application/fhir+json',
    ]);
  });
});
