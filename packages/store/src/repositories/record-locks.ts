// Freezes and locks of a study, a site or a subject (issue 21), and requests to unlock.
// A freeze stops every change of the data but still takes the investigator's signature (the
// casebook is frozen, then signed); a lock stops signatures too (database lock before analysis).
// The writers (item-writer.ts, forms.ts, visits.ts, subjects.ts, subject-records.ts, signatures.ts)
// ask `refuseRecordLock` inside their transaction, so every path (forms, imports, AEs, infusions,
// visits) obeys, and the refusal (423) names the lock: its level, kind, who set it and when.
import { type LockReadiness, readinessSummary } from '@msct/core/protocol';
import type SQLite from 'better-sqlite3';
import type { Actor, AuditWriter, Tx } from '../audit/writer.js';
import { writeTransaction } from '../audit/writer.js';
import type { Db, Dialect } from '../database.js';
import { notFound, StoreError } from '../errors.js';
import { newId } from '../ids.js';
import type { RecordLockTable, UnlockRequestTable } from '../schema.js';
import { assertStorable } from '../text.js';
import { readLockReadiness } from './lock-readiness.js';
import { loadForUpdate, runCompiled, writeVersioned } from './versioned.js';

export type RecordLock = RecordLockTable;
export type UnlockRequest = UnlockRequestTable;
export type LockLevel = 'study' | 'site' | 'subject';
export type LockKind = 'freeze' | 'lock';

/** Where a write lands: the study, the site and (if any) the subject. */
export interface LockScope {
  studyId: string;
  siteId?: string | null;
  subjectId?: string | null;
}

/** An active lock with the name of who set it, as a refusal names it. */
export type ActiveLock = RecordLockTable & { locked_by_name: string };

const lockStatements = new WeakMap<SQLite.Database, SQLite.Statement<unknown[], ActiveLock>>();

/**
 * The active locks covering a scope (the study's, its site's and its subject's), innermost last.
 * `sqlite`: the handle `tx` runs on (the item writer's save path), for a prepared statement on it —
 * through Kysely the check cost ~33 µs a save.
 */
export async function activeLocksFor(
  tx: Tx,
  dialect: Dialect,
  scope: LockScope,
  sqlite?: SQLite.Database,
): Promise<ActiveLock[]> {
  const params = [scope.studyId, 'study', scope.siteId ?? '', scope.subjectId ?? ''];
  const build = () =>
    tx
      .selectFrom('record_locks')
      .innerJoin('users', 'users.id', 'record_locks.locked_by')
      .selectAll('record_locks')
      .select('users.display_name as locked_by_name')
      .where('record_locks.study_id', '=', scope.studyId)
      .where('record_locks.released_at', 'is', null)
      .where((eb) =>
        eb.or([
          eb('record_locks.level', '=', 'study'),
          eb('record_locks.site_id', '=', scope.siteId ?? ''),
          eb('record_locks.subject_id', '=', scope.subjectId ?? ''),
        ]),
      );
  let rows: ActiveLock[];
  if (sqlite) {
    let statement = lockStatements.get(sqlite);
    if (!statement) {
      statement = sqlite.prepare<unknown[], ActiveLock>(build().compile().sql);
      lockStatements.set(sqlite, statement);
    }
    rows = statement.all(...params);
  } else rows = await runCompiled<ActiveLock>(tx, dialect, 'recordLocks.active', params, build);
  if (rows.length === 0) return rows;
  const rank = { study: 0, site: 1, subject: 2 } as Record<string, number>;
  return rows.sort((a, b) => (rank[a.level] ?? 0) - (rank[b.level] ?? 0));
}

/** The refusal of a write under `lock`: 423, naming its level, kind, who and when. */
export function lockRefusal(lock: ActiveLock, what: string): StoreError {
  return new StoreError(
    'locked',
    `${what} refused: the ${lock.level} is ${lock.kind === 'freeze' ? 'frozen' : 'locked'} (${lock.kind} by ${lock.locked_by_name} at ${lock.locked_at}: ${lock.reason}); an administrator must release it, with a reason, first`,
    {
      rule: `${lock.level}-${lock.kind}`,
      lock: {
        id: lock.id,
        level: lock.level,
        kind: lock.kind,
        lockedBy: lock.locked_by_name,
        lockedAt: lock.locked_at,
        reason: lock.reason,
      },
    },
  );
}

/**
 * Refuses a write under an active freeze or lock of its study, site or subject. `signature`: the
 * write is a signature, which a freeze still takes (a lock does not).
 */
