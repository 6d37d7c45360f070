// Writes imported item values inside one bulk transaction, with the same rules as entry in the UI
// (store/src/repositories/visits.ts saveItems): a first value is an audited entry; a different value
// for an item that already has one is an audited change with the import's reason and a new version;
// an equal value is left alone; signed or locked forms refuse the import. Rows are inserted in
// batches, and only the form being written is held in memory, so a million values stay cheap. A
// subject's visits and forms are read once, when its first value comes, not once per form.
import {
  type Actor,
  type Db,
  type ItemValueTable,
  insertRows,
  newId,
  newVisitRecord,
  StoreError,
} from '@msct/store';

export interface ImportValue {
  subjectId: string;
  siteId: string;
  visitCode: string;
  cycle: number;
  visitDate?: string | null;
  formCode: string;
  itemCode: string;
  value: string | null;
  unit: string | null;
}

export interface WriteCounts {
  entered: number;
  changed: number;
  unchanged: number;
  visitsCreated: number;
  formsCreated: number;
}

interface ItemRow {
  id: string;
  value: string | null;
  unit: string | null;
  version: number;
}

const valueText = (value: string | null, unit: string | null) =>
  value === null ? null : unit ? `${value} ${unit}` : value;

export class ImportWriter {
  readonly counts: WriteCounts = { entered: 0, changed: 0, unchanged: 0, visitsCreated: 0, formsCreated: 0 };
  private visits = new Map<string, string>();
  private visitsLoaded = new Set<string>();
  /** Visits of the loaded subjects that the site declared missed: they take no data (saveItems too). */
  private missedVisits = new Set<string>();
  /** `visitId|formCode` → the form of a loaded subject. */
  private forms = new Map<string, { id: string; status: string }>();
  private formKey = '';
  private formId = '';
  private formItems = new Map<string, ItemRow>();
  private pendingInserts: ItemValueTable[] = [];
  private readonly now: string;

  constructor(
    private readonly db: Db,
    private readonly actor: Actor,
    private readonly studyId: string,
    private readonly reason: string,
  ) {
    if (!db.current) throw new Error('ImportWriter needs a bulk transaction');
    if (!actor.id) throw new StoreError('invalid', 'imported values must be entered by a user');
    this.now = db.current.audit.now;
  }

  async write(v: ImportValue): Promise<void> {
    const visitId = await this.visitFor(v);
    const key = `${visitId}|${v.formCode}`;
    if (key !== this.formKey) await this.openForm(key, visitId, v);
    const audit = this.db.current!.audit;
    const scope = { studyId: this.studyId, siteId: v.siteId, subjectId: v.subjectId };
    const field = `${v.formCode}.${v.itemCode}`;
    const prev = this.formItems.get(v.itemCode);
    if (!prev) {
      const row = {
        id: newId(),
        form_instance_id: this.formId,
        item_code: v.itemCode,
        value: v.value,
        unit: v.unit,
        updated_at: this.now,
        updated_by: this.actor.id!,
        version: 1,
      };
      this.pendingInserts.push(row);
      this.formItems.set(v.itemCode, { id: row.id, value: v.value, unit: v.unit, version: 1 });
      await audit.record({
        action: 'item.enter',
        entityType: 'item',
        entityId: row.id,
        ...scope,
        field,
        newValue: valueText(v.value, v.unit),
      });
      this.counts.entered++;
      if (this.pendingInserts.length >= 500) await this.flush();
      return;
    }
    if (prev.value === v.value && prev.unit === v.unit) {
      this.counts.unchanged++;
      return;
    }
    await this.flush();
    const version = prev.version + 1;
    await this.db.kysely
      .updateTable('item_values')
      .set({ value: v.value, unit: v.unit, updated_at: this.now, updated_by: this.actor.id!, version })
      .where('id', '=', prev.id)
      .execute();
    await audit.record({
      action: 'item.change',
      entityType: 'item',
      entityId: prev.id,
      ...scope,
      field,
      oldValue: valueText(prev.value, prev.unit),
      newValue: valueText(v.value, v.unit),
      reason: this.reason,
    });
    this.formItems.set(v.itemCode, { ...prev, value: v.value, unit: v.unit, version });
    this.counts.changed++;
  }

