// Issue #18 / endpoints.md Clarification 5 (binding): SLEDAI-2K descriptor states are three, stored
// explicitly — absent, present, and "present but not due to SLE" (its own item `<id>_not_sle` = 1).
// A stored 0 or an empty value means absent.
//
// Before, a stored 0 on a descriptor meant "present, not due to SLE" and vetoed a lab-derived
// descriptor; the demo loader and every REDCap-style 0/1 import stored 0 for absent, so their 0s
// silently removed lab-derived points. The stored values are right under the new reading (0 =
// absent), so `up` changes no value: it records, for every stored 0, an audit event on the same
// hash chain (action `item.reinterpret`, reason REINTERPRET_REASON) so that every score that moves
// because of the new reading is explained in the audit trail, and a data manager can list them to
// ask a site whether any 0 was meant as "not due to SLE" (then recorded with the new control).
//
// `down` is the audited reverse: every explicit attribution (`<id>_not_sle` = 1) is re-encoded the
// old way (descriptor 0, attribution cleared; item.change / item.enter events) and every 0 that
// `up` reinterpreted and nobody changed since is recorded as read the old way again. A 0 entered
// after `up` (absent) is read as "not due to SLE" by the old code: roll back only right after an
// upgrade. Values are never deleted.
//
// Frozen copies of the codes: a migration must do the same thing whatever the code later becomes.
import { type Kysely, sql } from 'kysely';
import { type Actor, migrationWriteTransaction, type Tx } from '../audit/writer.js';
import { newId } from '../ids.js';
import type { ItemValueTable } from '../schema.js';

const FORM = 'sledai2k';
const DESCRIPTORS = [
  'seizure',
  'psychosis',
  'organic_brain_syndrome',
  'visual_disturbance',
  'cranial_nerve_disorder',
  'lupus_headache',
  'cva',
  'vasculitis',
  'arthritis',
  'myositis',
  'urinary_casts',
  'haematuria',
  'proteinuria',
  'pyuria',
  'rash',
  'alopecia',
  'mucosal_ulcers',
  'pleurisy',
  'pericarditis',
  'low_complement',
  'increased_dna_binding',
  'fever',
  'thrombocytopenia',
  'leukopenia',
] as const;
const ATTRIBUTION_SUFFIX = '_not_sle';

export const MIGRATION_003_ACTOR: Actor = { id: null, name: 'migration 003-sledai-attribution' };
export const REINTERPRET_REASON = 'issue #18: SLEDAI-2K 0 means absent (endpoints.md Clarification 5)';
export const REVERT_REASON =
  'issue #18 reverted (migration 003 down): SLEDAI-2K 0 means present but not due to SLE again';
const OLD_READING = '0 (read as: present, not due to SLE)';
const NEW_READING = '0 (absent)';

interface Row {
  id: string;
  form_instance_id: string;
  item_code: string;
  value: string | null;
  unit: string | null;
  version: number;
  updated_by: string;
  subject_id: string;
  study_id: string;
  site_id: string;
}

/** The SLEDAI-2K item rows of the given codes, with the subject's scope, by form then item code (a stable order). */
function sledaiItemQuery(tx: Tx, codes: readonly string[]) {
  return tx
    .selectFrom('item_values')
    .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
    .innerJoin('subjects', 'subjects.id', 'form_instances.subject_id')
    .select([
      'item_values.id',
      'item_values.form_instance_id',
      'item_values.item_code',
      'item_values.value',
      'item_values.unit',
      'item_values.version',
      'item_values.updated_by',
      'form_instances.subject_id',
      'subjects.study_id',
      'subjects.site_id',
    ])
    .where('form_instances.form_code', '=', FORM)
    .where('item_values.item_code', 'in', [...codes])
    .orderBy('item_values.form_instance_id')
    .orderBy('item_values.item_code');
}

const asRow = <T extends { version: number | string }>(r: T) => ({ ...r, version: Number(r.version) });

/** All SLEDAI-2K item rows of the given codes (the down path; see `storedZeros` for `up`). */
async function sledaiItems(tx: Tx, codes: readonly string[]): Promise<Row[]> {
  return (await sledaiItemQuery(tx, codes).execute()).map(asRow);
}

const scope = (r: Row) => ({ studyId: r.study_id, siteId: r.site_id, subjectId: r.subject_id });

/** Rows read per page by `up`: its memory stays flat whatever the trial's size. */
const PAGE = 5000;

/**
 * The stored SLEDAI-2K descriptor 0s after (formInstanceId, itemCode), one page in the same stable
 * order as `sledaiItems` (form, then item code). Only the 0s are read: a 20 000-patient trial holds
 * ~4 million SLEDAI-2K rows, and reading them all at once took 3.46 GB (measured, issue 16).
 */
