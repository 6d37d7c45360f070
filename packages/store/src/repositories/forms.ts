// The form repository: a visit's form instances and their status (complete, signed, locked,
// unlocked with a reason), each change audited. A form is opened by the item writer on first entry.
import { type Actor, writeTransaction } from '../audit/writer.js';
import type { Db } from '../database.js';
import { notFound, StoreError } from '../errors.js';
import type { FormInstanceTable } from '../schema.js';
import { closeUnlockRequests, refuseRecordLock } from './record-locks.js';
import { loadForUpdate, writeVersioned } from './versioned.js';
import { subjectRow } from './visit-scope.js';

export type FormInstance = FormInstanceTable;

/** A visit's forms by form code, a repeating form's records in record order (1, 2, …). */
export async function listForms(db: Db, visitId: string): Promise<FormInstance[]> {
  const rows = await db.kysely
    .selectFrom('form_instances')
    .selectAll()
    .where('visit_id', '=', visitId)
    .orderBy('form_code')
    .execute();
  // Ordered here, not in SQL: the migration tests read forms at schemas before `record` (024).
  return rows.sort((a, b) =>
    a.form_code === b.form_code ? Number(a.record ?? 1) - Number(b.record ?? 1) : 0,
  );
}

export async function getForm(db: Db, formId: string): Promise<FormInstance> {
  const row = await db.kysely
    .selectFrom('form_instances')
    .selectAll()
    .where('id', '=', formId)
    .executeTakeFirst();
  if (!row) throw notFound('form', formId);
  return row;
}

/** Marks a form complete, signs it (investigator) or unlocks it; each step names the version it read. */
export async function setFormStatus(
  db: Db,
  actor: Actor,
  formId: string,
  expectedVersion: number,
  status: 'incomplete' | 'complete' | 'signed' | 'locked',
  reason?: string,
): Promise<FormInstance> {
  return writeTransaction(db, actor, async (tx, audit) => {
    const before = await loadForUpdate(tx, 'form_instances', formId, expectedVersion, 'form');
    // A repeated step changes nothing; a signature is given once (unlock, then sign again).
    if (before.status === status && status !== 'signed') return before;
    if (before.status === 'signed' && status === 'signed')
      throw new StoreError(
        'invalid',
        `form ${before.form_code} is already signed (${before.signed_at}): it can be signed again only after a change, once it has been unlocked`,
        { field: 'status', rule: 'transition', currentStatus: before.status },
      );
    const s = await subjectRow(tx, before.subject_id);
    // A freeze still takes a signature; any other status change waits for the lock's release.
    await refuseRecordLock(
      tx,
      db.dialect,
      { studyId: s.study_id, siteId: s.site_id, subjectId: s.id },
      `${status === 'signed' ? 'signing' : 'changing the status of'} form ${before.form_code}`,
      { signature: status === 'signed' },
    );
    const wasClosed = before.status === 'signed' || before.status === 'locked';
    if (wasClosed && (status === 'incomplete' || status === 'complete') && !reason?.trim()) {
      throw new StoreError('reason_required', 'a reason is required to unlock a signed or locked form', {
        field: 'reason',
      });
    }
    const cols: Partial<FormInstance> = { status };
    if (status === 'signed') {
      cols.signed_by = actor.id;
      cols.signed_at = audit.now;
      // The meaning signed is given as the reason (the route passes the meaning it showed).
      cols.signature_meaning = reason ?? null;
    } else if (status !== 'locked') {
      cols.signed_by = null;
      cols.signed_at = null;
      cols.signature_meaning = null;
    }
    const version = await writeVersioned(tx, 'form_instances', formId, expectedVersion, cols, 'form');
    await audit.record({
      action: status === 'signed' ? 'form.sign' : 'form.status',
      entityType: 'form',
      entityId: formId,
      studyId: s.study_id,
      siteId: s.site_id,
      subjectId: s.id,
      field: 'status',
      oldValue: before.status,
      newValue: status,
      reason: reason ?? null,
    });
    if (wasClosed && (status === 'incomplete' || status === 'complete'))
      await closeUnlockRequests(tx, audit, 'form', formId, 'done', reason ?? '');
    return { ...before, ...cols, version };
  });
}
