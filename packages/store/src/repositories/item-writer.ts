// The one audited writer of item values. Every path that puts a value on a form goes through it: a
// form save (saveItems: the PUT form route, the demo loader, tests) and the bulk imports (CSV, ODM:
// ItemWriter.forImport). A rule about writing an item value is written here once and holds for all:
// - a missed visit takes no data; a signed or locked form takes no change; a frozen or locked
//   study, site or subject takes none (record-locks.ts);
// - a value must be text both dialects store and read back unchanged (no lone surrogate, no NUL);
// - a first value is an audited entry (version 1); an equal value is left alone; a different value
//   is a change that needs a reason and names the version it was based on (a stale one is refused
//   as a conflict), is written guarded by that version and bumps it, with an audited change event
//   (who and when from the transaction, why from the reason, old and new value);
// - a new form (and, for imports, a new visit) is created with its own audit event;
// - a form is keyed by (visit, form, record): a repeating form (the definition's `repeating`, issues
//   #20/#23) holds records 1, 2, … at a visit, any other form only record 1 (`form-not-repeating`);
// - a value entered or changed on a form that a monitor verified clears that verification and marks
//   the form changed since its review, audited, in the same transaction (form-reviews.ts);
// - entry follows the study definition (entry-definition.ts, core protocol/entry-rules.ts): a visit
//   only of the schedule, or UNSCHEDULED with a reason (an import's own reason, e.g. "imported from
//   CSV", is that reason and is recorded on the visit's audit event); a form only where the
//   definition collects it; an item only if the form has it. An ad-hoc study ({}) takes any code.
// - at commit (finish), the study definition's edit checks that read an entered or changed item are
//   run (edit-check-queries.ts): a broken one raises one system query, a passing one closes it.
// - a missing-data code (ND/NK/NA, migration 013) stands in place of a value only where the item's
//   definition allows it, never with a value; it is entered, changed and audited like a value.
// It runs inside the caller's transaction: many values per call, rows inserted in batches, and for
// imports a subject's visits and forms are read once, so a million values stay cheap.

import {
  hiddenWithValues,
  MISSING_CODE_LABELS,
  type MissingCode,
  missingCodeRefusal,
  showIfItems,
  showIfText,
} from '@msct/core/crf';
import {
  formEntryRefusal,
  formRecordRefusal,
  UNSCHEDULED_VISIT_CODE,
  visitOpeningRefusal,
} from '@msct/core/protocol';
import type SQLite from 'better-sqlite3';
import type { Actor, AuditEntry, AuditWriter, Tx } from '../audit/writer.js';
import { insertRows } from '../bulk.js';
import type { Db, Dialect } from '../database.js';
import { StoreError } from '../errors.js';
import { newId } from '../ids.js';
import type { FormInstanceTable, ItemValueTable, VisitTable } from '../schema.js';
import { type EditCheckRun, type EditCheckTouch, runEditChecks } from './edit-check-queries.js';
import { type EntryDefinition, entryDefinition, refuseEntry, refuseUnknownItem } from './entry-definition.js';
import { touchFormReview } from './form-reviews.js';
import { clearItemVerification, verifiedItems } from './item-verifications.js';
import { refuseRecordLock } from './record-locks.js';
import { runCompiled } from './versioned.js';
import { refuseLocked, refuseMissed, refuseUnstorable } from './write-refusals.js';

/** The transaction a writer writes in. */
export interface WriteContext {
  tx: Tx;
  audit: AuditWriter;
  /** SQLite: the handle `tx` runs on (prepared statements join its transaction). */
  sqlite?: SQLite.Database;
  dialect: Dialect;
  /** The database's location (Db.location): the key of the definitions read once per study version. */
  location: string;
}

/** A visit about to take values, with where its subject lives. */
export interface WritableVisit {
  id: string;
  subjectId: string;
  studyId: string;
  siteId: string;
  visitCode: string;
  cycle: number;
  status: string;
}

/** One item value to write. */
export interface ItemValueWrite {
  itemCode: string;
  value: string | null;
  unit?: string | null;
  /** A missing-data code in place of the value (value and unit then null). */
  missingCode?: string | null;
}

