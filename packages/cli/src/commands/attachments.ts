// `msct attachments list --subject CODE` and `msct attachments get ID --out FILE` (issue #22): the
// files of a subject from the command line, with the API's rules (routes/attachments.ts). The CLI
// has no login: it runs as the operator (MSCT_IMPORT_USER, or the first active administrator) with
// that user's role assignments, so a site-scoped role sees its own sites' subjects only (another
// site's subject is "not found", as the API's 404), a pseudonymised role gets no file name and no
// download, and a role the study blinds does not see the files of an arm-revealing form. A download
// is audited (`attachment.download`, as the operator) and checked against the SHA-256 of the upload.
import { open, rm } from 'node:fs/promises';
import { armRevealingFilter, configFromEnv, decide, type Principal, seesIdentifiers } from '@msct/server';
import {
  type AttachmentInfo,
  type Db,
  downloadAttachment,
  getAttachment,
  getForm,
  listAttachments,
  listRoles,
  openDatabase,
  studyDefinition,
} from '@msct/store';
import { resolveStudy } from './adjudicate.js';
import { importActor } from './exchange.js';

/** The operator as the API would see them: their user and role assignments. */
async function operator(db: Db): Promise<Principal> {
  const actor = await importActor(db);
  const assignments = await listRoles(db, actor.id!);
  return { userId: actor.id!, username: actor.name, assignments };
}

/** The subject, once the operator may read it (another site's: not found, as the API's 404). */
async function readableSubject(
  db: Db,
  p: Principal,
  where: { id?: string; studyId?: string; code?: string },
) {
  let q = db.kysely.selectFrom('subjects').select(['id', 'study_id', 'site_id', 'subject_code', 'pseudonym']);
  q = where.id
    ? q.where('id', '=', where.id)
    : q.where('study_id', '=', where.studyId!).where('subject_code', '=', where.code!);
  const s = await q.executeTakeFirst();
  const decision = s ? decide(p, 'subject.read', { studyId: s.study_id, siteId: s.site_id }) : 'hidden';
  if (!s || decision === 'hidden')
    throw new Error(`no subject ${where.code ?? where.id} that ${p.username} can see`);
  if (decision === 'forbidden') throw new Error(`${p.username} may not read subject ${s.subject_code}`);
  return s;
}

/** Whether the operator sees a file: not one of an arm-revealing form for a blinded role. */
async function shownFilter(db: Db, p: Principal, studyId: string) {
  const filter = armRevealingFilter(p, studyId, (await studyDefinition(db, studyId)).definition);
  return async (a: AttachmentInfo) =>
    !a.form_id || !filter.active || filter.form((await getForm(db, a.form_id)).form_code);
}

export interface ListedAttachment {
  id: string;
  belongsTo: string;
  fileName: string | null;
  contentType: string;
  bytes: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: string;
  scanStatus: string;
  status: string;
  retractReason: string | null;
}

export async function attachmentsListCommand(o: {
  subject: string;
  study?: string;
  json?: boolean;
}): Promise<string> {
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const study = await resolveStudy(db, o.study);
    const p = await operator(db);
    const s = await readableSubject(db, p, { studyId: study.id, code: o.subject });
    const names = seesIdentifiers(p, s.study_id);
    const shown = await shownFilter(db, p, s.study_id);
    const visits = new Map(
      (
        await db.kysely
          .selectFrom('visits')
          .select(['id', 'visit_code', 'cycle'])
          .where('subject_id', '=', s.id)
          .execute()
      ).map((v) => [v.id, v]),
    );
    const rows: ListedAttachment[] = [];
    for (const a of await listAttachments(db, s.id)) {
      if (!(await shown(a))) continue;
      const v = a.visit_id ? visits.get(a.visit_id) : undefined;
      const form = a.form_id ? (await getForm(db, a.form_id)).form_code : null;
      rows.push({
        id: a.id,
        belongsTo: v
          ? `visit ${v.visit_code}${Number(v.cycle) > 1 ? ` cycle ${v.cycle}` : ''}${form ? ` form ${form}` : ''}`
          : 'subject',
        fileName: names ? a.file_name : null,
        contentType: a.content_type,
        bytes: Number(a.bytes),
        sha256: a.sha256,
        uploadedBy: a.uploaded_by_name,
        uploadedAt: a.created_at,
        scanStatus: a.scan_status,
        status: a.status,
        retractReason: names ? a.retract_reason : null,
      });
    }
    const who = names ? s.subject_code : s.pseudonym;
    if (o.json) return JSON.stringify({ subject: who, attachments: rows }, null, 2);
    if (rows.length === 0) return `${who}: no files`;
    return [
      `${who}: ${rows.length} file${rows.length === 1 ? '' : 's'}`,
      ...rows.map(
        (r) =>
          `${r.id}  ${r.belongsTo}  ${r.fileName ?? '(name withheld)'}  ${r.contentType}  ${r.bytes} bytes  sha256 ${r.sha256}  ${r.uploadedBy} ${r.uploadedAt}  ${r.scanStatus}  ${r.status}${r.retractReason ? ` (${r.retractReason})` : ''}`,
      ),
    ].join('\n');
  } finally {
    await db.close();
  }
}

export async function attachmentsGetCommand(id: string, o: { out: string }): Promise<string> {
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const p = await operator(db);
    const a = await getAttachment(db, id).catch(() => undefined);
    if (!a) throw new Error(`no file ${id}`);
    await readableSubject(db, p, { id: a.subject_id });
    if (!(await (await shownFilter(db, p, a.study_id))(a))) throw new Error(`no file ${id}`);
    if (!seesIdentifiers(p, a.study_id))
      throw new Error(
        `${p.username} sees pseudonymised data only, and a source document can name the patient: it is not handed out`,
      );
    // A new file only (never over another), readable by the operator alone: it is a source document.
    // Opened before the download, so a refused path leaves no download in the trail.
    const file = await open(o.out, 'wx', 0o600);
    try {
      const { info, content } = await downloadAttachment(db, { id: p.userId, name: p.username }, id);
      await file.writeFile(content);
      await file.close();
      return `${o.out}: ${info.file_name} (${info.content_type}, ${content.length} bytes, sha256 ${info.sha256}); the download is audited`;
    } catch (e) {
      await file.close().catch(() => undefined);
      await rm(o.out, { force: true });
      throw e;
    }
  } finally {
    await db.close();
  }
}
