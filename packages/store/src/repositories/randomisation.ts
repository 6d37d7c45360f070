// Randomisation records (issue 24, migration 011): the study's seed, each subject's one final
// assignment, corrections as new rows, emergency unblindings. Which arm a subject gets is decided
// by core (@msct/core/randomisation) inside the same transaction as its record and audit event, so
// two concurrent randomisations can never take the same place in a sequence: writers are
// serialised by the audit head (audit/writer.ts) and the (study, stratum, sequence) key is unique.
import { createHash, randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Tx } from '../audit/types.js';
import { type Actor, writeTransaction } from '../audit/writer.js';
import type { Db } from '../database.js';
import { StoreError } from '../errors.js';
import { newId } from '../ids.js';
import type {
  Database,
  RandomisationAssignmentTable,
  RandomisationCorrectionTable,
  RandomisationListTable,
  UnblindingTable,
} from '../schema.js';

export type RandomisationAssignment = RandomisationAssignmentTable;
export type RandomisationListRecord = RandomisationListTable;
export type Unblinding = UnblindingTable;
export type RandomisationCorrection = RandomisationCorrectionTable;

/** What the allocation rule decided for one subject. */
export interface Allocation {
  stratum: string;
  sequence: number;
  arm: string;
  levels: Readonly<Record<string, string>>;
}

/** What the rule may read: the seed and every earlier assignment of the study, in order. */
export interface AllocationContext {
  seedHex: string;
  history: readonly RandomisationAssignment[];
}

export interface RandomiseInput {
  studyId: string;
  siteId: string;
  subjectId: string;
  method: string;
  /** Decides the arm (core); a thrown error rolls everything back, the seed included. */
  allocate: (ctx: AllocationContext) => Allocation;
}

/** The SHA-256 commitment of a seed, as core's parseSeed writes it. */
export const seedCommitment = (seedHex: string): string =>
  `sha256:${createHash('sha256').update(Buffer.from(seedHex, 'hex')).digest('hex')}`;

/**
 * Randomises one subject: creates the study's seed at its first randomisation (32 bytes from the
 * operating system's CSPRNG, audited by its commitment only), then records the subject's one
 * assignment. A subject already randomised is refused (the assignment is final).
 */
export async function randomiseSubject(
  db: Db,
  actor: Actor,
  input: RandomiseInput,
): Promise<{ assignment: RandomisationAssignment; seedCommitment: string }> {
  return writeTransaction(db, actor, async (tx, audit) => {
    const existing = await tx
      .selectFrom('randomisation_assignments')
      .select(['id', 'assigned_at'])
      .where('subject_id', '=', input.subjectId)
      .executeTakeFirst();
    if (existing)
      throw new StoreError(
        'conflict',
        `the subject was randomised on ${existing.assigned_at.slice(0, 10)}; an assignment is final (a correction is a new event with a reason)`,
        { entity: 'randomisation', id: existing.id },
      );
    let list = await tx
      .selectFrom('randomisation_lists')
      .selectAll()
      .where('study_id', '=', input.studyId)
      .executeTakeFirst();
    if (!list) {
      const seed = randomBytes(32).toString('hex');
      list = {
        study_id: input.studyId,
        method: input.method,
        seed_hex: seed,
        seed_commitment: seedCommitment(seed),
        created_at: audit.now,
        created_by: actor.id,
      };
      await tx.insertInto('randomisation_lists').values(list).execute();
      await audit.record({
        action: 'randomisation.list.create',
        entityType: 'randomisation_list',
        entityId: input.studyId,
        studyId: input.studyId,
        // The commitment only: the seed is the list, and the trail is read by blinded roles.
        newValue: JSON.stringify({ method: list.method, seedCommitment: list.seed_commitment }),
        reason: 'first randomisation of the study: seed drawn from the operating system CSPRNG',
      });
    }
    const history = await tx
      .selectFrom('randomisation_assignments')
      .selectAll()
      .where('study_id', '=', input.studyId)
      .orderBy('assigned_at')
      .orderBy('id')
      .execute();
    const a = input.allocate({ seedHex: list.seed_hex, history });
    const row: RandomisationAssignment = {
      id: newId(),
      study_id: input.studyId,
      site_id: input.siteId,
      subject_id: input.subjectId,
      stratum: a.stratum,
      sequence: a.sequence,
      arm: a.arm,
      levels_json: JSON.stringify(a.levels),
      assigned_at: audit.now,
      assigned_by: actor.id,
    };
    await tx.insertInto('randomisation_assignments').values(row).execute();
    await audit.record({
      action: 'subject.randomise',
      entityType: 'randomisation',
      entityId: row.id,
      ...subjectScopeOf(row),
      newValue: JSON.stringify({
        stratum: row.stratum,
        sequence: row.sequence,
        arm: row.arm,
        levels: a.levels,
      }),
    });
    return { assignment: row, seedCommitment: list.seed_commitment };
  });
}

