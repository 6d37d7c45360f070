// Review and source data verification of forms (issue 21, migration 008). A monitor marks a form
// "source verified" and/or "reviewed" (audited, guarded by the review row's version); a change to one
// of the form's values clears its verification and stamps the change (touchFormReview, called by the
// item writer in the change's own transaction, so every write path — form save, CSV, ODM — clears it).
// The study's SDV plan says which forms need verification (core protocol/sdv-plan.ts).
// Review events are audited as the entity "form review" (id: the form's), not "form": the review row
// has its own version, and the form's own version (and its replay in audit/verify-data.ts) is untouched.
import { FULL_SDV, type SdvPlan } from '@msct/core/protocol';
import type { Actor, AuditEntry, AuditWriter, Tx } from '../audit/writer.js';
import { writeTransaction } from '../audit/writer.js';
import type { Db } from '../database.js';
import { conflict, notFound, StoreError } from '../errors.js';
import type { FormReviewTable } from '../schema.js';
import { subjectRow } from './visit-scope.js';

export type FormReview = FormReviewTable;
export type ReviewMark = 'verified' | 'reviewed';

/** The review row of a form as a client reads it: version 0 when the form was never marked. */
export function emptyReview(formId: string, subjectId: string): FormReview {
  return {
    form_instance_id: formId,
    subject_id: subjectId,
    verified_by: null,
    verified_at: null,
    reviewed_by: null,
    reviewed_at: null,
    changed_at: null,
    version: 0,
  };
}

/**
 * A monitor marks a form source verified or reviewed. `expectedVersion` is the review's version the
 * monitor read (0: never marked); a stale one is a conflict. Marking again what is marked changes nothing.
 */
export async function markFormReview(
  db: Db,
  actor: Actor,
  formId: string,
  mark: ReviewMark,
  expectedVersion: number,
): Promise<FormReview> {
  return reviewTransaction(db, actor, formId, 'forms are reviewed', (tx, audit, by, form) =>
    markInTransaction(tx, audit, by, form, mark, expectedVersion),
  );
}

/** The form a review write marks (the whole form, or one of its items). */
export interface ReviewedForm {
  id: string;
  subject_id: string;
  form_code: string;
}

/**
 * One review write by a user (a form's mark, or one item's source verification), in one transaction
 * with the form read first: an unknown form is not found. `what` says what is marked ("items are
 * verified"), for the refusal of a write without a user.
 */
export async function reviewTransaction<T>(
  db: Db,
  actor: Actor,
  formId: string,
  what: string,
  work: (tx: Tx, audit: AuditWriter, by: string, form: ReviewedForm) => Promise<T>,
): Promise<T> {
  if (!actor.id) throw new StoreError('invalid', `${what} by users`);
  const by = actor.id;
  return writeTransaction(db, actor, async (tx, audit) => {
    const form = await tx
      .selectFrom('form_instances')
      .select(['id', 'subject_id', 'form_code'])
      .where('id', '=', formId)
      .executeTakeFirst();
    if (!form) throw notFound('form', formId);
    return work(tx, audit, by, form);
  });
}

/** Records a review event of a form, where its subject lives (study and site). */
export async function recordReviewEvent(
  tx: Tx,
  audit: AuditWriter,
  subjectId: string,
  event: Omit<AuditEntry, 'studyId' | 'siteId' | 'subjectId'>,
): Promise<void> {
  const s = await subjectRow(tx, subjectId);
  await audit.record({ ...event, studyId: s.study_id, siteId: s.site_id, subjectId: s.id });
}

