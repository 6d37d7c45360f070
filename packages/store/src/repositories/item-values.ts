// The item-value repository: a form's values, and the form save (a batch of one form's values in
// one transaction) through the one item writer (item-writer.ts).
import { type Actor, writeTransaction } from '../audit/writer.js';
import type { Db } from '../database.js';
import { notFound, StoreError } from '../errors.js';
import type { ItemValueTable } from '../schema.js';
import type { FormInstance } from './forms.js';
import { ItemWriter } from './item-writer.js';
import { runCompiled } from './versioned.js';
import { forgetVisitScope, type VisitScope } from './visit-scope.js';

export type ItemValue = ItemValueTable;

export async function listItems(db: Db, formId: string): Promise<ItemValue[]> {
  return db.kysely
    .selectFrom('item_values')
    .selectAll()
    .where('form_instance_id', '=', formId)
    .orderBy('item_code')
    .execute();
}

export interface ItemWrite {
  itemCode: string;
  value: string | null;
  unit?: string | null;
  /** A missing-data code (ND, NK, NA) in place of the value, where the item allows it. */
  missingCode?: string | null;
  /** The version the client read; 0 (or absent) for a first entry. */
  expectedVersion?: number;
}

export interface SaveItemsInput {
  visitId: string;
  formCode: string;
  /** The form's record at the visit: 1, 2, … for a repeating form; absent: 1. */
  record?: number;
  items: ItemWrite[];
  /** Required when any item already had a value (ALCOA: every change after first entry says why). */
  reason?: string;
  /**
   * The scope the caller checked access and values against (from visitScope): the save is refused as
   * a conflict if the visit's scope inside the transaction differs.
   */
  expectedScope?: VisitScope;
}

export interface SaveItemsResult {
  form: FormInstance;
  items: ItemValue[];
  changed: number;
}

/**
 * Saves a batch of item values of one form in one transaction, through the one item writer
 * (item-writer.ts: missed visits, locks, versions, reasons, the text rule and the audit events). A
 * first entry needs no reason; a change of an existing value needs the version the client read and
 * a reason. Either every item is saved or none.
 */
export async function saveItems(db: Db, actor: Actor, input: SaveItemsInput): Promise<SaveItemsResult> {
  if (!actor.id) throw new StoreError('invalid', 'item values must be entered by a user');
  return writeTransaction(db, actor, async (tx, audit) => {
    const writer = new ItemWriter(
      { tx, audit, sqlite: db.sqlite, dialect: db.dialect, location: db.location },
      input.reason,
    );
    // The visit with its subject's study and site in one query; then the form and its items.
    const [visit] = await runCompiled(tx, db.dialect, 'saveItems.visit', [input.visitId], () =>
      tx
        .selectFrom('visits')
        .innerJoin('subjects', 'subjects.id', 'visits.subject_id')
        .innerJoin('studies', 'studies.id', 'subjects.study_id')
        .select([
          'visits.id',
          'visits.subject_id',
          'visits.visit_code',
          'visits.cycle',
          'visits.status',
          'subjects.study_id',
          'subjects.site_id',
          'studies.version as study_version',
        ])
        .where('visits.id', '=', input.visitId),
    );
    if (!visit) throw notFound('visit', input.visitId);
    const expected = input.expectedScope;
    if (
      expected &&
      (expected.subjectId !== visit.subject_id ||
        expected.studyId !== visit.study_id ||
        expected.siteId !== visit.site_id ||
        expected.studyVersion !== Number(visit.study_version))
    ) {
      forgetVisitScope(db, input.visitId);
      throw new StoreError(
        'conflict',
        `visit ${input.visitId} no longer belongs where it was checked (subject, study, site or study version changed): reload and retry`,
      );
    }
    const form = await writer.openForm(
      {
        id: visit.id,
        subjectId: visit.subject_id,
        studyId: visit.study_id,
        siteId: visit.site_id,
        visitCode: visit.visit_code,
        cycle: Number(visit.cycle),
        status: visit.status,
      },
      input.formCode,
      Number(visit.study_version),
      input.record ?? 1,
    );
    const seen = new Set<string>();
    let changed = 0;
    for (const [i, item] of input.items.entries()) {
      if (seen.has(item.itemCode))
        throw new StoreError('invalid', `item ${item.itemCode} appears twice in one save`, {
          field: item.itemCode,
        });
      seen.add(item.itemCode);
      if (await writer.writeItem(item, item.expectedVersion ?? 0, `items.${i}`)) changed++;
    }
    await writer.finish();
    return { form, items: writer.currentItems(), changed };
  });
}
