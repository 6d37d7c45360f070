import { routes } from '@msct/contract';
import { listAuditEvents, verifyDatabase } from '@msct/store';
import { enforce, enforceOnSubject } from '../access/guard.js';
import { schemaOf } from '../http/contract.js';
import type { App, RouteContext } from '../http/types.js';

export function registerAuditRoutes(app: App, { db }: RouteContext) {
  app.get(
    '/api/subjects/:subjectId/audit',
    {
      schema: schemaOf(routes.subjectAudit),
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
      schema: schemaOf(routes.verify),
    },
    async (req) => {
      enforce(req, 'user.manage', {}, 'audit');
      return verifyDatabase(db, { maxFindings: 1000 });
    },
  );
}
