// Source data verification of single items (issue #21 "optionally per item", migration 017): a
// monitor verifies one value of a form against the source; a later change of that value clears the
// item's verification in the change's own transaction (the item writer, so every write path), audited.
// Audited as the entity "item review" (id: form id and item code), so the replay of the item's own
// rows in audit/verify-data.ts is untouched. An item mark also makes the form's review row (when it has
// none), which is how the item writer knows, at no extra read for forms never reviewed, that it must
// look for item verifications.
import type { Actor, AuditWriter, Tx } from '../audit/writer.js';
import type { Db } from '../database.js';
import { conflict, StoreError } from '../errors.js';
import type { ItemVerificationTable } from '../schema.js';
import { emptyReview, recordReviewEvent, reviewTransaction } from './form-reviews.js';

export type ItemVerification = ItemVerificationTable;

const entityId = (formId: string, itemCode: string) => `${formId}:${itemCode}`;

/** Marks one item of a form source verified; `expectedVersion` is the item verification's version read (0: never). */
export async function markItemVerified(
  db: Db,
  actor: Actor,
  formId: string,
  itemCode: string,
  expectedVersion: number,
): Promise<ItemVerification> {
  return reviewTransaction(db, actor, formId, 'items are verified', async (tx, audit, by, form) => {
    const value = await tx
      .selectFrom('item_values')
      .select(['version'])
      .where('form_instance_id', '=', formId)
      .where('item_code', '=', itemCode)
      .executeTakeFirst();
    if (!value)
      throw new StoreError(
        'not_found',
        `item ${itemCode} has no value on form ${form.form_code}: nothing to verify`,
        {
          field: 'itemCode',
        },
      );
    const before = await tx
      .selectFrom('item_verifications')
      .selectAll()
      .where('form_instance_id', '=', formId)
      .where('item_code', '=', itemCode)
      .executeTakeFirst();
    const current = before ? Number(before.version) : 0;
    if (current !== expectedVersion)
      throw conflict('item verification', entityId(formId, itemCode), expectedVersion, current);
    if (before && before.verified_at !== null) return before;
    const after: ItemVerification = {
      form_instance_id: formId,
      item_code: itemCode,
      subject_id: form.subject_id,
      verified_by: by,
      verified_at: audit.now,
      value_version: Number(value.version),
      version: current + 1,
    };
    if (!before) await tx.insertInto('item_verifications').values(after).execute();
    else {
      const res = await tx
        .updateTable('item_verifications')
        .set({
          verified_by: by,
          verified_at: audit.now,
          value_version: after.value_version,
          version: after.version,
        })
        .where('form_instance_id', '=', formId)
        .where('item_code', '=', itemCode)
        .where('version', '=', current)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1)
        throw conflict('item verification', entityId(formId, itemCode), current, current + 1);
    }
    // The form's review row, so a later change of the item finds this verification to clear.
    const review = await tx
      .selectFrom('form_reviews')
      .select('version')
      .where('form_instance_id', '=', formId)
      .executeTakeFirst();
    if (!review)
      await tx
        .insertInto('form_reviews')
        .values({ ...emptyReview(formId, form.subject_id), version: 1 })
        .execute();
    await recordReviewEvent(tx, audit, form.subject_id, {
      action: 'item.verify',
      entityType: 'item review',
      entityId: entityId(formId, itemCode),
      field: `${form.form_code}.${itemCode}`,
      oldValue: null,
      newValue: `${form.form_code}.${itemCode} (value version ${after.value_version}): source verified`,
    });
    return after;
  });
}

/** The items of a form verified on their own (the item writer reads them once per form it changes). */
export async function verifiedItems(tx: Tx, formId: string): Promise<Set<string>> {
  const rows = await tx
    .selectFrom('item_verifications')
    .select('item_code')
    .where('form_instance_id', '=', formId)
    .where('verified_at', 'is not', null)
    .execute();
  return new Set(rows.map((r) => r.item_code));
}

/** A verified item's value changed: its verification is cleared (audited, naming the change). */
export async function clearItemVerification(
  tx: Tx,
  audit: AuditWriter,
  formId: string,
  itemCode: string,
  scope: { studyId: string; siteId: string; subjectId: string },
  field: string,
): Promise<void> {
  const row = await tx
    .selectFrom('item_verifications')
    .select(['verified_at', 'version'])
    .where('form_instance_id', '=', formId)
    .where('item_code', '=', itemCode)
    .executeTakeFirst();
  if (!row || row.verified_at === null) return;
  await tx
    .updateTable('item_verifications')
    .set({ verified_by: null, verified_at: null, version: Number(row.version) + 1 })
    .where('form_instance_id', '=', formId)
    .where('item_code', '=', itemCode)
    .execute();
  await audit.record({
    action: 'item.verify.clear',
    entityType: 'item review',
    entityId: entityId(formId, itemCode),
    ...scope,
    field,
    oldValue: row.verified_at,
    newValue: null,
    reason: `${field} changed after it was source verified`,
  });
}

/** The item verifications of the given forms (rows cleared by a change included, with verified_at null). */
export async function listItemVerifications(db: Db, formIds: readonly string[]): Promise<ItemVerification[]> {
  if (formIds.length === 0) return [];
  return db.kysely
    .selectFrom('item_verifications')
    .selectAll()
    .where('form_instance_id', 'in', [...formIds])
    .execute();
}