/**
 * The version a change is based on: the one the client read (0 for a first entry), or 'current' for
 * an import, which names none and is applied to the value as this transaction reads it.
 */
export type BasedOn = number | 'current';

/** One imported value: where it goes (the visit is created if the subject does not have it yet). */
export interface ImportValue {
  subjectId: string;
  siteId: string;
  visitCode: string;
  cycle: number;
  visitDate?: string | null;
  formCode: string;
  /** The form's record at the visit (a repeating form's 1, 2, …); absent: 1. */
  record?: number;
  itemCode: string;
  value: string | null;
  unit: string | null;
  /** A missing-data code in place of the value (an ODM import's ItemData Flag). */
  missingCode?: string | null;
}

export interface WriteCounts {
  entered: number;
  changed: number;
  unchanged: number;
  visitsCreated: number;
  formsCreated: number;
}

const INSERT_BATCH = 500;

/**
 * A new visit's row and its audit event: the one definition of what creating a visit writes, for
 * createVisit and for imports (which have checked the subject and the duplicate themselves).
 */
export function newVisitRecord(
  subject: { id: string; studyId: string; siteId: string },
  input: { visitCode: string; cycle: number; visitDate?: string | null; reason?: string },
  now: string,
  /** The study definition version the visit is opened under. */
  definitionVersion: number,
): { row: VisitTable; event: AuditEntry } {
  const row: VisitTable = {
    id: newId(),
    subject_id: subject.id,
    visit_code: input.visitCode,
    cycle: input.cycle,
    visit_date: input.visitDate ?? null,
    status: 'open',
    created_at: now,
    version: 1,
    definition_version: definitionVersion,
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
      ...(input.reason ? { reason: input.reason } : {}),
    },
  };
}

/**
 * What a `form.create` audit event records as its new value: the form code, and for a record after the
 * first its number (`conmed record 2`); events written before migration 024 are record 1
 * (verify-data.ts reads both with `formCreateValue`).
 */
export function formCreateText(formCode: string, record: number): string {
  return record === 1 ? formCode : `${formCode} record ${record}`;
}

/** The form code and record a `form.create` event's new value names (formCreateText's inverse). */
export function formCreateValue(text: string | null): { formCode: string | null; record: number } {
  const m = text === null ? null : /^(.+) record ([1-9]\d*)$/.exec(text);
  return m ? { formCode: m[1]!, record: Number(m[2]) } : { formCode: text, record: 1 };
}

/** A value as the audit trail shows it; a missing-data code as its words, e.g. `[ND: not done]`. */
export function valueText(
  value: string | null,
  unit: string | null,
  missingCode?: string | null,
): string | null {
  if (missingCode)
    return `[${missingCode}: ${MISSING_CODE_LABELS[missingCode as MissingCode] ?? missingCode}]`;
  if (value === null) return null;
  return unit ? `${value} ${unit}` : value;
}

export class ItemWriter {
  readonly counts: WriteCounts = { entered: 0, changed: 0, unchanged: 0, visitsCreated: 0, formsCreated: 0 };
  private readonly userId: string;
  private pending: ItemValueTable[] = [];
  /** The form being written and its items (only one form is held in memory). */
  private form: FormInstanceTable | undefined;
  private visit: WritableVisit | undefined;
  private items = new Map<string, ItemValueTable>();
  // Imports: a subject's visits and forms, read once when its first value comes.
  private readonly loaded = new Set<string>();
  private readonly visits = new Map<string, WritableVisit>();
  private readonly forms = new Map<string, FormInstanceTable>();
  private formKey = '';
  /** The definition entry follows (read on the first value of a study). */
  private entry: EntryDefinition | undefined;
  /** Subjects found under no freeze or lock in this transaction (asked once per subject). */
  private readonly unlocked = new Set<string>();
  /**
   * Forms whose review this writer has already touched, or created (a new form has no review): a
   * form's verification is cleared once per writer, not once per value. The value: the items of the
   * form verified on their own (migration 017), read only when the form has a review row (an item
   * mark makes one), null when none — so a form never reviewed costs no more reads.
   */
  private readonly reviewTouched = new Map<string, Set<string> | null>();
  /** Where each item of the open form sits in the caller's input (`items.2`), for a refusal's field. */
  private atOf = new Map<string, string>();
  /** The items entered or changed, by subject and form: the edit checks finish() runs. */
  private readonly touched = new Map<string, EditCheckTouch>();

