// The visit repository: a subject's visits, their dates and the missed-visit declaration, each
// change audited in its transaction. Forms are forms.ts, item values item-values.ts, where a visit
// belongs (and its cache) visit-scope.ts.
import { visitOpeningRefusal } from '@msct/core/protocol';
import { type Actor, writeTransaction } from '../audit/writer.js';
import type { Db } from '../database.js';
import { notFound, StoreError } from '../errors.js';
import type { VisitTable } from '../schema.js';
import { entryDefinition, refuseEntry } from './entry-definition.js';
import { newVisitRecord } from './item-writer.js';
import { changedFields, loadForUpdate, writeVersioned } from './versioned.js';
import { subjectRow } from './visit-scope.js';

export type Visit = VisitTable;

export interface NewVisit {
  subjectId: string;
  visitCode: string;
  cycle?: number;
  visitDate?: string | null;
  /** Why the visit is opened (required by the API for an unscheduled visit); kept in the audit trail. */
  reason?: string;
}

export async function createVisit(db: Db, actor: Actor, input: NewVisit): Promise<Visit> {
  return writeTransaction(db, actor, async (tx, audit) => {
    const s = await subjectRow(tx, input.subjectId);
    const cycle = input.cycle ?? 1;
    // Only a visit of the definition's schedule, or UNSCHEDULED with a reason (entry-definition.ts).
    const entry = await entryDefinition(tx, db.location, s.study_id);
    refuseEntry(visitOpeningRefusal(entry.definition, entry.studyCode, { ...input, cycle }), {
      visitCode: input.visitCode,
      cycle,
    });
    const dup = await tx
      .selectFrom('visits')
      .select('id')
      .where('subject_id', '=', s.id)
      .where('visit_code', '=', input.visitCode)
      .where('cycle', '=', cycle)
      .executeTakeFirst();
    if (dup)
      throw new StoreError(
        'duplicate',
        `visit ${input.visitCode} (cycle ${cycle}) already exists for this subject`,
        { field: 'visitCode', id: dup.id },
      );
    const { row, event } = newVisitRecord(
      { id: s.id, studyId: s.study_id, siteId: s.site_id },
      { ...input, cycle },
      audit.now,
    );
    await tx.insertInto('visits').values(row).execute();
    await audit.record(event);
    return row;
  });
}

export async function updateVisitDate(
  db: Db,
  actor: Actor,
  visitId: string,
  expectedVersion: number,
  visitDate: string | null,
  reason?: string,
): Promise<Visit> {
  return writeTransaction(db, actor, async (tx, audit) => {
    const before = await loadForUpdate(tx, 'visits', visitId, expectedVersion, 'visit');
    if (visitDate !== null && before.status === 'missed')
      throw new StoreError(
        'invalid',
        `visit ${before.visit_code} is declared missed: take that back (with a reason) before giving it a date`,
        { field: 'visitDate' },
      );
    const s = await subjectRow(tx, before.subject_id);
    const diffs = changedFields(before, { visit_date: visitDate });
    if (diffs.length === 0) return before;
    if (before.visit_date !== null && !reason?.trim())
      throw new StoreError('reason_required', 'a reason is required to change a recorded visit date', {
        field: 'reason',
      });
    const version = await writeVersioned(
      tx,
      'visits',
      visitId,
      expectedVersion,
      { visit_date: visitDate },
      'visit',
    );
    await audit.record(
      diffs.map((d) => ({
        action: 'visit.update',
        entityType: 'visit',
        entityId: visitId,
        studyId: s.study_id,
        siteId: s.site_id,
        subjectId: s.id,
        ...d,
        reason: reason ?? null,
      })),
    );
    return { ...before, visit_date: visitDate, version };
  });
}

/**
 * Declares a visit missed (not done) or takes that back, with a reason either way (audited as a
 * change of the visit's status). A missed visit has no date and no data: one with a date or any
 * form is refused, and while it is missed it takes neither (updateVisitDate, the item writer).
 */
export async function setVisitMissed(
  db: Db,
  actor: Actor,
  visitId: string,
  expectedVersion: number,
  missed: boolean,
  reason: string,
): Promise<Visit> {
  if (!reason.trim())
    throw new StoreError(
      'reason_required',
      'a reason is required to declare a visit missed or to take it back',
      {
        field: 'reason',
      },
    );
  return writeTransaction(db, actor, async (tx, audit) => {
    const before = await loadForUpdate(tx, 'visits', visitId, expectedVersion, 'visit');
    const status = missed ? 'missed' : 'open';
    if (before.status === status) return before;
    if (missed && before.visit_date !== null)
      throw new StoreError(
        'invalid',
        `visit ${before.visit_code} took place on ${before.visit_date}: clear its date (with a reason) before declaring it missed`,
        { field: 'missed' },
      );
    if (missed) {
      const form = await tx
        .selectFrom('form_instances')
        .select('form_code')
        .where('visit_id', '=', visitId)
        .executeTakeFirst();
      if (form)
        throw new StoreError(
          'invalid',
          `visit ${before.visit_code} has data (form ${form.form_code}): a visit with data was not missed`,
          { field: 'missed' },
        );
    }
    const s = await subjectRow(tx, before.subject_id);
    const version = await writeVersioned(tx, 'visits', visitId, expectedVersion, { status }, 'visit');
    await audit.record({
      action: missed ? 'visit.missed' : 'visit.reopen',
      entityType: 'visit',
      entityId: visitId,
      studyId: s.study_id,
      siteId: s.site_id,
      subjectId: s.id,
      field: 'status',
      oldValue: before.status,
      newValue: status,
      reason,
    });
    return { ...before, status, version };
  });
}

export async function getVisit(db: Db, id: string): Promise<Visit> {
  const row = await db.kysely.selectFrom('visits').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('visit', id);
  return row;
}

export async function listVisits(db: Db, subjectId: string): Promise<Visit[]> {
  return db.kysely
    .selectFrom('visits')
    .selectAll()
    .where('subject_id', '=', subjectId)
    .orderBy('cycle')
    .orderBy('visit_date')
    .orderBy('created_at')
    .execute();
}