/** One form's mark inside the caller's transaction (a single mark, or each form of a bulk verification). */
async function markInTransaction(
  tx: Tx,
  audit: AuditWriter,
  by: string,
  form: ReviewedForm,
  mark: ReviewMark,
  expectedVersion: number,
): Promise<FormReview> {
  const formId = form.id;
  const before =
    (await tx
      .selectFrom('form_reviews')
      .selectAll()
      .where('form_instance_id', '=', formId)
      .executeTakeFirst()) ?? emptyReview(formId, form.subject_id);
  const current = Number(before.version);
  if (current !== expectedVersion) throw conflict('form review', formId, expectedVersion, current);
  // Marking again what holds changes nothing; a review is given again after a change since it.
  if (mark === 'verified' && before.verified_at !== null) return before;
  if (
    mark === 'reviewed' &&
    before.reviewed_at !== null &&
    (before.changed_at === null || before.changed_at <= before.reviewed_at)
  )
    return before;
  const changes: Partial<FormReview> =
    mark === 'verified'
      ? { verified_by: by, verified_at: audit.now }
      : { reviewed_by: by, reviewed_at: audit.now };
  const after: FormReview = { ...before, ...changes, version: current + 1 };
  if (current === 0) await tx.insertInto('form_reviews').values(after).execute();
  else {
    const res = await tx
      .updateTable('form_reviews')
      .set({ ...changes, version: current + 1 })
      .where('form_instance_id', '=', formId)
      .where('version', '=', current)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw conflict('form review', formId, current, current + 1);
  }
  await recordReviewEvent(tx, audit, form.subject_id, {
    action: mark === 'verified' ? 'form.verify' : 'form.review',
    entityType: 'form review',
    entityId: formId,
    field: mark === 'verified' ? 'source verified' : 'reviewed',
    oldValue: null,
    newValue: `${form.form_code}: ${mark === 'verified' ? 'source verified' : 'reviewed'}`,
  });
  return after;
}

/**
 * Source verification of every form of a visit or of a subject's casebook in one action (issue #21):
 * each form the monitor was shown (`forms`: id and the review version read) is verified, recorded and
 * audited on its own, in one transaction. A form of the scope not yet verified that the monitor was
 * not shown refuses the whole action (409: it may have arrived since the page was read), as a stale
 * version does; a form outside the scope is not found. Forms already verified are left as they are.
 */
export async function verifyForms(
  db: Db,
  actor: Actor,
  scope: { visitId: string } | { subjectId: string },
  forms: readonly { formId: string; version: number }[],
): Promise<{ verified: string[]; alreadyVerified: string[] }> {
  if (!actor.id) throw new StoreError('invalid', 'forms are verified by users');
  const by = actor.id;
  return writeTransaction(db, actor, async (tx, audit) => {
    let q = tx
      .selectFrom('form_instances')
      .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
      .leftJoin('form_reviews', 'form_reviews.form_instance_id', 'form_instances.id')
      .select([
        'form_instances.id',
        'form_instances.subject_id',
        'form_instances.form_code',
        'visits.visit_code',
        'form_reviews.verified_at',
      ]);
    q =
      'visitId' in scope
        ? q.where('form_instances.visit_id', '=', scope.visitId)
        : q.where('form_instances.subject_id', '=', scope.subjectId);
    const inScope = new Map((await q.orderBy('visits.visit_code').execute()).map((f) => [f.id, f]));
    const shown = new Map(forms.map((f) => [f.formId, f.version]));
    for (const id of shown.keys()) if (!inScope.has(id)) throw notFound('form', id);
    const verified: string[] = [];
    const alreadyVerified: string[] = [];
    for (const f of inScope.values()) {
      if (f.verified_at !== null) {
        alreadyVerified.push(f.id);
        continue;
      }
      const version = shown.get(f.id);
      if (version === undefined)
        throw new StoreError(
          'conflict',
          `form ${f.form_code} of visit ${f.visit_code} was not shown to you: reload and verify again`,
          { entity: 'form review', id: f.id },
        );
      await markInTransaction(tx, audit, by, f, 'verified', version);
      verified.push(f.id);
    }
    return { verified, alreadyVerified };
  });
}