async function storedZeros(tx: Tx, after: readonly [string, string] | null): Promise<Row[]> {
  let q = sledaiItemQuery(tx, DESCRIPTORS).where(sql<string>`trim(item_values.value)`, '=', '0');
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('item_values.form_instance_id', '>', after[0]),
        eb.and([
          eb('item_values.form_instance_id', '=', after[0]),
          eb('item_values.item_code', '>', after[1]),
        ]),
      ]),
    );
  return (await q.limit(PAGE).execute()).map(asRow);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations take an untyped Kysely
export async function up(db: Kysely<any>): Promise<void> {
  await migrationWriteTransaction(db, MIGRATION_003_ACTOR, async (tx, audit) => {
    let after: [string, string] | null = null;
    for (;;) {
      const page = await storedZeros(tx, after);
      for (const r of page)
        await audit.record({
          action: 'item.reinterpret',
          entityType: 'item',
          entityId: r.id,
          ...scope(r),
          field: `${FORM}.${r.item_code}`,
          oldValue: OLD_READING,
          newValue: NEW_READING,
          reason: REINTERPRET_REASON,
        });
      if (page.length < PAGE) break;
      const last = page[page.length - 1]!;
      after = [last.form_instance_id, last.item_code];
    }
  });
}

// biome-ignore lint/suspicious/noExplicitAny: migrations take an untyped Kysely
export async function down(db: Kysely<any>): Promise<void> {
  await migrationWriteTransaction(db, MIGRATION_003_ACTOR, async (tx, audit) => {
    const now = audit.now;
    // 1. Explicit attributions → the old encoding: descriptor 0 (by the user who recorded the
    //    attribution: it is their statement), attribution cleared.
    const attributions = await sledaiItems(
      tx,
      DESCRIPTORS.map((d) => `${d}${ATTRIBUTION_SUFFIX}`),
    );
    const descriptorRows = new Map(
      (await sledaiItems(tx, DESCRIPTORS)).map((r) => [`${r.form_instance_id}/${r.item_code}`, r]),
    );
    for (const a of attributions) {
      if (a.value?.trim() !== '1') continue;
      const code = a.item_code.slice(0, -ATTRIBUTION_SUFFIX.length);
      const d = descriptorRows.get(`${a.form_instance_id}/${code}`);
      if (!d) {
        const id = newId();
        // The columns as of this migration (007's definition_version and 013's missing_code are not there yet).
        const row: Omit<ItemValueTable, 'definition_version' | 'missing_code'> = {
          id,
          form_instance_id: a.form_instance_id,
          item_code: code,
          value: '0',
          unit: null,
          updated_at: now,
          updated_by: a.updated_by,
          version: 1,
        };
        await tx
          .insertInto('item_values')
          .values(row as ItemValueTable)
          .execute();
        await audit.record({
          action: 'item.enter',
          entityType: 'item',
          entityId: id,
          ...scope(a),
          field: `${FORM}.${code}`,
          newValue: '0',
          reason: REVERT_REASON,
        });
      } else if (d.value?.trim() !== '0') {
        await tx
          .updateTable('item_values')
          .set({ value: '0', unit: null, updated_at: now, updated_by: a.updated_by, version: d.version + 1 })
          .where('id', '=', d.id)
          .execute();
        await audit.record({
          action: 'item.change',
          entityType: 'item',
          entityId: d.id,
          ...scope(d),
          field: `${FORM}.${code}`,
          oldValue: d.value,
          newValue: '0',
          reason: REVERT_REASON,
        });
      }
      await tx
        .updateTable('item_values')
        .set({ value: null, updated_at: now, version: a.version + 1 })
        .where('id', '=', a.id)
        .execute();
      await audit.record({
        action: 'item.change',
        entityType: 'item',
        entityId: a.id,
        ...scope(a),
        field: `${FORM}.${a.item_code}`,
        oldValue: a.value,
        newValue: null,
        reason: REVERT_REASON,
      });
    }
    // 2. The 0s `up` reinterpreted, still 0 and not reinterpreted back yet: read the old way again.
    const events = await tx
      .selectFrom('audit_events')
      .select(['entity_id', 'reason', 'seq'])
      .where('action', '=', 'item.reinterpret')
      .where('reason', 'in', [REINTERPRET_REASON, REVERT_REASON])
      .orderBy('seq')
      .execute();
    const latest = new Map<string, string | null>();
    for (const e of events) latest.set(e.entity_id, e.reason);
    const pending = new Set([...latest].filter(([, why]) => why === REINTERPRET_REASON).map(([id]) => id));
    for (const r of await sledaiItems(tx, DESCRIPTORS)) {
      if (!pending.has(r.id) || r.value?.trim() !== '0') continue;
      await audit.record({
        action: 'item.reinterpret',
        entityType: 'item',
        entityId: r.id,
        ...scope(r),
        field: `${FORM}.${r.item_code}`,
        oldValue: NEW_READING,
        newValue: OLD_READING,
        reason: REVERT_REASON,
      });
    }
  });
}
