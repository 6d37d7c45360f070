import { type Actor, type Tx, writeTransaction } from '../audit/writer.js';
import type { Db } from '../database.js';
import { notFound, StoreError } from '../errors.js';
import type { FormInstanceTable, ItemValueTable, VisitTable } from '../schema.js';
import { ItemWriter, newVisitRecord } from './item-writer.js';
import { changedFields, loadForUpdate, runCompiled, writeVersioned } from './versioned.js';

export type Visit = VisitTable;
export type FormInstance = FormInstanceTable;
export type ItemValue = ItemValueTable;

export interface NewVisit {
  subjectId: string;
  visitCode: string;
  cycle?: number;
  visitDate?: string | null;
}

async function subjectRow(tx: Tx, subjectId: string) {
  const s = await tx
    .selectFrom('subjects')
    .select(['id', 'study_id', 'site_id'])
    .where('id', '=', subjectId)
    .executeTakeFirst();
  if (!s) throw notFound('subject', subjectId);
  return s;
}

export async function createVisit(db: Db, actor: Actor, input: NewVisit): Promise<Visit> {
  return writeTransaction(db, actor, async (tx, audit) => {
    const s = await subjectRow(tx, input.subjectId);
    const cycle = input.cycle ?? 1;
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

/** A visit with where its subject lives (study and site), in one query: what an access check needs. */
export async function getVisitWithScope(
  db: Db,
  id: string,
): Promise<(Visit & { study_id: string; site_id: string; study_version: number }) | undefined> {
  const [row] = await runCompiled(db.kysely, db.dialect, 'getVisitWithScope', [id], () =>
    db.kysely
      .selectFrom('visits')
      .innerJoin('subjects', 'subjects.id', 'visits.subject_id')
      .innerJoin('studies', 'studies.id', 'subjects.study_id')
      .selectAll('visits')
      .select(['subjects.study_id', 'subjects.site_id', 'studies.version as study_version'])
      .where('visits.id', '=', id),
  );
  return row;
}

/** Where a visit belongs, and the version of its study's definition. */
export interface VisitScope {
  subjectId: string;
  studyId: string;
  siteId: string;
  studyVersion: number;
}

const scopeCaches = new WeakMap<object, Map<string, VisitScope>>();
const SCOPE_CACHE_MAX = 10_000;
const scopeCache = (db: Db) => {
  const key = db.sqlite ?? db.kysely;
  let cache = scopeCaches.get(key);
  if (!cache) {
    cache = new Map();
    scopeCaches.set(key, cache);
  }
  return cache;
};

/**
 * The scope of a visit for the access and edit checks before a save. Cached per database: every save
 * needs it, and read outside a transaction it cost ~16 µs of a save under load (a read transaction of
 * its own). None of it changes once the visit exists (no write moves a visit to another subject or a
 * subject to another study or site, and studies are not updated), and a stale entry could still never
 * let a save through under the wrong scope: saveItems re-reads the scope inside its transaction,
 * refuses the save when it differs from `expectedScope` and drops the entry.
 */
export async function visitScope(db: Db, visitId: string): Promise<VisitScope | undefined> {
  const cache = scopeCache(db);
  const hit = cache.get(visitId);
  if (hit) return hit;
  const row = await getVisitWithScope(db, visitId);
  if (!row) return undefined;
  const scope = Object.freeze({
    subjectId: row.subject_id,
    studyId: row.study_id,
    siteId: row.site_id,
    studyVersion: Number(row.study_version),
  });
  if (cache.size >= SCOPE_CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(visitId, scope);
  return scope;
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

export async function listForms(db: Db, visitId: string): Promise<FormInstance[]> {
  return db.kysely
    .selectFrom('form_instances')
    .selectAll()
    .where('visit_id', '=', visitId)
    .orderBy('form_code')
    .execute();
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
  /** The version the client read; 0 (or absent) for a first entry. */
  expectedVersion?: number;
}

export interface SaveItemsInput {
  visitId: string;
  formCode: string;
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
    const writer = new ItemWriter({ tx, audit, sqlite: db.sqlite, dialect: db.dialect }, input.reason);
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
      scopeCache(db).delete(input.visitId);
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
    );
    const seen = new Set<string>();
    let changed = 0;
    for (const item of input.items) {
      if (seen.has(item.itemCode))
        throw new StoreError('invalid', `item ${item.itemCode} appears twice in one save`, {
          field: item.itemCode,
        });
      seen.add(item.itemCode);
      if (await writer.writeItem(item, item.expectedVersion ?? 0)) changed++;
    }
    await writer.flush();
    return { form, items: writer.currentItems(), changed };
  });
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
    } else if (status !== 'locked') {
      cols.signed_by = null;
      cols.signed_at = null;
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
    return { ...before, ...cols, version };
  });
}