  /** Writes the batched inserts; call before reading item_values and at the end. */
  async flush(): Promise<void> {
    if (this.pendingInserts.length === 0) return;
    const rows = this.pendingInserts;
    this.pendingInserts = [];
    await insertRows(this.db.kysely, this.db.sqlite, 'item_values', rows);
  }

  private async visitFor(v: ImportValue): Promise<string> {
    if (!this.visitsLoaded.has(v.subjectId)) {
      const rows = await this.db.kysely
        .selectFrom('visits')
        .select(['id', 'visit_code', 'cycle', 'status'])
        .where('subject_id', '=', v.subjectId)
        .execute();
      for (const r of rows) {
        this.visits.set(`${v.subjectId}|${r.visit_code}|${Number(r.cycle)}`, r.id);
        if (r.status === 'missed') this.missedVisits.add(r.id);
      }
      const forms = await this.db.kysely
        .selectFrom('form_instances')
        .select(['id', 'visit_id', 'form_code', 'status'])
        // By visit, not subject_id: form_instances is indexed on (visit_id, form_code) only.
        .where('visit_id', 'in', (q) =>
          q.selectFrom('visits').select('id').where('subject_id', '=', v.subjectId),
        )
        .execute();
      for (const f of forms) this.forms.set(`${f.visit_id}|${f.form_code}`, { id: f.id, status: f.status });
      this.visitsLoaded.add(v.subjectId);
    }
    const key = `${v.subjectId}|${v.visitCode}|${v.cycle}`;
    const hit = this.visits.get(key);
    if (hit && this.missedVisits.has(hit))
      throw new StoreError(
        'invalid',
        `visit ${v.visitCode} (cycle ${v.cycle}) of this subject is declared missed: take that back (with a reason) before importing into it`,
        { field: 'visit' },
      );
    if (hit) return hit;
    // The subject was checked and its visits loaded above, so the visit is new: its row and audit
    // event are the ones createVisit writes (newVisitRecord), without createVisit's lookups.
    const { row, event } = newVisitRecord(
      { id: v.subjectId, studyId: this.studyId, siteId: v.siteId },
      { visitCode: v.visitCode, cycle: v.cycle, visitDate: v.visitDate ?? null },
      this.now,
    );
    await insertRows(this.db.kysely, this.db.sqlite, 'visits', [row]);
    await this.db.current!.audit.record(event);
    this.counts.visitsCreated++;
    this.visits.set(key, row.id);
    return row.id;
  }

  private async openForm(key: string, visitId: string, v: ImportValue): Promise<void> {
    await this.flush();
    this.formKey = key;
    this.formItems = new Map();
    const form = this.forms.get(key);
    if (form) {
      if (form.status === 'signed' || form.status === 'locked')
        throw new StoreError(
          'locked',
          `form ${v.formCode} of visit ${v.visitCode} is ${form.status}: unlock it before importing into it`,
          {
            formId: form.id,
          },
        );
      this.formId = form.id;
      const rows = await this.db.kysely
        .selectFrom('item_values')
        .select(['id', 'item_code', 'value', 'unit', 'version'])
        .where('form_instance_id', '=', form.id)
        .execute();
      for (const r of rows)
        this.formItems.set(r.item_code, {
          id: r.id,
          value: r.value,
          unit: r.unit,
          version: Number(r.version),
        });
      return;
    }
    this.formId = newId();
    this.forms.set(key, { id: this.formId, status: 'incomplete' });
    await insertRows(this.db.kysely, this.db.sqlite, 'form_instances', [
      {
        id: this.formId,
        visit_id: visitId,
        subject_id: v.subjectId,
        form_code: v.formCode,
        status: 'incomplete',
        signed_by: null,
        signed_at: null,
        created_at: this.now,
        version: 1,
      },
    ]);
    await this.db.current!.audit.record({
      action: 'form.create',
      entityType: 'form',
      entityId: this.formId,
      studyId: this.studyId,
      siteId: v.siteId,
      subjectId: v.subjectId,
      newValue: v.formCode,
    });
    this.counts.formsCreated++;
  }
}