export async function getAssignment(db: Db, subjectId: string): Promise<RandomisationAssignment | undefined> {
  return assignmentOf(db.kysely, subjectId);
}

/** A subject's one assignment, read on the database or inside a write's transaction. */
const assignmentOf = (k: Kysely<Database>, subjectId: string) =>
  k
    .selectFrom('randomisation_assignments')
    .selectAll()
    .where('subject_id', '=', subjectId)
    .executeTakeFirst();

/** The assignment a correction or an unblinding starts from; a subject never randomised is refused. */
async function requireAssignment(tx: Tx, subjectId: string, nothingTo: string) {
  const assignment = await assignmentOf(tx, subjectId);
  if (!assignment)
    throw new StoreError('conflict', `the subject is not randomised: there is no ${nothingTo}`, {
      entity: 'randomisation',
    });
  return assignment;
}

/** Where an audit event of a subject's randomisation record belongs. */
const subjectScopeOf = (r: { study_id: string; site_id: string; subject_id: string }) => ({
  studyId: r.study_id,
  siteId: r.site_id,
  subjectId: r.subject_id,
});

/** Which of a study's randomisation events a list reads: one subject's, or those at some sites. */
export interface RandomisationEventQuery {
  studyId: string;
  subjectId?: string;
  /** The sites the reader may see (undefined = every site). */
  siteIds?: readonly string[];
}

/** When each unblinding or correction was made (the order they are listed in). */
const MADE_AT = { unblindings: 'unblinded_at', randomisation_corrections: 'corrected_at' } as const;
type EventTable = keyof typeof MADE_AT;

/** Unblindings or corrections of a study, oldest first. */
async function listRandomisationEvents<T extends EventTable>(
  db: Db,
  table: T,
  q: RandomisationEventQuery,
): Promise<Database[T][]> {
  if (q.siteIds?.length === 0) return [];
  let s = db.kysely
    .selectFrom(table as EventTable)
    .selectAll()
    .where('study_id', '=', q.studyId);
  if (q.subjectId) s = s.where('subject_id', '=', q.subjectId);
  if (q.siteIds) s = s.where('site_id', 'in', q.siteIds);
  return (await s.orderBy(sql.ref(MADE_AT[table])).orderBy('id').execute()) as Database[T][];
}

/** A study's assignments in the order they were made. */
export async function listAssignments(db: Db, studyId: string): Promise<RandomisationAssignment[]> {
  return db.kysely
    .selectFrom('randomisation_assignments')
    .selectAll()
    .where('study_id', '=', studyId)
    .orderBy('assigned_at')
    .orderBy('id')
    .execute();
}

/** The study's seed record (null before its first randomisation). Callers decide who may see the seed. */
export async function getRandomisationList(db: Db, studyId: string): Promise<RandomisationListRecord | null> {
  return (
    (await db.kysely
      .selectFrom('randomisation_lists')
      .selectAll()
      .where('study_id', '=', studyId)
      .executeTakeFirst()) ?? null
  );
}

