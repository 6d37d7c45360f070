import type SQLite from 'better-sqlite3';
import { type Actor, type AuditEntry, type Tx, writeTransaction } from '../audit/writer.js';
import { insertRows } from '../bulk.js';
import type { Db } from '../database.js';
import { notFound, StoreError } from '../errors.js';
import { newId } from '../ids.js';
import type { FormInstanceTable, ItemValueTable, VisitTable } from '../schema.js';
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

/**
 * A new visit's row and its audit event: the one definition of what creating a visit writes, for
 * createVisit and for bulk imports (which have checked the subject and the duplicate themselves).
 */
export function newVisitRecord(
  subject: { id: string; studyId: string; siteId: string },
  input: Omit<NewVisit, 'subjectId'> & { cycle: number },
  now: string,
): { row: Visit; event: AuditEntry } {
  const row: Visit = {
    id: newId(),
    subject_id: subject.id,
    visit_code: input.visitCode,
    cycle: input.cycle,
    visit_date: input.visitDate ?? null,
    status: 'open',
    created_at: now,
    version: 1,
  };
  return {
    row,
    event: {
      action: 'visit.create',
      entityType: 'visit',
      entityId: row.id,
      studyId: subject.studyId,
      siteId: subject.siteId,
      subjectId: subject.id,
      newValue: JSON.stringify({ visitCode: row.visit_code, cycle: input.cycle, visitDate: row.visit_date }),
    },
  };
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
 * form is refused, and while it is missed it takes neither (updateVisitDate, saveItems).
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
 * Saves a batch of item values of one form in one transaction. A first entry needs no reason; a change
 * of an existing value needs the version the client read and a reason. Signed or locked forms refuse
 * changes until unlocked. Either every item is saved or none.
 */
export async function saveItems(db: Db, actor: Actor, input: SaveItemsInput): Promise<SaveItemsResult> {
  if (!actor.id) throw new StoreError('invalid', 'item values must be entered by a user');
  const userId = actor.id;
  return writeTransaction(db, actor, async (tx, audit) => {
    // The visit with its subject's study and site in one query; then the form and its items.
    const [visit] = await runCompiled(tx, db.dialect, 'saveItems.visit', [input.visitId], () =>
      tx
        .selectFrom('visits')
        .innerJoin('subjects', 'subjects.id', 'visits.subject_id')
        .innerJoin('studies', 'studies.id', 'subjects.study_id')
        .select([
          'visits.id',
          'visits.subject_id',
          'visits.status',
          'subjects.study_id',
          'subjects.site_id',
          'studies.version as study_version',
        ])
        .where('visits.id', '=', input.visitId),
    );
    if (!visit) throw notFound('visit', input.visitId);
    if (visit.status === 'missed')
      throw new StoreError(
        'invalid',
        'this visit is declared missed: take that back (with a reason) before entering data',
        { field: 'visitId' },
      );
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
    const s = { id: visit.subject_id, study_id: visit.study_id, site_id: visit.site_id };
    let [form] = await runCompiled(tx, db.dialect, 'saveItems.form', [visit.id, input.formCode], () =>
      tx
        .selectFrom('form_instances')
        .selectAll()
        .where('visit_id', '=', visit.id)
        .where('form_code', '=', input.formCode),
    );
    const created = !form;
    if (!form) {
      form = {
        id: newId(),
        visit_id: visit.id,
        subject_id: s.id,
        form_code: input.formCode,
        status: 'incomplete',
        signed_by: null,
        signed_at: null,
        created_at: audit.now,
        version: 1,
      };
      await tx.insertInto('form_instances').values(form).execute();
      await audit.record({
        action: 'form.create',
        entityType: 'form',
        entityId: form.id,
        studyId: s.study_id,
        siteId: s.site_id,
        subjectId: s.id,
        newValue: input.formCode,
      });
    } else if (form.status === 'signed' || form.status === 'locked') {
      throw new StoreError(
        'locked',
        `form ${input.formCode} is ${form.status}: an investigator must unlock it (with a reason) before it can change`,
        { formId: form.id },
      );
    }
    // Not joined to the form: a join repeats the form's columns on every item row, which costs more
    // than the second query once a form holds a few dozen items.
    const existing: ItemValue[] = created ? [] : await formItems(db, tx, form.id);
    const byCode = new Map(existing.map((r) => [r.item_code, r]));
    const seen = new Set<string>();
    let changed = 0;
    for (const item of input.items) {
      if (seen.has(item.itemCode))
        throw new StoreError('invalid', `item ${item.itemCode} appears twice in one save`, {
          field: item.itemCode,
        });
      seen.add(item.itemCode);
      const prev = byCode.get(item.itemCode);
      const unit = item.unit ?? null;
      const scope = { studyId: s.study_id, siteId: s.site_id, subjectId: s.id };
      if (!prev) {
        if ((item.expectedVersion ?? 0) !== 0) {
          throw new StoreError(
            'conflict',
            `item ${item.itemCode} has no value yet but you sent version ${item.expectedVersion}`,
            { field: item.itemCode, currentVersion: 0 },
          );
        }
        const row: ItemValue = {
          id: newId(),
          form_instance_id: form.id,
          item_code: item.itemCode,
          value: item.value,
          unit,
          updated_at: audit.now,
          updated_by: userId,
          version: 1,
        };
        await insertRows(tx, db.sqlite, 'item_values', [row]);
        byCode.set(item.itemCode, row);
        await audit.record({
          action: 'item.enter',
          entityType: 'item',
          entityId: row.id,
          ...scope,
          field: `${input.formCode}.${item.itemCode}`,
          newValue: valueText(item.value, unit),
        });
        changed++;
        continue;
      }
      if (prev.value === item.value && prev.unit === unit) continue;
      if (item.expectedVersion === undefined || item.expectedVersion !== Number(prev.version)) {
        throw new StoreError(
          'conflict',
          `item ${item.itemCode} was changed by someone else: you read version ${item.expectedVersion ?? 0}, it is now version ${prev.version} (value ${valueText(prev.value, prev.unit)}). Reload and re-apply your change.`,
          {
            field: item.itemCode,
            expectedVersion: item.expectedVersion ?? 0,
            currentVersion: Number(prev.version),
          },
        );
      }
      if (!input.reason?.trim()) {
        throw new StoreError(
          'reason_required',
          `a reason is required to change ${item.itemCode}, which already has a value`,
          { field: 'reason', item: item.itemCode },
        );
      }
      const version = Number(prev.version) + 1;
      const res = await tx
        .updateTable('item_values')
        .set({ value: item.value, unit, updated_at: audit.now, updated_by: userId, version })
        .where('id', '=', prev.id)
        .where('version', '=', prev.version)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1)
        throw new StoreError('conflict', `item ${item.itemCode} changed while saving`, {
          field: item.itemCode,
        });
      byCode.set(item.itemCode, {
        ...prev,
        value: item.value,
        unit,
        updated_at: audit.now,
        updated_by: userId,
        version,
      });
      await audit.record({
        action: 'item.change',
        entityType: 'item',
        entityId: prev.id,
        ...scope,
        field: `${input.formCode}.${item.itemCode}`,
        oldValue: valueText(prev.value, prev.unit),
        newValue: valueText(item.value, unit),
        reason: input.reason,
      });
      changed++;
    }
    return {
      form,
      items: [...byCode.values()].sort((a, b) => a.item_code.localeCompare(b.item_code)),
      changed,
    };
  });
}

