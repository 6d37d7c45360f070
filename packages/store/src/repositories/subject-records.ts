import { type Actor, type Tx, writeTransaction } from '../audit/writer.js';
import type { Db } from '../database.js';
import { notFound, StoreError } from '../errors.js';
import { newId } from '../ids.js';
import type { AdverseEventTable, Database, InfusionTable } from '../schema.js';
import { assertStorable } from '../text.js';
import { refuseRecordLock } from './record-locks.js';
import { changedFields, loadForUpdate, writeVersioned } from './versioned.js';

// Infusions and adverse events share one life cycle: created for a subject, then changed only with
// the version read and a reason, each changed column audited old → new.
type Tables = { infusions: InfusionTable; adverse_events: AdverseEventTable };
/** The SAE detail of migration 010: optional on create (null until known). */
export const SAE_DETAIL_COLUMNS = [
  'serious_date',
  'site_aware_at',
  'sponsor_notified_at',
  'reported_date',
  'narrative',
  'sponsor_relatedness',
  'expectedness',
] as const;
export type SaeDetailColumn = (typeof SAE_DETAIL_COLUMNS)[number];
type SaeDetail = SaeDetailColumn;
type Base<T extends keyof Tables> = Omit<Tables[T], 'id' | 'subject_id' | 'created_at' | 'version'>;
type Owned<T extends keyof Tables> = T extends 'adverse_events'
  ? Omit<Base<T>, SaeDetail> & Partial<Pick<AdverseEventTable, SaeDetail>>
  : Base<T>;
const LABEL: Record<keyof Tables, string> = { infusions: 'infusion', adverse_events: 'adverse event' };

export async function createSubjectRecord<T extends keyof Tables>(
  db: Db,
  actor: Actor,
  table: T,
  subjectId: string,
  values: Owned<T>,
): Promise<Tables[T]> {
  return writeTransaction(db, actor, async (tx, audit) => {
    const s = await tx
      .selectFrom('subjects')
      .select(['id', 'study_id', 'site_id'])
      .where('id', '=', subjectId)
      .executeTakeFirst();
    if (!s) throw notFound('subject', subjectId);
    await refuseRecordLock(
      tx,
      db.dialect,
      { studyId: s.study_id, siteId: s.site_id, subjectId: s.id },
      `recording an ${LABEL[table]}`,
    );
    assertStorable(LABEL[table], values as Record<string, unknown>);
    await checkKeysAndLinks(tx, table, s.id, undefined, values as Partial<Owned<T>>);
    const row = {
      ...(table === 'adverse_events' ? Object.fromEntries(SAE_DETAIL_COLUMNS.map((c) => [c, null])) : {}),
      ...values,
      id: newId(),
      subject_id: s.id,
      created_at: audit.now,
      version: 1,
    } as unknown as Tables[T];
    // biome-ignore lint/suspicious/noExplicitAny: the table is one of two known tables with the row's type.
    await (tx as any).insertInto(table).values(row).execute();
    await audit.record({
      action: `${LABEL[table].replace(' ', '_')}.create`,
      entityType: LABEL[table],
      entityId: row.id,
      studyId: s.study_id,
      siteId: s.site_id,
      subjectId: s.id,
      newValue: JSON.stringify(values),
    });
    return row;
  });
}

export async function updateSubjectRecord<T extends keyof Tables>(
  db: Db,
  actor: Actor,
  table: T,
  id: string,
  expectedVersion: number,
  changes: Partial<Owned<T>>,
  reason: string | undefined,
): Promise<Tables[T]> {
  return writeTransaction(db, actor, async (tx, audit) => {
    const before = (await loadForUpdate(tx, table, id, expectedVersion, LABEL[table])) as Tables[T];
    const diffs = changedFields(before, changes as Partial<Tables[T]>);
    if (diffs.length === 0) return before;
    if (!reason?.trim())
      throw new StoreError('reason_required', `a reason is required to change a recorded ${LABEL[table]}`, {
        field: 'reason',
      });
    assertStorable(LABEL[table], changes as Record<string, unknown>);
    await checkKeysAndLinks(tx, table, before.subject_id, { ...before, ...changes }, changes, id);
    const s = await tx
      .selectFrom('subjects')
      .select(['id', 'study_id', 'site_id'])
      .where('id', '=', before.subject_id)
      .executeTakeFirstOrThrow();
    await refuseRecordLock(
      tx,
      db.dialect,
      { studyId: s.study_id, siteId: s.site_id, subjectId: s.id },
      `changing an ${LABEL[table]}`,
    );
    const version = await writeVersioned(
      tx,
      table,
      id,
      expectedVersion,
      changes as Partial<Database[T]>,
      LABEL[table],
    );
    await audit.record(
      diffs.map((d) => ({
        action: `${LABEL[table].replace(' ', '_')}.update`,
        entityType: LABEL[table],
        entityId: id,
        studyId: s.study_id,
        siteId: s.site_id,
        subjectId: s.id,
        ...d,
        reason,
      })),
    );
    return { ...before, ...changes, version };
  });
}