/** Emergency unblinding of one randomised subject, with its reason; audited. */
export async function unblindSubject(
  db: Db,
  actor: Actor,
  input: { subjectId: string; reason: string },
): Promise<{ unblinding: Unblinding; assignment: RandomisationAssignment }> {
  if (!input.reason.trim())
    throw new StoreError('reason_required', 'emergency unblinding needs a reason', { field: 'reason' });
  return writeTransaction(db, actor, async (tx, audit) => {
    const assignment = await requireAssignment(tx, input.subjectId, 'arm to unblind');
    const row: Unblinding = {
      id: newId(),
      study_id: assignment.study_id,
      site_id: assignment.site_id,
      subject_id: assignment.subject_id,
      reason: input.reason,
      unblinded_at: audit.now,
      unblinded_by: actor.id,
      unblinded_by_name: actor.name,
    };
    await tx.insertInto('unblindings').values(row).execute();
    await audit.record({
      action: 'subject.unblind',
      entityType: 'unblinding',
      entityId: row.id,
      ...subjectScopeOf(row),
      newValue: JSON.stringify({ arm: assignment.arm }),
      reason: input.reason,
    });
    return { unblinding: row, assignment };
  });
}

/** Unblindings of a study (or of one subject), oldest first. */
export async function listUnblindings(db: Db, q: RandomisationEventQuery): Promise<Unblinding[]> {
  return listRandomisationEvents(db, 'unblindings', q);
}

/**
 * Corrects a subject's assignment (issue 24: "a correction is a new audited event with a reason,
 * never an overwrite"): a new row from the subject's current arm (as randomised, or as last
 * corrected) to another arm of the study; the assignment row is left as it was. `arms` are the
 * study's arm ids (the caller reads them from the definition).
 */
export async function correctAssignment(
  db: Db,
  actor: Actor,
  input: { subjectId: string; toArm: string; reason: string; arms: readonly string[] },
): Promise<{ correction: RandomisationCorrection; assignment: RandomisationAssignment }> {
  if (!input.reason.trim())
    throw new StoreError('reason_required', 'a correction of an assignment needs a reason', {
      field: 'reason',
    });
  if (!input.arms.includes(input.toArm))
    throw new StoreError(
      'invalid',
      `"${input.toArm}" is not an arm of this study (${input.arms.join(', ')})`,
      { field: 'toArm' },
    );
  return writeTransaction(db, actor, async (tx, audit) => {
    const assignment = await requireAssignment(tx, input.subjectId, 'assignment to correct');
    const last = await tx
      .selectFrom('randomisation_corrections')
      .select('to_arm')
      .where('subject_id', '=', input.subjectId)
      .orderBy('corrected_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    const fromArm = last?.to_arm ?? assignment.arm;
    if (fromArm === input.toArm)
      throw new StoreError(
        'conflict',
        `the subject's arm is already ${fromArm}${last ? ' (after an earlier correction)' : ''}: nothing to correct`,
        { entity: 'randomisation', field: 'toArm' },
      );
    const row: RandomisationCorrection = {
      id: newId(),
      study_id: assignment.study_id,
      site_id: assignment.site_id,
      subject_id: assignment.subject_id,
      assignment_id: assignment.id,
      from_arm: fromArm,
      to_arm: input.toArm,
      reason: input.reason,
      corrected_at: audit.now,
      corrected_by: actor.id,
      corrected_by_name: actor.name,
    };
    await tx.insertInto('randomisation_corrections').values(row).execute();
    await audit.record({
      action: 'randomisation.correct',
      entityType: 'randomisation_correction',
      entityId: row.id,
      ...subjectScopeOf(row),
      field: 'arm',
      oldValue: fromArm,
      newValue: input.toArm,
      reason: input.reason,
    });
    return { correction: row, assignment };
  });
}

/** Corrections of a study's assignments (or of one subject's), oldest first. */
export async function listCorrections(
  db: Db,
  q: RandomisationEventQuery,
): Promise<RandomisationCorrection[]> {
  return listRandomisationEvents(db, 'randomisation_corrections', q);
}
