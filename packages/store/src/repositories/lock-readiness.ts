// The "ready to lock" report of a study or a site (issue #21): the rows core's lockReadiness judges —
// the visits, their forms with signature and verification, the queries not closed, the SDV plan and
// the definition's expected forms. Read through the handle given, so the lock's own transaction reads
// the report it is set on.
import { FULL_SDV, type LockReadiness, lockReadiness, type SdvPlan } from '@msct/core/protocol';
import type { Kysely } from 'kysely';
import type { Db } from '../database.js';
import type { Database } from '../schema.js';
import { entryDefinition } from './entry-definition.js';

export async function readLockReadiness(
  kysely: Kysely<Database>,
  location: string,
  scope: { studyId: string; siteId?: string | null },
  limit = 200,
): Promise<LockReadiness> {
  const { studyId, siteId } = scope;
  let visits = kysely
    .selectFrom('visits')
    .innerJoin('subjects', 'subjects.id', 'visits.subject_id')
    .select([
      'visits.id as visitId',
      'visits.visit_code as visitCode',
      'visits.status as status',
      'subjects.id as subjectId',
      'subjects.subject_code as subjectCode',
    ])
    .where('subjects.study_id', '=', studyId);
  let forms = kysely
    .selectFrom('form_instances')
    .innerJoin('subjects', 'subjects.id', 'form_instances.subject_id')
    .leftJoin('form_reviews', 'form_reviews.form_instance_id', 'form_instances.id')
    .select([
      'form_instances.id as formId',
      'form_instances.form_code as formCode',
      'form_instances.visit_id as visitId',
      'form_instances.signed_at as signedAt',
      'form_reviews.verified_at as verifiedAt',
    ])
    .where('subjects.study_id', '=', studyId);
  let queries = kysely
    .selectFrom('queries')
    .innerJoin('subjects', 'subjects.id', 'queries.subject_id')
    .select([
      'queries.id as queryId',
      'subjects.id as subjectId',
      'subjects.subject_code as subjectCode',
      'queries.status as status',
      'queries.text as text',
    ])
    .where('subjects.study_id', '=', studyId)
    .where('queries.status', '!=', 'closed');
  if (siteId) {
    visits = visits.where('subjects.site_id', '=', siteId);
    forms = forms.where('subjects.site_id', '=', siteId);
    queries = queries.where('subjects.site_id', '=', siteId);
  }
  const [visitRows, formRows, queryRows, planRow, definition] = await Promise.all([
    visits.orderBy('subjects.subject_code').orderBy('visits.cycle').orderBy('visits.visit_code').execute(),
    forms.orderBy('subjects.subject_code').execute(),
    queries.orderBy('queries.raised_at').execute(),
    kysely
      .selectFrom('study_sdv_plans')
      .select('plan_json')
      .where('study_id', '=', studyId)
      .executeTakeFirst(),
    entryDefinition(kysely, location, studyId),
  ]);
  const plan: SdvPlan = planRow ? (JSON.parse(planRow.plan_json) as SdvPlan) : FULL_SDV;
  return lockReadiness({
    plan,
    expectedForms: definition.definition.forms,
    visits: visitRows,
    forms: formRows.map((f) => ({
      formId: f.formId,
      formCode: f.formCode,
      visitId: f.visitId,
      signed: f.signedAt !== null,
      verified: f.verifiedAt !== null,
    })),
    queries: queryRows,
    limit,
  });
}

/** The report as the administrator reads it before locking. */
export function lockReadinessOf(
  db: Db,
  scope: { studyId: string; siteId?: string | null },
): Promise<LockReadiness> {
  return readLockReadiness(db.kysely, db.location, scope);
}
