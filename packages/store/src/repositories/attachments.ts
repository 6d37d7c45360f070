// Attachments (issue 22, migrations 023 and 025): source documents and reports uploaded to a subject,
// one of its visits, or one form instance of a visit (a lab report to its labs form). The bytes live in the database with their SHA-256 (see the migration for why).
// Upload, download and retraction are audited (entity type 'attachment'); a retraction keeps the
// row and its bytes and only stops downloads — nothing is removed. The server checks the file's
// type, size and scan before it calls `addAttachment`; this module checks what the store can:
// the subject, visit and form exist and belong together, no lock holds the subject, the digest matches.
// A form's files follow the form's lock rule: a signed or locked form takes no new file and no
// retraction of one (the signature covers the form as it stood, files included); an investigator
// unlocks it with a reason first, as for a value.
import { createHash } from 'node:crypto';
import { type Actor, type Tx, writeTransaction } from '../audit/writer.js';
import type { Db } from '../database.js';
import { conflict, notFound, StoreError } from '../errors.js';
import { newId } from '../ids.js';
import type { AttachmentTable } from '../schema.js';
import { refuseRecordLock } from './record-locks.js';

/** An attachment without its bytes (what lists and the audit show). */
export type AttachmentInfo = Omit<AttachmentTable, 'content'>;

const INFO_COLUMNS = [
  'id',
  'study_id',
  'subject_id',
  'visit_id',
  'form_id',
  'file_name',
  'content_type',
  'bytes',
  'sha256',
  'scan_status',
  'scanner',
  'uploaded_by',
  'uploaded_by_name',
  'created_at',
  'status',
  'retracted_by',
  'retracted_at',
  'retract_reason',
  'version',
] as const satisfies readonly (keyof AttachmentInfo)[];

export interface NewAttachment {
  subjectId: string;
  visitId?: string | null;
  /** A form instance of the subject: the file belongs to it (and to its visit). */
  formId?: string | null;
  fileName: string;
  contentType: string;
  content: Buffer;
  /** 'not scanned' or 'clean' (the server's scanner decided). */
  scanStatus: 'not scanned' | 'clean';
  scanner?: string | null;
}

export const sha256Of = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Stores an uploaded file against a subject (and visit), audited as `attachment.create`. */
export async function addAttachment(db: Db, actor: Actor, input: NewAttachment): Promise<AttachmentInfo> {
  if (!actor.id) throw new Error('an attachment is uploaded by a user');
  const uploader = actor.id;
  return writeTransaction(db, actor, async (tx, audit) => {
    const subject = await tx
      .selectFrom('subjects')
      .select(['id', 'study_id', 'site_id', 'subject_code'])
      .where('id', '=', input.subjectId)
      .executeTakeFirst();
    if (!subject) throw notFound('subject', input.subjectId);
    let visitId = input.visitId ?? null;
    if (input.formId) {
      const form = await formOfSubject(tx, input.formId, subject.id);
      if (visitId && visitId !== form.visit_id)
        throw new StoreError('invalid', `form ${input.formId} is not a form of visit ${visitId}`, {
          field: 'formId',
          rule: 'belongs-to-visit',
        });
      refuseSignedForm(form, `attaching a file to form ${form.form_code}`);
      visitId = form.visit_id;
    }
    if (visitId) {
      const visit = await tx
        .selectFrom('visits')
        .select(['id', 'subject_id'])
        .where('id', '=', visitId)
        .executeTakeFirst();
      if (!visit || visit.subject_id !== subject.id)
        throw new StoreError('invalid', `visit ${visitId} is not a visit of this subject`, {
          field: 'visitId',
          rule: 'belongs-to-subject',
        });
    }
    await refuseRecordLock(
      tx,
      db.dialect,
      { studyId: subject.study_id, siteId: subject.site_id, subjectId: subject.id },
      `attaching a file to subject ${subject.subject_code}`,
    );
    const row: AttachmentTable = {
      id: newId(),
      study_id: subject.study_id,
      subject_id: subject.id,
      visit_id: visitId,
      form_id: input.formId ?? null,
      file_name: input.fileName,
      content_type: input.contentType,
      bytes: input.content.length,
      sha256: sha256Of(input.content),
      content: input.content,
      scan_status: input.scanStatus,
      scanner: input.scanner ?? null,
      uploaded_by: uploader,
      uploaded_by_name: actor.name,
      created_at: audit.now,
      status: 'active',
      retracted_by: null,
      retracted_at: null,
      retract_reason: null,
      version: 1,
    };
    await tx.insertInto('attachments').values(row).execute();
    const { content: _bytes, ...info } = row;
    await audit.record({
      action: 'attachment.create',
      entityType: 'attachment',
      entityId: row.id,
      studyId: subject.study_id,
      siteId: subject.site_id,
      subjectId: subject.id,
      newValue: JSON.stringify(createdValue(info)),
    });
    return info;
  });
}

/** The columns the creating event carries (audit/verify-data.ts replays them). */
export function createdValue(a: AttachmentInfo) {
  return {
    visit_id: a.visit_id,
    form_id: a.form_id,
    file_name: a.file_name,
    content_type: a.content_type,
    bytes: a.bytes,
    sha256: a.sha256,
    scan_status: a.scan_status,
    scanner: a.scanner,
  };
}

