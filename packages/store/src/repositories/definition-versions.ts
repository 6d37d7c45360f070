// Versions of a study's definition and protocol amendments (issue #20, "Versions and amendments").
// Every version is kept in `study_definitions` (migration 007), never overwritten; the study row holds
// the current one (`definition_json`, `definition_version`), which entry reads (entry-definition.ts)
// and binds new visits, forms and values to. An amendment is checked against the stored data first:
// core's amendment report (protocol/amendment-report.ts) reads only the values a change can make
// invalid, and nothing is deleted: values of a removed item, form or visit stay where they are.
import { createHash } from 'node:crypto';
import {
  type AmendmentReport,
  amendmentReport,
  amendmentScope,
  type StoredDefinition,
  type StoredValue,
  type StudyDefinition,
  storedDefinition,
} from '@msct/core/protocol';
import type { Kysely } from 'kysely';
import { type Actor, writeTransaction } from '../audit/writer.js';
import type { Db } from '../database.js';
import { conflict, notFound, StoreError } from '../errors.js';
import type { Database, StudyTable } from '../schema.js';

export interface DefinitionVersion {
  version: number;
  createdAt: string;
  createdBy: string | null;
  createdByName: string;
  reason: string | null;
  /** SHA-256 of the version's JSON as stored (what the audit trail names). */
  definitionSha256: string;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Every version of a study's definition, oldest first. */
export async function listDefinitionVersions(db: Db, studyId: string): Promise<DefinitionVersion[]> {
  const study = await db.kysely
    .selectFrom('studies')
    .select('id')
    .where('id', '=', studyId)
    .executeTakeFirst();
  if (!study) throw notFound('study', studyId);
  const rows = await db.kysely
    .selectFrom('study_definitions')
    .selectAll()
    .where('study_id', '=', studyId)
    .orderBy('version')
    .execute();
  return rows.map((r) => ({
    version: Number(r.version),
    createdAt: r.created_at,
    createdBy: r.created_by,
    createdByName: r.created_by_name,
    reason: r.reason,
    definitionSha256: sha256(r.definition_json),
  }));
}

/** One version's definition JSON as stored. */
export async function getDefinitionVersion(db: Db, studyId: string, version: number): Promise<string> {
  const row = await db.kysely
    .selectFrom('study_definitions')
    .select('definition_json')
    .where('study_id', '=', studyId)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) throw notFound('study definition version', `${studyId}/${version}`);
  return row.definition_json;
}

/** The stored values an amendment from `before` to `after` may make invalid (core's scope). */
async function valuesInScope(
  kysely: Kysely<Database>,
  studyId: string,
  before: StoredDefinition,
  after: StoredDefinition,
): Promise<StoredValue[]> {
  const scope = amendmentScope(before, after);
  if (!scope.all && scope.formCodes.length === 0 && scope.visitCodes.length === 0) return [];
  let q = kysely
    .selectFrom('item_values')
    .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
    .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
    .innerJoin('subjects', 'subjects.id', 'visits.subject_id')
    .select([
      'subjects.subject_code',
      'visits.visit_code',
      'visits.cycle',
      'form_instances.form_code',
      'item_values.item_code',
      'item_values.value',
      'item_values.unit',
    ])
    .where('subjects.study_id', '=', studyId);
  if (!scope.all)
    q = q.where((eb) =>
      eb.or([
        ...(scope.formCodes.length > 0 ? [eb('form_instances.form_code', 'in', scope.formCodes)] : []),
        ...(scope.visitCodes.length > 0 ? [eb('visits.visit_code', 'in', scope.visitCodes)] : []),
      ]),
    );
  const rows = await q
    .orderBy('subjects.subject_code')
    .orderBy('visits.cycle')
    .orderBy('visits.visit_code')
    .orderBy('form_instances.form_code')
    .orderBy('item_values.item_code')
    .execute();
  return rows.map((r) => ({
    subjectCode: r.subject_code,
    visitCode: r.visit_code,
    cycle: Number(r.cycle),
    formCode: r.form_code,
    itemCode: r.item_code,
    value: r.value,
    unit: r.unit,
  }));
}

