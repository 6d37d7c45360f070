import type { Db } from '../database.js';
import type { AuditEventTable } from '../schema.js';

export type AuditEvent = AuditEventTable;

export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  subjectId?: string;
  field?: string;
  /** Keyset pagination: events after this sequence number. */
  afterSeq?: number;
  limit?: number;
}

/** Reads the trail in sequence order, paged on the sequence number so large trails stay cheap. */
export async function listAuditEvents(db: Db, q: AuditQuery): Promise<AuditEvent[]> {
  let s = db.kysely.selectFrom('audit_events').selectAll();
  if (q.entityType) s = s.where('entity_type', '=', q.entityType);
  if (q.entityId) s = s.where('entity_id', '=', q.entityId);
  if (q.subjectId) s = s.where('subject_id', '=', q.subjectId);
  if (q.field) s = s.where('field', '=', q.field);
  if (q.afterSeq !== undefined) s = s.where('seq', '>', q.afterSeq);
  const rows = await s
    .orderBy('seq')
    .limit(Math.min(q.limit ?? 1000, 10_000))
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}
