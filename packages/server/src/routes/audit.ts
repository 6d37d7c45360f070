import { listAuditEvents, verifyDatabase } from '@msct/store';
import { z } from 'zod';
import { enforce, enforceOnSubject } from '../access/guard.js';
import { id } from '../http/schemas.js';
import type { App, RouteContext } from '../http/types.js';

const eventOut = z.object({
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

export function registerAuditRoutes(app: App, { db }: RouteContext) {
  app.get(
    '/api/subjects/:subjectId/audit',
    {
      schema: {
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
        response: { 200: z.array(eventOut) },
      },
    },
    async (req) => {
      await enforceOnSubject(db, req, 'audit.read', req.params.subjectId);
      const rows = await listAuditEvents(db, { subjectId: req.params.subjectId, ...req.query });
      return rows.map((e) => ({
        seq: e.seq,
        at: e.at,
        actor: e.actor_name,
        action: e.action,
        entityType: e.entity_type,
        entityId: e.entity_id,
        field: e.field,
        oldValue: e.old_value,
        newValue: e.new_value,
        reason: e.reason,
      }));
    },
  );

  app.get(
    '/api/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary:
          'Walk the hash chain (first broken link) and check that the trail explains every audited row (admin; as `msct audit verify`)',
      },
    },
    async (req) => {
      enforce(req, 'user.manage', {}, 'audit');
      return verifyDatabase(db, { maxFindings: 1000 });
    },
  );
}