export interface AmendmentCheck {
  studyId: string;
  studyCode: string;
  /** The study's version the report was made against (an apply must name it). */
  studyVersion: number;
  fromVersion: number;
  toVersion: number;
  report: AmendmentReport;
}

async function check(
  kysely: Kysely<Database>,
  study: StudyTable,
  definition: StudyDefinition,
): Promise<AmendmentCheck> {
  const before = storedDefinition(study.definition_json, study.code);
  const values = await valuesInScope(kysely, study.id, before, definition);
  const fromVersion = Number(study.definition_version);
  return {
    studyId: study.id,
    studyCode: study.code,
    studyVersion: Number(study.version),
    fromVersion,
    toVersion: fromVersion + 1,
    report: amendmentReport(before, definition, values, { studyCode: study.code }),
  };
}

/**
 * The amendment report of `definition` (already validated: core's validateStudyDefinition) against
 * the study's current version and stored data. Writes nothing.
 */
export async function checkAmendment(
  db: Db,
  studyId: string,
  definition: StudyDefinition,
): Promise<AmendmentCheck> {
  const study = await db.kysely
    .selectFrom('studies')
    .selectAll()
    .where('id', '=', studyId)
    .executeTakeFirst();
  if (!study) throw notFound('study', studyId);
  return check(db.kysely, study, definition);
}

export interface Amendment {
  studyId: string;
  /** The validated new definition. */
  definition: StudyDefinition;
  reason: string;
  /** The study's version the caller read (a stale one is refused as a conflict, nothing written). */
  expectedVersion: number;
}

/**
 * Applies a protocol amendment: the new definition becomes the next version (the old ones kept), with
 * its report made inside the same transaction, audited as `study.definition.amend` (the definitions'
 * SHA-256 and version numbers before and after, the reason). Stored values are never changed.
 */
export async function amendStudyDefinition(db: Db, actor: Actor, input: Amendment): Promise<AmendmentCheck> {
  if (!input.reason.trim())
    throw new StoreError('reason_required', 'a reason is required to amend the study definition', {
      field: 'reason',
    });
  return writeTransaction(db, actor, async (tx, audit) => {
    const study = await tx
      .selectFrom('studies')
      .selectAll()
      .where('id', '=', input.studyId)
      .executeTakeFirst();
    if (!study) throw notFound('study', input.studyId);
    const current = Number(study.version);
    if (current !== input.expectedVersion) throw conflict('study', study.id, input.expectedVersion, current);
    const result = await check(tx, study, input.definition);
    const json = JSON.stringify(input.definition);
    await tx
      .insertInto('study_definitions')
      .values({
        study_id: study.id,
        version: result.toVersion,
        definition_json: json,
        created_at: audit.now,
        created_by: actor.id,
        created_by_name: actor.name,
        reason: input.reason,
      })
      .execute();
    const updated = await tx
      .updateTable('studies')
      .set({ definition_json: json, definition_version: result.toVersion, version: current + 1 })
      .where('id', '=', study.id)
      .where('version', '=', current)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1)
      throw conflict('study', study.id, input.expectedVersion, current + 1);
    await audit.record({
      action: 'study.definition.amend',
      entityType: 'study',
      entityId: study.id,
      studyId: study.id,
      field: 'definition',
      oldValue: JSON.stringify({
        definitionSha256: sha256(study.definition_json),
        definitionVersion: result.fromVersion,
      }),
      newValue: JSON.stringify({
        definitionSha256: sha256(json),
        definitionVersion: result.toVersion,
        invalidValues: result.report.invalidValuesTotal,
      }),
      reason: input.reason,
    });
    return { ...result, studyVersion: current + 1 };
  });
}
