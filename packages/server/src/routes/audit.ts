import { routes } from '@msct/contract';
import { listAuditEvents, verifyDatabase } from '@msct/store';
import { armRevealingFilter, blindAuditEvent, isBlinded } from '../access/blinding.js';
import { enforce, enforceOnSubject, principalOf } from '../access/guard.js';
import { studyDefinition } from '../clinical/study-definition.js';
import { schemaOf } from '../http/contract.js';
import type { App, RouteContext } from '../http/types.js';

export function registerAuditRoutes(app: App, { db }: RouteContext) {
  app.get(
    '/api/subjects/:subjectId/audit',
    {
      schema: schemaOf(routes.subjectAudit),
    },
    async (req) => {
      const scope = await enforceOnSubject(db, req, 'audit.read', req.params.subjectId);
      const rows = await listAuditEvents(db, { subjectId: req.params.subjectId, ...req.query });
      // A role the study blinds sees neither the arm nor arm-revealing forms in the trail (issue 24).
      const { definition } = await studyDefinition(db, scope.studyId);
      const p = principalOf(req);
      const blinded = isBlinded(p, scope.studyId, definition);
      const filter = armRevealingFilter(p, scope.studyId, definition);
      const events = rows.map((e) => ({
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
      return events.flatMap((e) => blindAuditEvent(filter, blinded, e) ?? []);
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