/**
 * A value of the form changed (the item writer calls this in the change's transaction): a verified
 * form loses its verification (audited, naming the change), and the change is stamped so the
 * worklist shows the form as changed since its review. A form never marked has nothing to clear
 * (false: the form has no review row, and so no item verified on its own either).
 */
export async function touchFormReview(
  tx: Tx,
  audit: AuditWriter,
  formId: string,
  scope: { studyId: string; siteId: string; subjectId: string },
  field: string,
): Promise<boolean> {
  const row = await tx
    .selectFrom('form_reviews')
    .select(['verified_at', 'version'])
    .where('form_instance_id', '=', formId)
    .executeTakeFirst();
  if (!row) return false;
  const version = Number(row.version) + 1;
  await tx
    .updateTable('form_reviews')
    .set({ changed_at: audit.now, verified_by: null, verified_at: null, version })
    .where('form_instance_id', '=', formId)
    .execute();
  if (row.verified_at !== null)
    await audit.record({
      action: 'form.verify.clear',
      entityType: 'form review',
      entityId: formId,
      ...scope,
      field: 'source verified',
      oldValue: row.verified_at,
      newValue: null,
      reason: `${field} changed after the form was source verified`,
    });
  return true;
}

/** The review rows of a visit's forms (forms never marked have none). */
export async function listVisitFormReviews(db: Db, visitId: string): Promise<FormReview[]> {
  return db.kysely
    .selectFrom('form_reviews')
    .innerJoin('form_instances', 'form_instances.id', 'form_reviews.form_instance_id')
    .selectAll('form_reviews')
    .where('form_instances.visit_id', '=', visitId)
    .execute();
}

/** Display names of the users who marked reviews, by user id. */
export async function reviewerNames(db: Db, ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((x): x is string => x !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db.kysely
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('id', 'in', wanted)
    .execute();
  return new Map(rows.map((u) => [u.id, u.display_name]));
}

/** The study's SDV plan and its version (0: never set, every form needs SDV). */
export async function getSdvPlan(db: Db, studyId: string): Promise<{ plan: SdvPlan; version: number }> {
  const row = await db.kysely
    .selectFrom('study_sdv_plans')
    .select(['plan_json', 'version'])
    .where('study_id', '=', studyId)
    .executeTakeFirst();
  return row
    ? { plan: JSON.parse(row.plan_json) as SdvPlan, version: Number(row.version) }
    : { plan: FULL_SDV, version: 0 };
}

/** Sets the study's SDV plan (admin), audited, guarded by the version read. */
export async function setSdvPlan(
  db: Db,
  actor: Actor,
  studyId: string,
  plan: SdvPlan,
  expectedVersion: number,
): Promise<{ plan: SdvPlan; version: number }> {
  if (!actor.id) throw new StoreError('invalid', 'the SDV plan is set by users');
  const by = actor.id;
  return writeTransaction(db, actor, async (tx, audit) => {
    const study = await tx.selectFrom('studies').select('id').where('id', '=', studyId).executeTakeFirst();
    if (!study) throw notFound('study', studyId);
    const before = await tx
      .selectFrom('study_sdv_plans')
      .select(['plan_json', 'version'])
      .where('study_id', '=', studyId)
      .executeTakeFirst();
    const current = before ? Number(before.version) : 0;
    if (current !== expectedVersion) throw conflict('SDV plan', studyId, expectedVersion, current);
    const planJson = JSON.stringify(plan);
    const version = current + 1;
    if (!before)
      await tx
        .insertInto('study_sdv_plans')
        .values({ study_id: studyId, plan_json: planJson, updated_at: audit.now, updated_by: by, version })
        .execute();
    else {
      const res = await tx
        .updateTable('study_sdv_plans')
        .set({ plan_json: planJson, updated_at: audit.now, updated_by: by, version })
        .where('study_id', '=', studyId)
        .where('version', '=', current)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) throw conflict('SDV plan', studyId, current, version);
    }
    await audit.record({
      action: 'study.sdv-plan',
      entityType: 'study',
      entityId: studyId,
      studyId,
      field: 'sdv plan',
      oldValue: before?.plan_json ?? JSON.stringify(FULL_SDV),
      newValue: planJson,
    });
    return { plan, version };
  });
}