/**
 * Before a write: an infusion's cycle and number are unique for its subject (the database's unique key
 * would refuse it too, but as an unexplained error), and an adverse event's linked infusion exists and
 * is one of the same subject's infusions (an infusion of another subject, or of another site, is not).
 * `after` is the whole row after an update (undefined on create, where `changes` is the whole row).
 */
async function checkKeysAndLinks<T extends keyof Tables>(
  tx: Tx,
  table: T,
  subjectId: string,
  after: Tables[T] | undefined,
  changes: Partial<Owned<T>>,
  id?: string,
): Promise<void> {
  if (table === 'infusions') {
    const c = changes as Partial<InfusionTable>;
    if (after && c.cycle === undefined && c.infusion_number === undefined) return;
    const row = (after ?? changes) as Partial<InfusionTable>;
    let q = tx
      .selectFrom('infusions')
      .select('id')
      .where('subject_id', '=', subjectId)
      .where('cycle', '=', Number(row.cycle))
      .where('infusion_number', '=', Number(row.infusion_number));
    if (id) q = q.where('id', '!=', id);
    const dup = await q.executeTakeFirst();
    if (dup)
      throw new StoreError(
        'duplicate',
        `this subject already has infusion ${row.infusion_number} of cycle ${row.cycle}: change that one instead`,
        { field: 'infusionNumber', rule: 'unique', id: dup.id },
      );
    return;
  }
  const link = (changes as Partial<AdverseEventTable>).infusion_id;
  if (link === undefined || link === null) return;
  const infusion = await tx
    .selectFrom('infusions')
    .select('subject_id')
    .where('id', '=', link)
    .executeTakeFirst();
  if (infusion?.subject_id !== subjectId)
    throw new StoreError('invalid', `infusion ${link} is not one of this subject's infusions`, {
      field: 'infusionId',
      rule: 'reference',
    });
}

export async function getSubjectRecord<T extends keyof Tables>(
  db: Db,
  table: T,
  id: string,
): Promise<Tables[T]> {
  // biome-ignore lint/suspicious/noExplicitAny: the table is one of two known tables.
  const row = await (db.kysely as any).selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(LABEL[table], id);
  return row as Tables[T];
}

export async function listSubjectRecords<T extends keyof Tables>(
  db: Db,
  table: T,
  subjectId: string,
): Promise<Tables[T][]> {
  // biome-ignore lint/suspicious/noExplicitAny: the table is one of two known tables.
  return (db.kysely as any)
    .selectFrom(table)
    .selectAll()
    .where('subject_id', '=', subjectId)
    .orderBy('created_at')
    .execute();
}

export interface AdverseEventFollowUp {
  id: string;
  adverse_event_id: string;
  entry_date: string;
  text: string;
  author_id: string;
  author_name: string;
  created_at: string;
}

/** Appends a dated follow-up entry to an adverse event (never changed afterwards), audited. */
export async function addAdverseEventFollowUp(
  db: Db,
  actor: Actor,
  aeId: string,
  entry: { entryDate: string; text: string },
): Promise<AdverseEventFollowUp> {
  return writeTransaction(db, actor, async (tx, audit) => {
    const ae = await tx
      .selectFrom('adverse_events')
      .innerJoin('subjects', 'subjects.id', 'adverse_events.subject_id')
      .select(['adverse_events.id', 'subjects.id as subject_id', 'subjects.study_id', 'subjects.site_id'])
      .where('adverse_events.id', '=', aeId)
      .executeTakeFirst();
    if (!ae) throw notFound('adverse event', aeId);
    if (!actor.id) throw new StoreError('invalid', 'a follow-up entry needs a user as its author');
    assertStorable('follow-up', { text: entry.text });
    const row = {
      id: newId(),
      adverse_event_id: aeId,
      entry_date: entry.entryDate,
      text: entry.text,
      author_id: actor.id as string,
      created_at: audit.now,
    };
    await tx.insertInto('adverse_event_follow_ups').values(row).execute();
    await audit.record({
      action: 'adverse_event.follow_up',
      entityType: 'adverse event follow-up',
      entityId: row.id,
      studyId: ae.study_id,
      siteId: ae.site_id,
      subjectId: ae.subject_id,
      newValue: JSON.stringify({ adverse_event_id: aeId, entry_date: entry.entryDate, text: entry.text }),
    });
    const author = await tx
      .selectFrom('users')
      .select('display_name')
      .where('id', '=', actor.id)
      .executeTakeFirst();
    return { ...row, author_name: author?.display_name ?? actor.name };
  });
}

/** An adverse event's follow-up entries, oldest first, with their authors' names. */
export async function listAdverseEventFollowUps(db: Db, aeId: string): Promise<AdverseEventFollowUp[]> {
  return db.kysely
    .selectFrom('adverse_event_follow_ups')
    .innerJoin('users', 'users.id', 'adverse_event_follow_ups.author_id')
    .selectAll('adverse_event_follow_ups')
    .select('users.display_name as author_name')
    .where('adverse_event_follow_ups.adverse_event_id', '=', aeId)
    .orderBy('adverse_event_follow_ups.created_at')
    .orderBy('adverse_event_follow_ups.id')
    .execute();
}
