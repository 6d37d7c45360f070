// Signing in one ceremony (issue 21): an investigator signs a whole visit or a whole casebook with
// one password entry. Each form's signature is recorded on the form (who, when, the meaning signed:
// 21 CFR 11.50) and audited on its own (form.sign, as forms.ts signs one form), all in one
// transaction: every form is signed or none. The caller names each form with the version it showed;
// a stale version, or a form of the visit/casebook the caller did not see, is a conflict (409).
import type { Actor } from '../audit/writer.js';
import { writeTransaction } from '../audit/writer.js';
import type { Db } from '../database.js';
import { conflict, notFound, StoreError } from '../errors.js';
import type { FormInstanceTable } from '../schema.js';
import { refuseRecordLock } from './record-locks.js';
import { writeVersioned } from './versioned.js';

export interface SignFormsInput {
  subjectId: string;
  /** The visit signed; absent: the whole casebook (every visit of the subject). */
  visitId?: string;
  /** Every form still to sign in that scope, with the version the signer was shown. */
  forms: readonly { formId: string; version: number }[];
  /** The meaning of the signature, as shown to the signer. */
  meaning: string;
}

/** Signs every unsigned form of a visit or a casebook; refused whole if any form is not ready. */
export async function signForms(db: Db, actor: Actor, input: SignFormsInput): Promise<FormInstanceTable[]> {
  if (!actor.id) throw new StoreError('invalid', 'a signature is given by a user');
  return writeTransaction(db, actor, async (tx, audit) => {
    const s = await tx
      .selectFrom('subjects')
      .select(['id', 'study_id', 'site_id', 'subject_code'])
      .where('id', '=', input.subjectId)
      .executeTakeFirst();
    if (!s) throw notFound('subject', input.subjectId);
    let q = tx
      .selectFrom('form_instances')
      .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
      .selectAll('form_instances')
      .select(['visits.visit_code', 'visits.cycle'])
      .where('visits.subject_id', '=', s.id);
    if (input.visitId) q = q.where('visits.id', '=', input.visitId);
    const inScope = await q.execute();
    const where = input.visitId
      ? `visit ${inScope[0]?.visit_code ?? input.visitId}`
      : `casebook ${s.subject_code}`;
    if (input.visitId) {
      const v = await tx
        .selectFrom('visits')
        .select(['id', 'subject_id'])
        .where('id', '=', input.visitId)
        .executeTakeFirst();
      if (!v || v.subject_id !== s.id) throw notFound('visit', input.visitId);
    }
    await refuseRecordLock(
      tx,
      db.dialect,
      { studyId: s.study_id, siteId: s.site_id, subjectId: s.id },
      `signing ${where}`,
      {
        signature: true,
      },
    );
    const byId = new Map(inScope.map((f) => [f.id, f]));
    const asked = new Map<string, number>();
    for (const f of input.forms) {
      if (asked.has(f.formId))
        throw new StoreError('invalid', `form ${f.formId} is named twice`, {
          field: 'forms',
          rule: 'duplicate',
        });
      asked.set(f.formId, f.version);
      if (!byId.has(f.formId)) throw notFound(`form of ${where}`, f.formId);
    }
    const label = (f: (typeof inScope)[number]) =>
      `${f.form_code}${Number(f.record) > 1 ? ` record ${f.record}` : ''} of visit ${f.visit_code}${Number(f.cycle) > 1 ? ` (cycle ${f.cycle})` : ''}`;
    // Every form still unsigned in the scope must be among those shown to the signer.
    const unseen = inScope.filter((f) => f.status !== 'signed' && f.status !== 'locked' && !asked.has(f.id));
    if (unseen.length > 0)
      throw new StoreError(
        'conflict',
        `${where} has forms you were not shown (${unseen.map(label).join(', ')}): reload and review before signing`,
        { field: 'forms', rule: 'scope-changed', forms: unseen.map((f) => f.id) },
      );
    if (input.forms.length === 0)
      throw new StoreError('invalid', `${where} has no form awaiting a signature`, {
        field: 'forms',
        rule: 'nothing-to-sign',
      });
    for (const f of input.forms) {
      const row = byId.get(f.formId)!;
      if (Number(row.version) !== f.version)
        throw conflict(`form ${label(row)}`, row.id, f.version, Number(row.version));
    }
    const notReady = input.forms.map((f) => byId.get(f.formId)!).filter((f) => f.status !== 'complete');
    if (notReady.length > 0)
      throw new StoreError(
        'invalid',
        `only complete forms can be signed: ${notReady.map((f) => `${label(f)} is ${f.status}`).join('; ')}`,
        { field: 'forms', rule: 'form-not-complete', forms: notReady.map((f) => f.id) },
      );
    const signed: FormInstanceTable[] = [];
    for (const f of input.forms) {
      const { visit_code: _v, cycle: _c, ...before } = byId.get(f.formId)!;
      const cols = {
        status: 'signed',
        signed_by: actor.id,
        signed_at: audit.now,
        signature_meaning: input.meaning,
      };
      const version = await writeVersioned(tx, 'form_instances', before.id, f.version, cols, 'form');
      await audit.record({
        action: 'form.sign',
        entityType: 'form',
        entityId: before.id,
        studyId: s.study_id,
        siteId: s.site_id,
        subjectId: s.id,
        field: 'status',
        oldValue: before.status,
        newValue: 'signed',
        reason: input.meaning,
      });
      signed.push({ ...before, ...cols, version });
    }
    return signed;
  });
}

/** The forms of a subject with their visit and signature (the signer's full name): the casebook's signature state. */
export async function listSubjectSignatures(db: Db, subjectId: string) {
  return db.kysely
    .selectFrom('form_instances')
    .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
    .leftJoin('users', 'users.id', 'form_instances.signed_by')
    .selectAll('form_instances')
    .select(['visits.visit_code', 'visits.cycle', 'visits.visit_date', 'users.display_name as signer_name'])
    .where('visits.subject_id', '=', subjectId)
    .orderBy('visits.created_at')
    .orderBy('visits.id')
    .orderBy('form_instances.form_code')
    .execute();
}

/** The signers' full names of some forms, by form id (the visit page shows who signed). */
export async function signerNames(db: Db, userIds: readonly string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.kysely
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('id', 'in', [...new Set(userIds)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

/**
 * Investigator's worklist: complete, unsigned forms at the given sites (undefined = every site),
 * by subject and visit. Bounded: at most `limit` forms, oldest visits first.
 */
export async function listAwaitingSignature(
  db: Db,
  studyId: string,
  siteIds: readonly string[] | undefined,
  limit = 2000,
) {
  let q = db.kysely
    .selectFrom('form_instances')
    .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
    .innerJoin('subjects', 'subjects.id', 'visits.subject_id')
    .innerJoin('sites', 'sites.id', 'subjects.site_id')
    .select([
      'form_instances.id',
      'form_instances.form_code',
      'form_instances.version',
      'visits.id as visit_id',
      'visits.visit_code',
      'visits.cycle',
      'visits.visit_date',
      'subjects.id as subject_id',
      'subjects.subject_code',
      'sites.code as site_code',
    ])
    .where('subjects.study_id', '=', studyId)
    .where('form_instances.status', '=', 'complete');
  if (siteIds) q = q.where('subjects.site_id', 'in', siteIds.length ? [...siteIds] : ['']);
  return q
    .orderBy('subjects.subject_code')
    .orderBy('visits.created_at')
    .orderBy('visits.id')
    .orderBy('form_instances.form_code')
    .limit(limit)
    .execute();
}
