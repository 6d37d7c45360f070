// One transaction for a whole import, with the audit events written as they come rather than held
// until commit. The store's `inTransaction` keeps every audit event of the transaction in memory
// until the end (fine for a patient, ~450 MB for a million imported values); this writer appends
// them in chunks of 500 inside the same transaction, so memory stays flat and the import is still
// all or nothing. The hash chain is computed exactly as the store's writer does
// (store/src/audit/writer.ts); the store's verifier checks the result. Repository calls made with
// the Db handed to `fn` join this transaction and this chain (Db.current).
// Store change proposed: let writeTransaction flush pending audit events every N entries.
import type { Actor, AuditEntry, AuditWriter, Db } from '@msct/store';
import { auditEventHash } from '@msct/store';

type AuditRow = Parameters<typeof auditEventHash>[0] & { hash: string };

export async function bulkTransaction<T>(db: Db, actor: Actor, fn: (txDb: Db) => Promise<T>): Promise<T> {
  if (db.current) throw new Error('bulkTransaction cannot run inside another transaction');
  return db.kysely.transaction().execute(async (tx) => {
    // Lock the chain first (as the store's writer does), then read where it ends.
    await tx.updateTable('audit_head').set({ id: 1 }).where('id', '=', 1).execute();
    const head = await tx
      .selectFrom('audit_head')
      .select(['seq', 'hash'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    let seq = Number(head.seq);
    let prevHash = head.hash;
    const now = new Date().toISOString();
    let pending: AuditRow[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const rows = pending;
      pending = [];
      await tx.insertInto('audit_events').values(rows).execute();
    };
    const audit: AuditWriter = {
      actor,
      now,
      async record(entries: AuditEntry | AuditEntry[]) {
        for (const e of Array.isArray(entries) ? entries : [entries]) {
          seq += 1;
          const row = {
            seq,
            at: now,
            actor_id: actor.id,
            actor_name: actor.name,
            action: e.action,
            entity_type: e.entityType,
            entity_id: e.entityId,
            study_id: e.studyId ?? null,
            site_id: e.siteId ?? null,
            subject_id: e.subjectId ?? null,
            field: e.field ?? null,
            old_value: e.oldValue ?? null,
            new_value: e.newValue ?? null,
            reason: e.reason ?? null,
            prev_hash: prevHash,
          };
          const hash = auditEventHash(row);
          pending.push({ ...row, hash });
          prevHash = hash;
          // 500 rows × 16 columns stays under SQLite's bound-parameter limit.
          if (pending.length >= 500) await flush();
        }
      },
    };
    const result = await fn({ ...db, kysely: tx, current: { tx, audit } });
    await flush();
    await tx.updateTable('audit_head').set({ seq, hash: prevHash }).where('id', '=', 1).execute();
    return result;
  });
}
