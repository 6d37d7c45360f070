import { z } from 'zod';
import { id } from './common.js';
import { route } from './route.js';

export const auditEvent = z.object({
  seq: z.number(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  field: z.string().nullable(),
  oldValue: z.string().nullable(),
  newValue: z.string().nullable(),
  reason: z.string().nullable(),
});

/** What `msct audit verify` checks (store/src/audit/verify-database.ts). */
export const databaseVerifyReport = z.object({
  ok: z.boolean(),
  chain: z.object({
    ok: z.boolean(),
    eventsChecked: z.number(),
    firstBreak: z.object({ seq: z.number(), problem: z.string() }).optional(),
  }),
  data: z.object({
    ok: z.boolean(),
    rowsChecked: z.record(z.string(), z.number()),
    findings: z.array(
      z.object({
        table: z.string(),
        recordId: z.string(),
        field: z.string().nullable(),
        seq: z.number().nullable(),
        problem: z.string(),
        expected: z.string().nullable().optional(),
        actual: z.string().nullable().optional(),
      }),
    ),
    findingsTotal: z.number(),
    unprovable: z.record(z.string(), z.number()),
  }),
  anchor: z.object({ ok: z.boolean(), problem: z.string().optional() }).optional(),
  ms: z.number(),
});

export const auditRoutes = {
  subjectAudit: route({
    method: 'GET',
    path: '/api/subjects/:subjectId/audit',
    tags: ['audit'],
    summary: "A subject's audit trail (who, what, when, why), optionally one record or field",
    params: z.object({ subjectId: id }),
    querystring: z
      .object({
        entityType: z.string().max(40).optional(),
        entityId: id.optional(),
        field: z.string().max(100).optional(),
        afterSeq: z.coerce.number().int().min(0).optional(),
        limit: z.coerce.number().int().min(1).max(5000).optional(),
      })
      .strict(),
    response: { 200: z.array(auditEvent) },
  }),
  verify: route({
    method: 'GET',
    path: '/api/audit/verify',
    tags: ['audit'],
    summary:
      'Walk the hash chain (first broken link) and check that the trail explains every audited row (admin; as `msct audit verify`)',
    response: { 200: databaseVerifyReport },
  }),
};