export async function refuseRecordLock(
  tx: Tx,
  dialect: Dialect,
  scope: LockScope,
  what: string,
  opts: { signature?: boolean; sqlite?: SQLite.Database } = {},
): Promise<void> {
  const locks = await activeLocksFor(tx, dialect, scope, opts.sqlite);
  const blocking = locks.find((l) => !(opts.signature && l.kind === 'freeze'));
  if (blocking) throw lockRefusal(blocking, what);
}

export interface NewLock {
  studyId: string;
  level: LockLevel;
  kind: LockKind;
  /** The site (level 'site') or subject (level 'subject') locked. */
  siteId?: string;
  subjectId?: string;
  reason: string;
  /**
   * A lock of the study or a site is set only on a clean ready-to-lock report (lock-readiness.ts),
   * or with this reason for locking anyway (audited with the report's counts).
   */
  overrideReason?: string;
}

/** Freezes or locks a study, a site or a subject (audited). One active lock per record. */
export async function createRecordLock(db: Db, actor: Actor, input: NewLock): Promise<RecordLock> {
  if (!actor.id) throw new StoreError('invalid', 'a lock is set by a user');
  if (!input.reason.trim())
    throw new StoreError('reason_required', 'a reason is required to lock', { field: 'reason' });
  assertStorable('lock', { reason: input.reason, overrideReason: input.overrideReason ?? '' });
  return writeTransaction(db, actor, async (tx, audit) => {
    let siteId: string | null = null;
    let subjectId: string | null = null;
    if (input.level === 'site') {
      const site = await tx
        .selectFrom('sites')
        .select(['id', 'study_id'])
        .where('id', '=', input.siteId ?? '')
        .executeTakeFirst();
      if (!site || site.study_id !== input.studyId) throw notFound('site', input.siteId ?? '');
      siteId = site.id;
    } else if (input.level === 'subject') {
      const s = await tx
        .selectFrom('subjects')
        .select(['id', 'study_id', 'site_id'])
        .where('id', '=', input.subjectId ?? '')
        .executeTakeFirst();
      if (!s || s.study_id !== input.studyId) throw notFound('subject', input.subjectId ?? '');
      siteId = s.site_id;
      subjectId = s.id;
    }
    let sameQuery = tx
      .selectFrom('record_locks')
      .select(['id', 'kind'])
      .where('study_id', '=', input.studyId)
      .where('level', '=', input.level)
      .where('released_at', 'is', null);
    if (input.level === 'site') sameQuery = sameQuery.where('site_id', '=', siteId);
    if (input.level === 'subject') sameQuery = sameQuery.where('subject_id', '=', subjectId);
    const same = await sameQuery.executeTakeFirst();
    if (same)
      throw new StoreError(
        'duplicate',
        `this ${input.level} already has an active ${same.kind} (${same.id}): release it before setting another`,
        { field: 'level', lockId: same.id },
      );
    // Ready to lock (issue #21): a database lock of the study or a site on open queries, unverified,
    // unsigned or missing forms needs an explicit override reason; the report is read in this
    // transaction, so it is the one the lock is set on.
    let readiness: LockReadiness | undefined;
    let overrideReason: string | null = null;
    if (input.kind === 'lock' && input.level !== 'subject') {
      readiness = await readLockReadiness(tx, db.location, { studyId: input.studyId, siteId }, 0);
      if (!readiness.clean) {
        if (!input.overrideReason?.trim())
          throw new StoreError(
            'reason_required',
            `the ${input.level} is not ready to lock (${readinessSummary(readiness)}): give a reason to lock it anyway`,
            { field: 'overrideReason', readiness: readiness.counts },
          );
        overrideReason = input.overrideReason;
      }
    }
    const row: RecordLockTable = {
      id: newId(),
      study_id: input.studyId,
      level: input.level,
      site_id: siteId,
      subject_id: subjectId,
      kind: input.kind,
      reason: input.reason,
      locked_by: actor.id!,
      locked_at: audit.now,
      released_by: null,
      released_at: null,
      release_reason: null,
      version: 1,
      override_reason: overrideReason,
    };
    await tx.insertInto('record_locks').values(row).execute();
    await audit.record({
      action: `${input.level}.${input.kind}`,
      entityType: 'lock',
      entityId: row.id,
      studyId: input.studyId,
      siteId,
      subjectId,
      newValue: JSON.stringify({
        level: input.level,
        kind: input.kind,
        ...(readiness ? { readiness: readiness.counts } : {}),
        ...(overrideReason ? { overrideReason } : {}),
      }),
      reason: input.reason,
    });
    return row;
  });
}