export interface WorklistForm {
  formId: string;
  formCode: string;
  formStatus: string;
  visitId: string;
  visitCode: string;
  cycle: number;
  subjectId: string;
  subjectCode: string;
  siteId: string;
  reviewedAt: string | null;
  verifiedAt: string | null;
  changedAt: string | null;
}

export interface MonitorWorklist {
  /** Forms reviewed or verified before, whose values changed since their last review: one page. */
  changedSinceReview: WorklistForm[];
  /** Forms the SDV plan needs verified that are not (or no longer) verified: one page. */
  unverified: WorklistForm[];
  /** How many forms each list holds in all (the pages above hold at most `limit` from `offset`). */
  totals: { changedSinceReview: number; unverified: number };
  offset: number;
  limit: number;
  answeredQueries: {
    id: string;
    subjectId: string;
    subjectCode: string;
    siteId: string;
    field: string | null;
    entityType: string;
    text: string;
    raisedAt: string;
    answeredAt: string | null;
  }[];
  /** Serious adverse events recorded on or after `saeSince`. */
  newSaes: {
    id: string;
    subjectId: string;
    subjectCode: string;
    siteId: string;
    term: string;
    onsetDate: string;
    createdAt: string;
  }[];
}

/** Forms per page of the worklist's two form lists, unless the caller asks for another size. */
export const WORKLIST_PAGE = 200;

/**
 * A monitor's worklist at the given sites (undefined: every site): four reads, each one indexed join
 * over the study's forms, queries or adverse events. The two form lists are paged in the database
 * (`offset`, `limit`, in site, subject, visit order) with their totals counted there: a trial with no
 * verification yet has every form unverified (about 500 000 at 20 000 patients), which must not be
 * read, held or sent at once (issue 16: 192 MB and 1.9 GB of server memory before).
 */