  constructor(
    private readonly ctx: WriteContext,
    /** Why existing values change (required as soon as one does). */
    private readonly reason?: string,
    /** Imports: the study the imported subjects belong to. */
    private readonly studyId = '',
  ) {
    const actor: Actor = ctx.audit.actor;
    if (!actor.id) throw new StoreError('invalid', 'item values must be entered by a user');
    this.userId = actor.id;
  }

  /** A writer for a bulk import into `studyId`, inside the transaction `db` is in (inTransaction). */
  static forImport(db: Db, studyId: string, reason: string): ItemWriter {
    if (!db.current) throw new Error('an import writes inside one transaction (inTransaction)');
    const { tx, audit } = db.current;
    return new ItemWriter(
      { tx, audit, sqlite: db.sqlite, dialect: db.dialect, location: db.location },
      reason,
      studyId,
    );
  }

  /**
   * The study definition entry follows. `knownVersion`: the study's version as the caller just read
   * it (no query when the cached definition has it).
   */
  private async definition(studyId: string, knownVersion?: number): Promise<EntryDefinition> {
    if (!this.entry)
      this.entry = await entryDefinition(this.ctx.tx, this.ctx.location, studyId, knownVersion);
    return this.entry;
  }

  /** The definition version new rows record (read with the definition before any row is written). */
  private definitionVersion(): number {
    if (!this.entry) throw new Error('ItemWriter: the study definition is read before anything is written');
    return this.entry.definitionVersion;
  }

  /**
   * Opens the form `formCode` of `visit` for writing, creating it if the visit has none. Refused on
   * a form the definition does not collect at the visit, on a missed visit and on a signed or locked
   * form. `studyVersion`: the study's version as the caller read it with the visit. `record`: the
   * form's record at the visit (above 1 only for a repeating form).
   */
  async openForm(
    visit: WritableVisit,
    formCode: string,
    studyVersion?: number,
    record = 1,
  ): Promise<FormInstanceTable> {
    const { tx, dialect } = this.ctx;
    const entry = await this.definition(visit.studyId, studyVersion);
    const target = { visitCode: visit.visitCode, cycle: visit.cycle, formCode };
    refuseEntry(formEntryRefusal(entry.definition, entry.studyCode, formCode, visit.visitCode), target);
    refuseEntry(formRecordRefusal(entry.definition, entry.studyCode, formCode, record), target);
    refuseMissed(visit);
    const [form] = await runCompiled(tx, dialect, 'itemWriter.form', [visit.id, formCode, record], () =>
      tx
        .selectFrom('form_instances')
        .selectAll()
        .where('visit_id', '=', visit.id)
        .where('form_code', '=', formCode)
        .where('record', '=', record),
    );
    return this.enterForm(visit, formCode, form, record);
  }

  /** The items of the open form, by item code, as written so far. */
  currentItems(): ItemValueTable[] {
    return [...this.items.values()].sort((a, b) => a.item_code.localeCompare(b.item_code));
  }