/** Releases a freeze or lock (audited, reason required); open requests to unlock it are closed as done. */
export async function releaseRecordLock(
  db: Db,
  actor: Actor,
  lockId: string,
  expectedVersion: number,
  reason: string,
): Promise<RecordLock> {
  if (!reason.trim())
    throw new StoreError('reason_required', 'a reason is required to release a lock', { field: 'reason' });
  assertStorable('lock', { reason });
  return writeTransaction(db, actor, async (tx, audit) => {
    const before = await loadForUpdate(tx, 'record_locks', lockId, expectedVersion, 'lock');
    if (before.released_at)
      throw new StoreError('invalid', `lock ${lockId} was already released at ${before.released_at}`, {
        field: 'lockId',
        rule: 'lock-released',
      });
    const cols = { released_by: actor.id, released_at: audit.now, release_reason: reason };
    const version = await writeVersioned(tx, 'record_locks', lockId, expectedVersion, cols, 'lock');
    await audit.record({
      action: `${before.level}.un${before.kind}`,
      entityType: 'lock',
      entityId: lockId,
      studyId: before.study_id,
      siteId: before.site_id,
      subjectId: before.subject_id,
      field: 'released_at',
      newValue: audit.now,
      reason,
    });
    await closeUnlockRequests(tx, audit, 'lock', lockId, 'done', reason);
    return { ...before, ...cols, version };
  });
}

export async function getRecordLock(db: Db, id: string): Promise<RecordLock> {
  const row = await db.kysely.selectFrom('record_locks').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('lock', id);
  return row;
}

/** A study's locks, active first, then released, newest first; with who set and released them. */
export async function listRecordLocks(
  db: Db,
  studyId: string,
): Promise<
  (RecordLock & { locked_by_name: string; released_by_name: string | null; subject_code: string | null })[]
> {
  const rows = await db.kysely
    .selectFrom('record_locks')
    .innerJoin('users as l', 'l.id', 'record_locks.locked_by')
    .leftJoin('users as r', 'r.id', 'record_locks.released_by')
    .leftJoin('subjects', 'subjects.id', 'record_locks.subject_id')
    .selectAll('record_locks')
    .select([
      'l.display_name as locked_by_name',
      'r.display_name as released_by_name',
      'subjects.subject_code',
    ])
    .where('record_locks.study_id', '=', studyId)
    .orderBy('record_locks.locked_at', 'desc')
    .orderBy('record_locks.id')
    .execute();
  return rows.sort((a, b) => Number(a.released_at !== null) - Number(b.released_at !== null));
}

export interface NewUnlockRequest {
  targetType: 'form' | 'lock';
  targetId: string;
  reason: string;
}

/** Where an unlock request's target lives (the route's access check asks it first). */
export async function unlockTargetScope(
  db: Db,
  targetType: 'form' | 'lock',
  targetId: string,
): Promise<
  { studyId: string; siteId: string | null; subjectId: string | null; locked: boolean } | undefined
> {
  if (targetType === 'form') {
    const f = await db.kysely
      .selectFrom('form_instances')
      .innerJoin('subjects', 'subjects.id', 'form_instances.subject_id')
      .select(['subjects.study_id', 'subjects.site_id', 'subjects.id as subject_id', 'form_instances.status'])
      .where('form_instances.id', '=', targetId)
      .executeTakeFirst();
    return f
      ? {
          studyId: f.study_id,
          siteId: f.site_id,
          subjectId: f.subject_id,
          locked: f.status === 'signed' || f.status === 'locked',
        }
      : undefined;
  }
  const l = await db.kysely
    .selectFrom('record_locks')
    .selectAll()
    .where('id', '=', targetId)
    .executeTakeFirst();
  return l
    ? { studyId: l.study_id, siteId: l.site_id, subjectId: l.subject_id, locked: l.released_at === null }
    : undefined;
}

/** A request to unlock a signed form or a lock, with a reason (audited); one open request per target. */
export async function requestUnlock(db: Db, actor: Actor, input: NewUnlockRequest): Promise<UnlockRequest> {
  if (!actor.id) throw new StoreError('invalid', 'an unlock is requested by a user');
  if (!input.reason.trim())
    throw new StoreError('reason_required', 'a reason is required to request an unlock', { field: 'reason' });
  assertStorable('unlock request', { reason: input.reason });
  const where = await unlockTargetScope(db, input.targetType, input.targetId);
  if (!where) throw notFound(input.targetType, input.targetId);
  if (!where.locked)
    throw new StoreError(
      'invalid',
      `${input.targetType} ${input.targetId} is not locked: there is nothing to unlock`,
      {
        field: 'targetId',
        rule: 'not-locked',
      },
    );
  return writeTransaction(db, actor, async (tx, audit) => {
    const open = await tx
      .selectFrom('unlock_requests')
      .select('id')
      .where('target_id', '=', input.targetId)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (open)
      throw new StoreError(
        'duplicate',
        `an unlock of this ${input.targetType} is already requested (${open.id})`,
        {
          field: 'targetId',
          requestId: open.id,
        },
      );
    const row: UnlockRequestTable = {
      id: newId(),
      study_id: where.studyId,
      site_id: where.siteId,
      subject_id: where.subjectId,
      target_type: input.targetType,
      target_id: input.targetId,
      reason: input.reason,
      requested_by: actor.id!,
      requested_at: audit.now,
      status: 'open',
      closed_by: null,
      closed_at: null,
      close_note: null,
      version: 1,
    };
    await tx.insertInto('unlock_requests').values(row).execute();
    await audit.record({
      action: 'unlock.request',
      entityType: 'unlock request',
      entityId: row.id,
      studyId: where.studyId,
      siteId: where.siteId,
      subjectId: where.subjectId,
      newValue: JSON.stringify({ targetType: input.targetType, targetId: input.targetId }),
      reason: input.reason,
    });
    return row;
  });
}

