// Deleting a visit or a form opened by mistake (issue #20, "Entry follows the definition": "A visit or
// form opened by mistake (no values yet) can be deleted, with a reason, audited").
//
// Only a record that holds nothing may go: a form whose items never held a value or a missing-data
// code (a blank saved by a first empty save is not a value), that is not signed or locked, on which
// no query was raised and no source verification or review recorded, and no unlock requested; a visit
// whose forms are all such forms. Anything else is refused with the rule and what it holds, and
// nothing is deleted. A freeze or lock of the study, site or subject refuses it (refuseRecordLock).
// The row goes, the trail stays: each deleted row has its own audited `*.delete` event (who, when,
// why, what it was), which `verifyAuditedData` reads as the end of that record (verify-data.ts).
import { type Actor, type AuditWriter, type Tx, writeTransaction } from '../audit/writer.js';
import type { Db } from '../database.js';
import { StoreError } from '../errors.js';
import type { FormInstanceTable, VisitTable } from '../schema.js';
import { refuseRecordLock } from './record-locks.js';
import { loadForUpdate } from './versioned.js';
import { forgetVisitScope, subjectRow } from './visit-scope.js';

/** The rule a refused deletion names (in the error's details and the API's problem). */
export type DeletionRule = 'has-values' | 'form-signed' | 'form-locked' | 'has-queries' | 'form-reviewed';

const refuse = (rule: DeletionRule, message: string) =>
  new StoreError('invalid', message, { field: 'record', rule });

const list = (codes: string[]) =>
  codes.length <= 5 ? codes.join(', ') : `${codes.slice(0, 5).join(', ')} and ${codes.length - 5} more`;

/** Why `form` may not be deleted; undefined when it holds nothing. */
async function formRefusal(tx: Tx, form: FormInstanceTable, what: string): Promise<StoreError | undefined> {
  if (form.signed_at !== null || form.status === 'signed')
    return refuse('form-signed', `${what} is signed: a signed form is never deleted`);
  if (form.status === 'locked')
    return refuse('form-locked', `${what} is locked: a locked form is never deleted`);
  const items = await tx
    .selectFrom('item_values')
    .select(['id', 'item_code', 'value', 'missing_code', 'version'])
    .where('form_instance_id', '=', form.id)
    .orderBy('item_code')
    .execute();
  // A value, a code, or a row that was ever changed (it held something once: the trail shows what).
  const held = items.filter((i) => i.value !== null || i.missing_code !== null || Number(i.version) > 1);
  if (held.length > 0)
    return refuse(
      'has-values',
      `${what} holds values (${list(held.map((i) => i.item_code))}): only a form with no values can be deleted; correct the values instead, with a reason`,
    );
  const ids = [form.id, ...items.map((i) => i.id)];
  const query = await tx.selectFrom('queries').select('id').where('entity_id', 'in', ids).executeTakeFirst();
  if (query) return refuse('has-queries', `${what} has a query: a record with a query is never deleted`);
  const unlock = await tx
    .selectFrom('unlock_requests')
    .select('id')
    .where('target_id', '=', form.id)
    .executeTakeFirst();
  if (unlock) return refuse('has-queries', `${what} has an unlock request: it is never deleted`);
  const review = await tx
    .selectFrom('form_reviews')
    .select('form_instance_id')
    .where('form_instance_id', '=', form.id)
    .executeTakeFirst();
  if (review)
    return refuse(
      'form-reviewed',
      `${what} was source-verified or reviewed: a reviewed form is never deleted`,
    );
  return undefined;
}

interface Scope {
  studyId: string;
  siteId: string;
  subjectId: string;
}