  /**
   * Writes one value on the open form. Returns whether it changed anything (an equal value does not).
   * `at`: where the value sits in the caller's input (`items.2` in a form save), for a refusal's field.
   */
  async writeItem(item: ItemValueWrite, basedOn: BasedOn, at?: string): Promise<boolean> {
    const form = this.form;
    const visit = this.visit;
    if (!form || !visit) throw new Error('ItemWriter.writeItem: no form is open');
    const { audit } = this.ctx;
    const unit = item.unit ?? null;
    if (this.entry)
      refuseUnknownItem(
        this.entry,
        { visitCode: visit.visitCode, cycle: visit.cycle, formCode: form.form_code, itemCode: item.itemCode },
        at ? `${at}.itemCode` : 'itemCode',
      );
    refuseUnstorable(item.itemCode, item.value, unit);
    this.atOf.set(item.itemCode, at ?? '');
    const missing = item.missingCode ?? null;
    if (missing !== null) {
      const why = missingCodeRefusal(
        this.entry?.forms.get(form.form_code),
        item.itemCode,
        missing,
        item.value,
      );
      if (why) throw new StoreError('invalid', why, { field: at ? `${at}.missingCode` : 'missingCode' });
      if (unit !== null)
        throw new StoreError('invalid', `${item.itemCode}: a missing-data code takes no unit`, {
          field: at ? `${at}.unit` : 'unit',
        });
    }
    const scope = { studyId: visit.studyId, siteId: visit.siteId, subjectId: visit.subjectId };
    const field = `${form.form_code}.${item.itemCode}`;
    const prev = this.items.get(item.itemCode);
    if (!prev) {
      if (basedOn !== 'current' && basedOn !== 0)
        throw new StoreError(
          'conflict',
          `item ${item.itemCode} has no value yet but you sent version ${basedOn}`,
          { field: item.itemCode, currentVersion: 0 },
        );
      const row: ItemValueTable = {
        id: newId(),
        form_instance_id: form.id,
        item_code: item.itemCode,
        value: item.value,
        unit,
        updated_at: audit.now,
        updated_by: this.userId,
        version: 1,
        definition_version: this.definitionVersion(),
        missing_code: missing,
      };
      this.pending.push(row);
      this.items.set(item.itemCode, row);
      await audit.record({
        action: 'item.enter',
        entityType: 'item',
        entityId: row.id,
        ...scope,
        field,
        newValue: valueText(item.value, unit, missing),
      });
      await this.formValueChanged(form, scope, field, item.itemCode);
      this.touch(scope, form.form_code, item.itemCode);
      this.counts.entered++;
      if (this.pending.length >= INSERT_BATCH) await this.flush();
      return true;
    }
    if (prev.value === item.value && prev.unit === unit && (prev.missing_code ?? null) === missing) {
      this.counts.unchanged++;
      return false;
    }
    const current = Number(prev.version);
    if (basedOn !== 'current' && basedOn !== current)
      throw new StoreError(
        'conflict',
        `item ${item.itemCode} was changed by someone else: you read version ${basedOn}, it is now version ${current} (value ${valueText(prev.value, prev.unit, prev.missing_code)}). Reload and re-apply your change.`,
        { field: item.itemCode, expectedVersion: basedOn, currentVersion: current },
      );
    if (!this.reason?.trim())
      throw new StoreError(
        'reason_required',
        `a reason is required to change ${item.itemCode}, which already has a value`,
        { field: 'reason', item: item.itemCode },
      );
    // The row may still be waiting in the batch (an import naming one item twice).
    await this.flush();
    const version = current + 1;
    // A changed value is bound to the version it is now entered under.
    const definition_version = this.definitionVersion();
    const res = await this.ctx.tx
      .updateTable('item_values')
      .set({
        value: item.value,
        unit,
        updated_at: audit.now,
        updated_by: this.userId,
        version,
        definition_version,
        missing_code: missing,
      })
      .where('id', '=', prev.id)
      .where('version', '=', current)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1)
      throw new StoreError('conflict', `item ${item.itemCode} changed while saving`, {
        field: item.itemCode,
      });
    this.items.set(item.itemCode, {
      ...prev,
      value: item.value,
      unit,
      updated_at: audit.now,
      updated_by: this.userId,
      version,
      definition_version,
      missing_code: missing,
    });
    await audit.record({
      action: 'item.change',
      entityType: 'item',
      entityId: prev.id,
      ...scope,
      field,
      oldValue: valueText(prev.value, prev.unit, prev.missing_code),
      newValue: valueText(item.value, unit, missing),
      reason: this.reason,
    });
    await this.formValueChanged(form, scope, field, item.itemCode);
    this.touch(scope, form.form_code, item.itemCode);
    this.counts.changed++;
    return true;
  }

  /**
   * A value of an existing form was entered or changed: its source verification no longer holds, nor
   * the verification of that one item.
   */
  private async formValueChanged(
    form: FormInstanceTable,
    scope: { studyId: string; siteId: string; subjectId: string },
    field: string,
    itemCode: string,
  ): Promise<void> {
    let verified = this.reviewTouched.get(form.id);
    if (verified === undefined) {
      const reviewed = await touchFormReview(this.ctx.tx, this.ctx.audit, form.id, scope, field);
      verified = reviewed ? await verifiedItems(this.ctx.tx, form.id) : null;
      this.reviewTouched.set(form.id, verified);
    }
    if (verified?.has(itemCode)) {
      verified.delete(itemCode);
      await clearItemVerification(this.ctx.tx, this.ctx.audit, form.id, itemCode, scope, field);
    }
  }

  private touch(
    scope: { studyId: string; siteId: string; subjectId: string },
    formCode: string,
    itemCode: string,
  ): void {
    let t = this.touched.get(scope.subjectId);
    if (!t) {
      t = { ...scope, changed: new Map() };
      this.touched.set(scope.subjectId, t);
    }
    let items = t.changed.get(formCode);
    if (!items) {
      items = new Set();
      t.changed.set(formCode, items);
    }
    items.add(itemCode);
  }

  /**
   * The commit of the write, called once at the end in the caller's transaction: writes the batched
   * inserts, then runs the study definition's edit checks on what was entered or changed.
   */
  async finish(): Promise<EditCheckRun> {
    this.refuseHiddenValues();
    await this.flush();
    const touched = [...this.touched.values()];
    this.touched.clear();
    if (!this.entry || touched.length === 0) return { raised: 0, closed: 0 };
    return runEditChecks(this.ctx.tx, this.ctx.audit, this.entry.definition, touched);
  }

  /**
   * Branching logic (issue #20, crf/show-if.ts): the open form is refused when one of its items holds
   * a value or a missing-data code while its `showIf` does not hold, whichever of the two this write
   * changed (a value for a hidden item, or a change that hides an item holding one). Asked once the
   * form's writes are done (finish, or an import moving on to another form), so the order of the
   * items in a save does not matter.
   */
  private refuseHiddenValues(): void {
    const form = this.form;
    if (!form || !this.entry) return;
    const def = this.entry.forms.get(form.form_code);
    if (!def?.items.some((i) => i.showIf)) return;
    const held = new Map(
      [...this.items].map(([code, r]) => [code, { value: r.value, missingCode: r.missing_code ?? null }]),
    );
    const hidden = hiddenWithValues(def.items, held);
    if (hidden.length === 0) return;
    const h = hidden[0]!;
    const controlling = showIfItems(h.condition).find((c) => this.atOf.has(c));
    const at = this.atOf.get(h.code) ?? (controlling ? this.atOf.get(controlling) : undefined);
    throw hiddenItemError(form.form_code, h, this.atOf.has(h.code), at ? `${at}.value` : h.code);
  }

  /** Writes the batched inserts; call at the end (the writer calls it before it reads or updates). */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    await insertRows(this.ctx.tx, this.ctx.sqlite, 'item_values', rows);
  }

  /** Imports: writes one value, finding or creating its visit and form. */
  async write(v: ImportValue): Promise<void> {
    const entry = await this.definition(this.studyId);
    const visit = await this.visitFor(v);
    const record = v.record ?? 1;
    const key = `${visit.id}|${v.formCode}|${record}`;
    if (key !== this.formKey) {
      // Until the form is entered, no form is the open one (a refused form leaves none open).
      this.formKey = '';
      refuseEntry(formEntryRefusal(entry.definition, entry.studyCode, v.formCode, v.visitCode), targetOf(v));
      refuseEntry(formRecordRefusal(entry.definition, entry.studyCode, v.formCode, record), targetOf(v));
      refuseMissed(visit);
      const form = await this.enterForm(visit, v.formCode, this.forms.get(key), record);
      this.forms.set(key, form);
      this.formKey = key;
    }
    await this.writeItem(v, 'current');
  }

  /**
   * Imports: why `write(v)` would be refused, without writing anything: the same rule functions the
   * write runs (the definition's entry rules, a missed visit, a signed or locked form, text that
   * cannot be stored), against the
   * subject's visits and forms as this transaction sees them. An import asks before it writes a row,
   * so a row is written whole or not at all, and a dry run refuses exactly what the write refuses.
   */
  async refusal(v: ImportValue): Promise<StoreError | undefined> {
    try {
      const entry = await this.definition(this.studyId);
      await this.loadSubject(v);
      const visit = this.visits.get(`${v.subjectId}|${v.visitCode}|${v.cycle}`);
      await this.refuseRecordLock({ studyId: this.studyId, siteId: v.siteId, subjectId: v.subjectId });
      if (!visit) refuseEntry(this.visitOpeningRefusal(entry, v), { visitCode: v.visitCode, cycle: v.cycle });
      refuseEntry(formEntryRefusal(entry.definition, entry.studyCode, v.formCode, v.visitCode), targetOf(v));
      refuseEntry(
        formRecordRefusal(entry.definition, entry.studyCode, v.formCode, v.record ?? 1),
        targetOf(v),
      );
      refuseUnknownItem(entry, { ...targetOf(v), itemCode: v.itemCode });
      refuseUnstorable(v.itemCode, v.value, v.unit);
      if (v.missingCode) {
        const why = missingCodeRefusal(entry.forms.get(v.formCode), v.itemCode, v.missingCode, v.value);
        if (why) throw new StoreError('invalid', why, { field: 'missingCode' });
      }
      if (!visit) return undefined; // a visit the import creates: it has no form yet
      refuseMissed(visit);
      const form = this.forms.get(`${visit.id}|${v.formCode}|${v.record ?? 1}`);
      if (form) refuseLocked(visit, v.formCode, form);
      return undefined;
    } catch (e) {
      if (e instanceof StoreError) return e;
      throw e;
    }
  }

  /** Imports: the codes of the forms with branching logic (`showIf` items); none, nothing to ask. */
  async branchingFormCodes(): Promise<ReadonlySet<string>> {
    const entry = await this.definition(this.studyId);
    return new Set([...entry.forms].filter(([, f]) => f.items.some((it) => it.showIf)).map(([code]) => code));
  }

  /**
   * Imports: the values branching logic refuses (rule `item-hidden`, crf/show-if.ts), asked before
   * anything is written so that an import lists them per row like its other refusals (the form's
   * own check in `finish` would refuse the whole import). `values` are everything the import brings
   * to the forms it writes; each form with a `showIf` item is judged on what it holds in this
   * transaction overlaid with what the import brings. A value for an item that stays hidden is
   * refused; a value that hides an item already holding one is refused at the controlling value.
   * Returns the refusal by index into `values`.
   */
  async hiddenItemRefusals(values: readonly ImportValue[]): Promise<Map<number, StoreError>> {
    const out = new Map<number, StoreError>();
    const entry = await this.definition(this.studyId);
    const groups = new Map<string, number[]>();
    values.forEach((v, i) => {
      if (!entry.forms.get(v.formCode)?.items.some((it) => it.showIf)) return;
      const key = `${v.subjectId}|${v.visitCode}|${v.cycle}|${v.formCode}|${v.record ?? 1}`;
      const g = groups.get(key);
      if (g) g.push(i);
      else groups.set(key, [i]);
    });
    for (const indexes of groups.values()) {
      const first = values[indexes[0]!]!;
      const def = entry.forms.get(first.formCode)!;
      await this.loadSubject(first);
      const visit = this.visits.get(`${first.subjectId}|${first.visitCode}|${first.cycle}`);
      const form = visit ? this.forms.get(`${visit.id}|${first.formCode}|${first.record ?? 1}`) : undefined;
      const held = new Map<string, { value: string | null; missingCode: string | null }>();
      if (form)
        for (const r of await this.formItems(form.id))
          held.set(r.item_code, { value: r.value, missingCode: r.missing_code ?? null });
      const at = new Map<string, number>();
      for (const i of indexes) {
        const v = values[i]!;
        held.set(v.itemCode, {
          value: v.value === null || v.value === '' ? null : v.value,
          missingCode: v.missingCode ?? null,
        });
        at.set(v.itemCode, i);
      }
      for (const h of hiddenWithValues(def.items, held)) {
        const own = at.get(h.code);
        const targets =
          own !== undefined
            ? [own]
            : showIfItems(h.condition).flatMap((c) => (at.has(c) ? [at.get(c)!] : []));
        for (const i of targets) out.set(i, hiddenItemError(first.formCode, h, own !== undefined, 'value'));
      }
    }
    return out;
  }

  /** Imports: the rule for a visit the import opens; its own reason is an unscheduled visit's. */
  private visitOpeningRefusal(entry: EntryDefinition, v: ImportValue) {
    return visitOpeningRefusal(entry.definition, entry.studyCode, {
      visitCode: v.visitCode,
      cycle: v.cycle,
      ...(this.reason ? { reason: this.reason } : {}),
    });
  }

  private async enterForm(
    visit: WritableVisit,
    formCode: string,
    form: FormInstanceTable | undefined,
    record: number,
  ): Promise<FormInstanceTable> {
    // The form written so far is done: its branching logic is asked before another is opened.
    this.refuseHiddenValues();
    this.atOf = new Map();
    if (form) refuseLocked(visit, formCode, form);
    await this.refuseRecordLock(visit);
    await this.flush();
    this.visit = visit;
    this.items = new Map();
    if (form) {
      for (const r of await this.formItems(form.id)) this.items.set(r.item_code, r);
      this.form = form;
      return form;
    }
    const created: FormInstanceTable = {
      id: newId(),
      visit_id: visit.id,
      subject_id: visit.subjectId,
      form_code: formCode,
      status: 'incomplete',
      signed_by: null,
      signed_at: null,
      signature_meaning: null,
      created_at: this.ctx.audit.now,
      version: 1,
      definition_version: this.definitionVersion(),
      record,
    };
    await insertRows(this.ctx.tx, this.ctx.sqlite, 'form_instances', [created]);
    await this.ctx.audit.record({
      action: 'form.create',
      entityType: 'form',
      entityId: created.id,
      studyId: visit.studyId,
      siteId: visit.siteId,
      subjectId: visit.subjectId,
      newValue: formCreateText(formCode, record),
    });
    this.counts.formsCreated++;
    this.reviewTouched.set(created.id, null);
    this.form = created;
    return created;
  }

  /** A frozen or locked study, site or subject takes no value (asked once per subject and transaction). */
  private async refuseRecordLock(where: {
    studyId: string;
    siteId: string;
    subjectId: string;
  }): Promise<void> {
    if (this.unlocked.has(where.subjectId)) return;
    await refuseRecordLock(this.ctx.tx, this.ctx.dialect, where, 'entering data', {
      sqlite: this.ctx.sqlite,
    });
    this.unlocked.add(where.subjectId);
  }

  /** Imports: reads a subject's visits and forms once, when its first value comes. */
  private async loadSubject(v: ImportValue): Promise<void> {
    if (this.loaded.has(v.subjectId)) return;
    const { tx } = this.ctx;
    const rows = await tx
      .selectFrom('visits')
      .select(['id', 'visit_code', 'cycle', 'status'])
      .where('subject_id', '=', v.subjectId)
      .execute();
    for (const r of rows)
      this.visits.set(`${v.subjectId}|${r.visit_code}|${Number(r.cycle)}`, {
        id: r.id,
        subjectId: v.subjectId,
        studyId: this.studyId,
        siteId: v.siteId,
        visitCode: r.visit_code,
        cycle: Number(r.cycle),
        status: r.status,
      });
    const forms = await tx
      .selectFrom('form_instances')
      .selectAll()
      // By visit, not subject_id: form_instances is indexed on (visit_id, form_code, record).
      .where('visit_id', 'in', (q) =>
        q.selectFrom('visits').select('id').where('subject_id', '=', v.subjectId),
      )
      .execute();
    for (const f of forms) this.forms.set(`${f.visit_id}|${f.form_code}|${Number(f.record)}`, f);
    this.loaded.add(v.subjectId);
  }

  /** Imports: the visit a value goes to, creating it (audited) if the subject has none yet. */
  private async visitFor(v: ImportValue): Promise<WritableVisit> {
    const { tx } = this.ctx;
    await this.loadSubject(v);
    const key = `${v.subjectId}|${v.visitCode}|${v.cycle}`;
    const hit = this.visits.get(key);
    if (hit) return hit;
    refuseEntry(this.visitOpeningRefusal(await this.definition(this.studyId), v), {
      visitCode: v.visitCode,
      cycle: v.cycle,
    });
    await this.refuseRecordLock({ studyId: this.studyId, siteId: v.siteId, subjectId: v.subjectId });
    const unscheduled = v.visitCode === UNSCHEDULED_VISIT_CODE && this.reason?.trim();
    const { row, event } = newVisitRecord(
      { id: v.subjectId, studyId: this.studyId, siteId: v.siteId },
      {
        visitCode: v.visitCode,
        cycle: v.cycle,
        visitDate: v.visitDate ?? null,
        ...(unscheduled ? { reason: this.reason } : {}),
      },
      this.ctx.audit.now,
      this.definitionVersion(),
    );
    await insertRows(tx, this.ctx.sqlite, 'visits', [row]);
    await this.ctx.audit.record(event);
    this.counts.visitsCreated++;
    const visit: WritableVisit = {
      id: row.id,
      subjectId: v.subjectId,
      studyId: this.studyId,
      siteId: v.siteId,
      visitCode: v.visitCode,
      cycle: v.cycle,
      status: row.status,
    };
    this.visits.set(key, visit);
    return visit;
  }

  /**
   * The items of a form, inside the transaction. On SQLite they come as arrays from one prepared
   * statement on the transaction's connection: better-sqlite3 building an object per row cost twice
   * as much, and every form save reads them all (its answer is the whole form).
   */
  private async formItems(formId: string): Promise<ItemValueTable[]> {
    const { tx, sqlite, dialect } = this.ctx;
    if (!sqlite)
      return runCompiled(tx, dialect, 'itemWriter.items', [formId], () =>
        tx.selectFrom('item_values').selectAll().where('form_instance_id', '=', formId),
      );
    let stmt = itemStatements.get(sqlite);
    if (!stmt) {
      stmt = sqlite
        .prepare<[string], unknown[]>(
          'select id, item_code, value, unit, updated_at, updated_by, version, definition_version, missing_code from item_values where form_instance_id = ?',
        )
        .raw(true);
      itemStatements.set(sqlite, stmt);
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
      definition_version: r[7] as number,
      missing_code: r[8] as string | null,
    }));
  }
}

/** The visit and form an imported value goes to, as a refusal names them. */
const targetOf = (v: ImportValue) => ({ visitCode: v.visitCode, cycle: v.cycle, formCode: v.formCode });

const itemStatements = new WeakMap<SQLite.Database, SQLite.Statement<[string], unknown[]>>();

/**
 * The refusal of branching logic (rule `item-hidden`): `own`, the value is the hidden item's own;
 * otherwise the value would hide an item that holds one. One wording for form saves and imports.
 */
function hiddenItemError(
  formCode: string,
  h: ReturnType<typeof hiddenWithValues>[number],
  own: boolean,
  field: string,
): StoreError {
  return new StoreError(
    'invalid',
    `${h.label} (${formCode}.${h.code}) is asked only when ${showIfText(h.condition)}: ` +
      (own
        ? 'it takes no value while that does not hold'
        : 'it holds a value that would be hidden; clear it first (with a reason)'),
    { field, rule: 'item-hidden', item: h.code },
  );
}
