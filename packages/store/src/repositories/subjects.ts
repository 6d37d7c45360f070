import { randomBytes } from 'node:crypto';
import { type Actor, writeTransaction } from '../audit/writer.js';
import type { Db } from '../database.js';
import { notFound, StoreError } from '../errors.js';
import { newSubjectId } from '../ids.js';
import type { SubjectTable } from '../schema.js';
import { refuseRecordLock } from './record-locks.js';
import { changedFields, loadForUpdate, writeVersioned } from './versioned.js';

export type Subject = SubjectTable;
export const SUBJECT_STATUSES = [
  'screening',
  'enrolled',
  'screen_failed',
  'withdrawn',
  'completed',
  'died',
] as const;
export type SubjectStatus = (typeof SUBJECT_STATUSES)[number];

export interface NewSubject {
  studyId: string;
  siteId: string;
  /** An imported subject keeps its code from the source file; otherwise it is numbered per site. */
  subjectCode?: string;
  status?: SubjectStatus;
  sex?: string | null;
  birthDate?: string | null;
  enrolledAt?: string | null;
  day0Date?: string | null;
}

/** Registers a subject at a site; the subject code is the site code and a per-site sequence (e.g. NJDT-007). */
export async function createSubject(db: Db, actor: Actor, input: NewSubject): Promise<Subject> {
  return writeTransaction(db, actor, async (tx, audit) => {
    const site = await tx
      .selectFrom('sites')
      .select(['id', 'code', 'study_id'])
      .where('id', '=', input.siteId)
      .executeTakeFirst();
    if (!site || site.study_id !== input.studyId) throw notFound('site', input.siteId);
    await refuseRecordLock(
      tx,
      db.dialect,
      { studyId: site.study_id, siteId: site.id },
      'registering a subject',
    );
    const n = await tx
      .selectFrom('subjects')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('site_id', '=', site.id)
      .executeTakeFirstOrThrow();
    if (input.subjectCode) {
      const dup = await tx
        .selectFrom('subjects')
        .select('id')
        .where('study_id', '=', input.studyId)
        .where('subject_code', '=', input.subjectCode)
        .executeTakeFirst();
      if (dup)
        throw new StoreError(
          'duplicate',
          `subject code "${input.subjectCode}" is already used in this study`,
          { field: 'subjectCode' },
        );
    }
    const row: Subject = {
      id: newSubjectId(),
      study_id: input.studyId,
      site_id: site.id,
      subject_code: input.subjectCode ?? `${site.code}-${String(Number(n.n) + 1).padStart(3, '0')}`,
      pseudonym: `P${randomBytes(5).toString('hex').toUpperCase()}`,
      status: input.status ?? 'screening',
      sex: input.sex ?? null,
      birth_date: input.birthDate ?? null,
      enrolled_at: input.enrolledAt ?? null,
      day0_date: input.day0Date ?? null,
      created_at: audit.now,
      version: 1,
    };
    await tx.insertInto('subjects').values(row).execute();
    await audit.record({
      action: 'subject.create',
      entityType: 'subject',
      entityId: row.id,
      studyId: row.study_id,
      siteId: row.site_id,
      subjectId: row.id,
      // Every column the subject is created with, so that `msct audit verify` can prove them
      // (audit/verify-data.ts); the pseudonym stays out of the trail (it would link it to the code).
      newValue: JSON.stringify({
        subjectCode: row.subject_code,
        status: row.status,
        sex: row.sex,
        birthDate: row.birth_date,
        enrolledAt: row.enrolled_at,
        day0Date: row.day0_date,
      }),
    });
    return row;
  });
}

export async function getSubject(db: Db, id: string): Promise<Subject> {
  const row = await db.kysely.selectFrom('subjects').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('subject', id);
  return row;
}

export interface SubjectListOptions {
  studyId: string;
  /** Restrict to these sites; undefined = every site. */
  siteIds?: readonly string[];
  /**
   * The column the list is ordered and paged on: the subject code, or for a caller shown pseudonyms
   * the pseudonym, so the order and `after` never reveal a code the caller does not see.
   */
  codeColumn: 'subject_code' | 'pseudonym';
  /** Keyset pagination on `codeColumn`. */
  after?: string;
  limit?: number;
}

export async function listSubjects(db: Db, opts: SubjectListOptions): Promise<Subject[]> {
  const key = opts.codeColumn;
  let q = db.kysely.selectFrom('subjects').selectAll().where('study_id', '=', opts.studyId);
  if (opts.siteIds) {
    if (opts.siteIds.length === 0) return [];
    q = q.where('site_id', 'in', opts.siteIds);
  }
  if (opts.after) q = q.where(key, '>', opts.after);
  return q
    .orderBy(key)
    .orderBy('id')
    .limit(opts.limit ?? 500)
    .execute();
}

export interface SubjectChanges {
  status?: SubjectStatus;
  sex?: string | null;
  birthDate?: string | null;
  enrolledAt?: string | null;
  day0Date?: string | null;
}

export async function updateSubject(
  db: Db,
  actor: Actor,
  id: string,
  expectedVersion: number,
  changes: SubjectChanges,
  reason: string | undefined,
): Promise<Subject> {
  return writeTransaction(db, actor, async (tx, audit) => {
    const before = await loadForUpdate(tx, 'subjects', id, expectedVersion, 'subject');
    await refuseRecordLock(
      tx,
      db.dialect,
      { studyId: before.study_id, siteId: before.site_id, subjectId: id },
      `changing subject ${before.subject_code}`,
    );
    const cols: Partial<Subject> = {};
    if (changes.status !== undefined) cols.status = changes.status;
    if (changes.sex !== undefined) cols.sex = changes.sex;
    if (changes.birthDate !== undefined) cols.birth_date = changes.birthDate;
    if (changes.enrolledAt !== undefined) cols.enrolled_at = changes.enrolledAt;
    if (changes.day0Date !== undefined) cols.day0_date = changes.day0Date;
    const diffs = changedFields(before, cols);
    if (diffs.length === 0) return before;
    if (!reason?.trim())
      throw new StoreError('reason_required', 'a reason is required to change a subject record', {
        field: 'reason',
      });
    const version = await writeVersioned(tx, 'subjects', id, expectedVersion, cols, 'subject');
    await audit.record(
      diffs.map((d) => ({
        action: 'subject.update',
        entityType: 'subject',
        entityId: id,
        studyId: before.study_id,
        siteId: before.site_id,
        subjectId: id,
        ...d,
        reason,
      })),
    );
    return { ...before, ...cols, version };
  });
}

/** Where a record lives (study, site, subject): what the access policy needs to decide. */
export interface RecordScope {
  studyId: string;
  siteId: string;
  subjectId: string;
}

export async function subjectScope(db: Db, subjectId: string): Promise<RecordScope | undefined> {
  const row = await db.kysely
    .selectFrom('subjects')
    .select(['id', 'study_id', 'site_id'])
    .where('id', '=', subjectId)
    .executeTakeFirst();
  return row ? { studyId: row.study_id, siteId: row.site_id, subjectId: row.id } : undefined;
}