const itemStatements = new WeakMap<SQLite.Database, SQLite.Statement<[string], unknown[]>>();

/**
 * The items of a form, inside the caller's transaction. Every save reads them all (the answer is
 * the whole form), so on SQLite they come as arrays from one prepared statement on the
 * transaction's connection: better-sqlite3 building an object per row cost twice as much.
 */
async function formItems(db: Db, tx: Tx, formId: string): Promise<ItemValue[]> {
  if (!db.sqlite)
    return runCompiled(tx, db.dialect, 'saveItems.items', [formId], () =>
      tx.selectFrom('item_values').selectAll().where('form_instance_id', '=', formId),
    );
  let stmt = itemStatements.get(db.sqlite);
  if (!stmt) {
    stmt = db.sqlite
      .prepare<[string], unknown[]>(
        'select id, item_code, value, unit, updated_at, updated_by, version from item_values where form_instance_id = ?',
      )
      .raw(true);
    itemStatements.set(db.sqlite, stmt);
  }
  return stmt.all(formId).map((r) => ({
    id: r[0] as string,
    form_instance_id: formId,
    item_code: r[1] as string,
    value: r[2] as string | null,
    unit: r[3] as string | null,
    updated_at: r[4] as string,
    updated_by: r[5] as string,
    version: r[6] as number,
  }));
}

function valueText(value: string | null, unit: string | null): string | null {
  if (value === null) return null;
  return unit ? `${value} ${unit}` : value;
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