export async function monitorWorklist(
  db: Db,
  opts: { studyId: string; siteIds?: readonly string[]; saeSince: string; offset?: number; limit?: number },
): Promise<MonitorWorklist> {
  const offset = opts.offset ?? 0;
  const limit = opts.limit ?? WORKLIST_PAGE;
  if (opts.siteIds && opts.siteIds.length === 0)
    return {
      changedSinceReview: [],
      unverified: [],
      totals: { changedSinceReview: 0, unverified: 0 },
      offset,
      limit,
      answeredQueries: [],
      newSaes: [],
    };
  const sites = opts.siteIds;
  const { plan } = await getSdvPlan(db, opts.studyId);
  const base = () => {
    let q = db.kysely
      .selectFrom('form_instances')
      .innerJoin('subjects', 'subjects.id', 'form_instances.subject_id')
      .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
      .leftJoin('form_reviews', 'form_reviews.form_instance_id', 'form_instances.id')
      .where('subjects.study_id', '=', opts.studyId);
    if (sites) q = q.where('subjects.site_id', 'in', sites);
    return q;
  };
  type Base = ReturnType<typeof base>;
  // Changed after its last review, or after a verification the change cleared (never reviewed).
  const changed = (q: Base) =>
    q.where((eb) =>
      eb.and([
        eb('form_reviews.changed_at', 'is not', null),
        eb.or([
          eb('form_reviews.reviewed_at', 'is', null),
          eb('form_reviews.changed_at', '>', eb.ref('form_reviews.reviewed_at')),
        ]),
      ]),
    );
  // Not verified, and needed by the SDV plan: the SQL form of core's needsSdv (sdv-plan.ts).
  const unverifiedWhere = (q: Base) =>
    q.where((eb) => {
      const needed =
        plan.mode === 'all'
          ? eb.lit(true)
          : eb.or(
              plan.rules.map((r) =>
                r.visitCode === undefined
                  ? eb('form_instances.form_code', '=', r.formCode)
                  : eb.and([
                      eb('form_instances.form_code', '=', r.formCode),
                      eb('visits.visit_code', '=', r.visitCode),
                    ]),
              ),
            );
      return eb.and([eb('form_reviews.verified_at', 'is', null), needed]);
    });
  const page = (q: Base) =>
    q
      .select([
        'form_instances.id as formId',
        'form_instances.form_code as formCode',
        'form_instances.status as formStatus',
        'visits.id as visitId',
        'visits.visit_code as visitCode',
        'visits.cycle as cycle',
        'subjects.id as subjectId',
        'subjects.subject_code as subjectCode',
        'subjects.site_id as siteId',
        'form_reviews.reviewed_at as reviewedAt',
        'form_reviews.verified_at as verifiedAt',
        'form_reviews.changed_at as changedAt',
      ])
      .orderBy('subjects.site_id')
      .orderBy('subjects.subject_code')
      .orderBy('visits.visit_code')
      .orderBy('form_instances.id')
      .limit(limit)
      .offset(offset)
      .execute()
      .then((rows) => rows.map((f) => ({ ...f, cycle: Number(f.cycle) })));
  const count = (q: Base) =>
    q
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  const noRules = plan.mode === 'subset' && plan.rules.length === 0;
  const [changedSinceReview, changedTotal, unverified, unverifiedTotal] = await Promise.all([
    page(changed(base())),
    count(changed(base())),
    noRules ? [] : page(unverifiedWhere(base())),
    noRules ? 0 : count(unverifiedWhere(base())),
  ]);

  let queries = db.kysely
    .selectFrom('queries')
    .innerJoin('subjects', 'subjects.id', 'queries.subject_id')
    .select([
      'queries.id',
      'queries.subject_id as subjectId',
      'subjects.subject_code as subjectCode',
      'subjects.site_id as siteId',
      'queries.field',
      'queries.entity_type as entityType',
      'queries.text',
      'queries.raised_at as raisedAt',
      (eb) =>
        eb
          .selectFrom('query_messages')
          .select((m) => m.fn.max('query_messages.created_at').as('at'))
          .whereRef('query_messages.query_id', '=', 'queries.id')
          .where('query_messages.kind', '=', 'answer')
          .as('answeredAt'),
    ])
    .where('subjects.study_id', '=', opts.studyId)
    .where('queries.status', '=', 'answered');
  if (sites) queries = queries.where('subjects.site_id', 'in', sites);

  let saes = db.kysely
    .selectFrom('adverse_events')
    .innerJoin('subjects', 'subjects.id', 'adverse_events.subject_id')
    .select([
      'adverse_events.id',
      'adverse_events.subject_id as subjectId',
      'subjects.subject_code as subjectCode',
      'subjects.site_id as siteId',
      'adverse_events.term',
      'adverse_events.onset_date as onsetDate',
      'adverse_events.created_at as createdAt',
    ])
    .where('subjects.study_id', '=', opts.studyId)
    .where('adverse_events.serious', '=', 1)
    .where('adverse_events.created_at', '>=', opts.saeSince);
  if (sites) saes = saes.where('subjects.site_id', 'in', sites);

  const [answeredQueries, newSaes] = await Promise.all([
    queries.orderBy('queries.raised_at').execute(),
    saes.orderBy('adverse_events.created_at', 'desc').execute(),
  ]);
  return {
    changedSinceReview,
    unverified,
    totals: { changedSinceReview: changedTotal, unverified: unverifiedTotal },
    offset,
    limit,
    answeredQueries: answeredQueries.map((q) => ({
      ...q,
      answeredAt: (q.answeredAt as string | null) ?? null,
    })),
    newSaes,
  };
}