export async function getAttachment(db: Db, id: string): Promise<AttachmentInfo> {
  const row = await db.kysely
    .selectFrom('attachments')
    .select(INFO_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('attachment', id);
  return row;
}

/** A subject's attachments (or one visit's, or one form's), oldest first, without their bytes. */
export async function listAttachments(
  db: Db,
  subjectId: string,
  opts: { visitId?: string; formId?: string } = {},
): Promise<AttachmentInfo[]> {
  let q = db.kysely
    .selectFrom('attachments')
    .select(INFO_COLUMNS)
    .where('subject_id', '=', subjectId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1000);
  if (opts.visitId) q = q.where('visit_id', '=', opts.visitId);
  if (opts.formId) q = q.where('form_id', '=', opts.formId);
  return q.execute();
}

/**
 * The bytes of an active attachment, for a download: audited (`attachment.download`) before they
 * are handed out, and checked against the SHA-256 recorded at upload.
 */
export async function downloadAttachment(
  db: Db,
  actor: Actor,
  id: string,
): Promise<{ info: AttachmentInfo; content: Buffer }> {
  return writeTransaction(db, actor, async (tx, audit) => {
    const row = await tx.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('attachment', id);
    const { content, ...info } = row;
    if (info.status === 'retracted')
      throw new StoreError(
        'invalid',
        `this file was retracted at ${info.retracted_at ?? '?'} (${info.retract_reason ?? 'no reason'}): it is kept for the record but no longer handed out`,
        { rule: 'retracted' },
      );
    const bytes = Buffer.from(content);
    if (sha256Of(bytes) !== info.sha256)
      throw new Error(`attachment ${id}: its bytes no longer match the SHA-256 recorded at upload`);
    const subject = await tx
      .selectFrom('subjects')
      .select('site_id')
      .where('id', '=', info.subject_id)
      .executeTakeFirstOrThrow();
    await audit.record({
      action: 'attachment.download',
      entityType: 'attachment',
      entityId: id,
      studyId: info.study_id,
      siteId: subject.site_id,
      subjectId: info.subject_id,
      newValue: JSON.stringify({ bytes: info.bytes, sha256: info.sha256 }),
    });
    return { info, content: bytes };
  });
}

/** Retracts an attachment (a reason is required; the row and bytes stay). Version-guarded. */
export async function retractAttachment(
  db: Db,
  actor: Actor,
  id: string,
  input: { version: number; reason: string },
): Promise<AttachmentInfo> {
  if (!actor.id) throw new Error('an attachment is retracted by a user');
  const by = actor.id;
  const reason = input.reason.trim();
  if (!reason) throw new StoreError('reason_required', 'say why the file is retracted', { field: 'reason' });
  return writeTransaction(db, actor, async (tx, audit) => {
    const row = await tx
      .selectFrom('attachments')
      .select(INFO_COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('attachment', id);
    if (Number(row.version) !== input.version)
      throw conflict('attachment', id, input.version, Number(row.version));
    if (row.status === 'retracted')
      throw new StoreError('invalid', `the file was already retracted at ${row.retracted_at}`, {
        rule: 'retracted',
      });
    const subject = await tx
      .selectFrom('subjects')
      .select(['site_id', 'subject_code'])
      .where('id', '=', row.subject_id)
      .executeTakeFirstOrThrow();
    await refuseRecordLock(
      tx,
      db.dialect,
      { studyId: row.study_id, siteId: subject.site_id, subjectId: row.subject_id },
      `retracting a file of subject ${subject.subject_code}`,
    );
    if (row.form_id) {
      const form = await formOfSubject(tx, row.form_id, row.subject_id);
      refuseSignedForm(form, `retracting a file of form ${form.form_code}`);
    }
    const result = await tx
      .updateTable('attachments')
      .set({
        status: 'retracted',
        retracted_by: by,
        retracted_at: audit.now,
        retract_reason: reason,
        version: input.version + 1,
      })
      .where('id', '=', id)
      .where('version', '=', input.version)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1)
      throw conflict('attachment', id, input.version, input.version + 1);
    await audit.record({
      action: 'attachment.retract',
      entityType: 'attachment',
      entityId: id,
      studyId: row.study_id,
      siteId: subject.site_id,
      subjectId: row.subject_id,
      field: 'status',
      oldValue: 'active',
      newValue: 'retracted',
      reason,
    });
    return {
      ...row,
      status: 'retracted',
      retracted_by: by,
      retracted_at: audit.now,
      retract_reason: reason,
      version: input.version + 1,
    };
  });
}

/** The form instance `formId` of the subject (its visit, code and status), or a refusal at `formId`. */
async function formOfSubject(tx: Tx, formId: string, subjectId: string) {
  const form = await tx
    .selectFrom('form_instances')
    .select(['id', 'visit_id', 'form_code', 'status', 'subject_id'])
    .where('id', '=', formId)
    .executeTakeFirst();
  if (!form || form.subject_id !== subjectId)
    throw new StoreError('invalid', `form ${formId} is not a form of this subject`, {
      field: 'formId',
      rule: 'belongs-to-subject',
    });
  return form;
}

/** A signed or locked form's files do not change (as its values do not): unlocked first, with a reason. */
function refuseSignedForm(form: { id: string; form_code: string; status: string }, what: string): void {
  if (form.status === 'signed' || form.status === 'locked')
    throw new StoreError(
      'locked',
      `${what}: the form is ${form.status}; an investigator must unlock it (with a reason) first`,
      { formId: form.id, rule: `form-${form.status}` },
    );
}