/** Deletes an empty form's blank item rows and the form itself, each audited with the reason. */
async function removeForm(tx: Tx, audit: AuditWriter, scope: Scope, form: FormInstanceTable, reason: string) {
  const items = await tx
    .selectFrom('item_values')
    .select(['id', 'item_code'])
    .where('form_instance_id', '=', form.id)
    .execute();
  if (items.length > 0) {
    await tx
      .deleteFrom('item_values')
      .where(
        'id',
        'in',
        items.map((i) => i.id),
      )
      .execute();
    await audit.record(
      items.map((i) => ({
        action: 'item.delete',
        entityType: 'item',
        entityId: i.id,
        ...scope,
        field: `${form.form_code}.${i.item_code}`,
        oldValue: null,
        newValue: null,
        reason,
      })),
    );
  }
  await tx.deleteFrom('form_instances').where('id', '=', form.id).execute();
  await audit.record({
    action: 'form.delete',
    entityType: 'form',
    entityId: form.id,
    ...scope,
    field: 'form_code',
    oldValue: form.form_code,
    newValue: null,
    reason,
  });
}

const needReason = (reason: string, what: string) => {
  if (!reason.trim())
    throw new StoreError('reason_required', `a reason is required to delete ${what}`, { field: 'reason' });
};

/** Deletes a form opened by mistake (it holds no value), with a reason; `expectedVersion` is the one read. */
export async function deleteForm(
  db: Db,
  actor: Actor,
  formId: string,
  expectedVersion: number,
  reason: string,
): Promise<FormInstanceTable> {
  needReason(reason, 'a form');
  return writeTransaction(db, actor, async (tx, audit) => {
    const form = await loadForUpdate(tx, 'form_instances', formId, expectedVersion, 'form');
    const s = await subjectRow(tx, form.subject_id);
    const scope = { studyId: s.study_id, siteId: s.site_id, subjectId: s.id };
    await refuseRecordLock(tx, db.dialect, scope, `deleting form ${form.form_code}`);
    const why = await formRefusal(tx, form, `form ${form.form_code}`);
    if (why) throw why;
    await removeForm(tx, audit, scope, form, reason);
    return form;
  });
}

/**
 * Deletes a visit opened by mistake, with a reason: refused while one of its forms holds a value (or
 * is signed, locked, queried or reviewed) or the visit has a query; its empty forms go with it.
 */
export async function deleteVisit(
  db: Db,
  actor: Actor,
  visitId: string,
  expectedVersion: number,
  reason: string,
): Promise<VisitTable> {
  needReason(reason, 'a visit');
  const visit = await writeTransaction(db, actor, async (tx, audit) => {
    const visit = await loadForUpdate(tx, 'visits', visitId, expectedVersion, 'visit');
    const s = await subjectRow(tx, visit.subject_id);
    const scope = { studyId: s.study_id, siteId: s.site_id, subjectId: s.id };
    const label = `visit ${visit.visit_code}${visit.cycle > 1 ? ` (cycle ${visit.cycle})` : ''}`;
    await refuseRecordLock(tx, db.dialect, scope, `deleting ${label}`);
    const forms = await tx
      .selectFrom('form_instances')
      .selectAll()
      .where('visit_id', '=', visitId)
      .orderBy('form_code')
      .execute();
    for (const f of forms) {
      const why = await formRefusal(tx, f, `${label}: form ${f.form_code}`);
      if (why) throw why;
    }
    const query = await tx
      .selectFrom('queries')
      .select('id')
      .where('entity_id', '=', visitId)
      .executeTakeFirst();
    if (query) throw refuse('has-queries', `${label} has a query: a record with a query is never deleted`);
    for (const f of forms) await removeForm(tx, audit, scope, f, reason);
    await tx.deleteFrom('visits').where('id', '=', visitId).execute();
    await audit.record({
      action: 'visit.delete',
      entityType: 'visit',
      entityId: visitId,
      ...scope,
      field: 'visit_code',
      oldValue: `${visit.visit_code} cycle ${visit.cycle}${visit.visit_date ? ` on ${visit.visit_date}` : ''}`,
      newValue: null,
      reason,
    });
    return visit;
  });
  forgetVisitScope(db, visitId);
  return visit;
}
