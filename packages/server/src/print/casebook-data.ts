// The patient casebook's content (issue #22): everything the subject's record shows a user, read
// with that user's rights — site scoping is the caller's (enforceOnSubject), pseudonymised roles get
// the pseudonym, no birth date and per-subject shifted dates (deid/date-shift.ts, as every API
// answer), and a role the study blinds neither the arm-revealing forms/items nor their audit events
// (access/blinding.ts, as the visit and audit routes).
import { SIGNATURE_MEANING } from '@msct/contract';
import {
  type Db,
  getStudy,
  getSubject,
  listAttachments,
  listAuditEvents,
  listForms,
  listItems,
  listSubjectRecords,
  listVisits,
  signerNames,
} from '@msct/store';
import { armRevealingFilter, blindAuditEvent, isBlinded } from '../access/blinding.js';
import { decide, type Principal, seesIdentifiers } from '../access/policy.js';
import { studyDefinition } from '../clinical/study-definition.js';
import { deidentifyDates } from '../deid/date-shift.js';
import { toAe } from '../routes/safety.js';
import { toSubject } from '../routes/subjects.js';
import { signatureOf } from '../routes/visits.js';

/** The whole audit trail of a subject is printed; beyond this many events the casebook says so. */
export const CASEBOOK_AUDIT_LIMIT = 10_000;

export async function loadCasebook(db: Db, p: Principal, subjectId: string) {
  const s = await getSubject(db, subjectId);
  const { definition } = await studyDefinition(db, s.study_id);
  const study = await getStudy(db, s.study_id);
  const site = await db.kysely
    .selectFrom('sites')
    .select(['code', 'name'])
    .where('id', '=', s.site_id)
    .executeTakeFirst();
  const filter = armRevealingFilter(p, s.study_id, definition);
  const blinded = isBlinded(p, s.study_id, definition);

  const visits = await listVisits(db, subjectId);
  // Every form of the subject by id (arm-revealing ones included), so a file names its form.
  const formOf = new Map<string, { formCode: string; visitId: string }>();
  const visitForms = await Promise.all(
    visits.map(async (v) => {
      const all = await listForms(db, v.id);
      for (const f of all) formOf.set(f.id, { formCode: f.form_code, visitId: v.id });
      const forms = all.filter((f) => filter.form(f.form_code));
      const names = await signerNames(
        db,
        forms.flatMap((f) => (f.signed_by ? [f.signed_by] : [])),
      );
      return {
        visitCode: v.visit_code,
        cycle: v.cycle,
        visitDate: v.visit_date,
        status: v.status,
        forms: await Promise.all(
          forms.map(async (f) => ({
            formCode: f.form_code,
            // Each record of a repeating form prints as its own form, named with its number.
            record: Number(f.record),
            status: f.status,
            signature: signatureOf(f, names),
            items: (await listItems(db, f.id))
              .filter((i) => filter.item(f.form_code, i.item_code))
              .map((i) => ({
                itemCode: i.item_code,
                value: i.value,
                unit: i.unit,
                updatedAt: i.updated_at,
              })),
          })),
        ),
      };
    }),
  );
  const infusions = filter.form('infusion')
    ? (await listSubjectRecords(db, 'infusions', subjectId)).map((r) => ({
        cycle: r.cycle,
        infusionNumber: r.infusion_number,
        plannedDate: r.planned_date,
        startedAt: r.started_at,
        endedAt: r.ended_at,
        productLot: r.product_lot,
        totalCells: r.total_cells,
        viabilityPct: r.viability_pct,
        weightKg: r.weight_kg,
        reactions: r.reactions,
        status: r.status,
      }))
    : [];
  const adverseEvents = (await listSubjectRecords(db, 'adverse_events', subjectId)).map(toAe);
  // Every file's metadata, as the Files lists show it (routes/attachments.ts): the record it belongs
  // to, name (withheld from pseudonymised readers: a file name can name the patient), kind, size,
  // SHA-256, who and when, scan state, retraction. Not the bytes: the casebook lists, the API hands out.
  const names = seesIdentifiers(p, s.study_id);
  const visitById = new Map(visits.map((v) => [v.id, v]));
  const attachments = (await listAttachments(db, subjectId))
    .filter((a) => !a.form_id || filter.form(formOf.get(a.form_id)?.formCode ?? ''))
    .map((a) => {
      const v = a.visit_id ? visitById.get(a.visit_id) : undefined;
      return {
        visitCode: v?.visit_code ?? null,
        cycle: v?.cycle ?? null,
        formCode: a.form_id ? (formOf.get(a.form_id)?.formCode ?? null) : null,
        fileName: names ? a.file_name : null,
        contentType: a.content_type,
        bytes: Number(a.bytes),
        sha256: a.sha256,
        scanStatus: a.scan_status,
        uploadedBy: a.uploaded_by_name,
        uploadedAt: a.created_at,
        status: a.status,
        retractedAt: a.retracted_at,
        retractReason: names ? a.retract_reason : null,
      };
    });
  // The trail is printed for the roles that read it (the policy's 'audit.read'), as on screen.
  const readsAudit = decide(p, 'audit.read', { studyId: s.study_id, siteId: s.site_id }) === 'allow';
  const rows = readsAudit ? await listAuditEvents(db, { subjectId, limit: CASEBOOK_AUDIT_LIMIT }) : [];
  const audit = rows.flatMap(
    (e) =>
      blindAuditEvent(filter, blinded, {
        seq: e.seq,
        at: e.at,
        actor: e.actor_name,
        action: e.action,
        entityType: e.entity_type,
        field: e.field,
        oldValue: e.old_value,
        newValue: e.new_value,
        reason: e.reason,
      }) ?? [],
  );
  const content = {
    subject: { ...toSubject(s, p), siteCode: site?.code ?? '', siteName: site?.name ?? '' },
    visits: visitForms,
    infusions,
    adverseEvents,
    attachments,
    audit: readsAudit ? audit : null,
    auditComplete: rows.length < CASEBOOK_AUDIT_LIMIT,
  };
  const pseudonymised = !seesIdentifiers(p, s.study_id);
  // Pseudonymised readers get no calendar date (issue 17): the same per-subject shift as the API.
  const shown = pseudonymised
    ? ((await deidentifyDates(db, content, { studyId: s.study_id, subjectId })) as typeof content)
    : content;
  return {
    study: { id: study.id, code: study.code, title: study.title },
    definition,
    pseudonymised,
    signatureMeaning: SIGNATURE_MEANING,
    ...shown,
  };
}

export type Casebook = Awaited<ReturnType<typeof loadCasebook>>;