/** Closes the open requests to unlock a target, inside the transaction that unlocked it (audited). */
export async function closeUnlockRequests(
  tx: Tx,
  audit: AuditWriter,
  targetType: 'form' | 'lock',
  targetId: string,
  status: 'done' | 'declined',
  note: string,
): Promise<void> {
  const open = await tx
    .selectFrom('unlock_requests')
    .selectAll()
    .where('target_id', '=', targetId)
    .where('target_type', '=', targetType)
    .where('status', '=', 'open')
    .execute();
  for (const r of open) {
    await writeVersioned(
      tx,
      'unlock_requests',
      r.id,
      Number(r.version),
      { status, closed_by: audit.actor.id, closed_at: audit.now, close_note: note },
      'unlock request',
    );
    await audit.record({
      action: `unlock.${status === 'done' ? 'granted' : 'declined'}`,
      entityType: 'unlock request',
      entityId: r.id,
      studyId: r.study_id,
      siteId: r.site_id,
      subjectId: r.subject_id,
      field: 'status',
      oldValue: 'open',
      newValue: status,
      reason: note,
    });
  }
}

/** Declines an open unlock request, with a reason (audited). */
export async function declineUnlockRequest(
  db: Db,
  actor: Actor,
  requestId: string,
  expectedVersion: number,
  reason: string,
): Promise<UnlockRequest> {
  if (!reason.trim())
    throw new StoreError('reason_required', 'a reason is required to decline a request', { field: 'reason' });
  return writeTransaction(db, actor, async (tx, audit) => {
    const before = await loadForUpdate(tx, 'unlock_requests', requestId, expectedVersion, 'unlock request');
    if (before.status !== 'open')
      throw new StoreError('invalid', `unlock request ${requestId} is already ${before.status}`, {
        rule: 'request-closed',
      });
    await closeUnlockRequests(
      tx,
      audit,
      before.target_type as 'form' | 'lock',
      before.target_id,
      'declined',
      reason,
    );
    return {
      ...before,
      status: 'declined',
      closed_by: actor.id,
      closed_at: audit.now,
      close_note: reason,
      version: expectedVersion + 1,
    };
  });
}

export async function getUnlockRequest(db: Db, id: string): Promise<UnlockRequest> {
  const row = await db.kysely
    .selectFrom('unlock_requests')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('unlock request', id);
  return row;
}

/** A study's unlock requests at the given sites (undefined = all), open first, with names for the worklist. */
export async function listUnlockRequests(
  db: Db,
  studyId: string,
  opts: { siteIds?: readonly string[]; status?: string } = {},
) {
  let q = db.kysely
    .selectFrom('unlock_requests')
    .innerJoin('users', 'users.id', 'unlock_requests.requested_by')
    .leftJoin('subjects', 'subjects.id', 'unlock_requests.subject_id')
    .leftJoin('form_instances', 'form_instances.id', 'unlock_requests.target_id')
    .leftJoin('visits', 'visits.id', 'form_instances.visit_id')
    .leftJoin('record_locks', 'record_locks.id', 'unlock_requests.target_id')
    .selectAll('unlock_requests')
    .select([
      'users.display_name as requested_by_name',
      'subjects.subject_code',
      'form_instances.form_code',
      'visits.id as visit_id',
      'visits.visit_code',
      'visits.cycle',
      'record_locks.level as lock_level',
      'record_locks.kind as lock_kind',
      'record_locks.version as lock_version',
    ])
    .where('unlock_requests.study_id', '=', studyId);
  if (opts.status) q = q.where('unlock_requests.status', '=', opts.status);
  if (opts.siteIds) {
    const ids = opts.siteIds.length ? [...opts.siteIds] : [''];
    // A study-level lock has no site: it is listed to those who see every site only.
    q = q.where('unlock_requests.site_id', 'in', ids);
  }
  return q.orderBy('unlock_requests.requested_at', 'desc').orderBy('unlock_requests.id').execute();
}
