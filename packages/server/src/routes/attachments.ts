// Attachments over HTTP (issue 22). A file belongs to a subject (and optionally one of its visits)
// and is guarded exactly like that subject: listing needs subject.read, uploading and retracting
// data.enter, all through enforceOnSubject (another site's subject: 404). A reader who may not see
// identities (seesIdentifiers) is shown no file name and no retraction reason and may not download:
// a source document names the patient. An upload is spooled to a private temporary file while its
// size is counted, its kind is read from its first bytes (attachments/file-kind.ts), the configured
// scanner runs on it (attachments/scanner.ts), and only then is it stored (store: attachments.ts).
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type Attachment, routes } from '@msct/contract';
import {
  type AttachmentInfo,
  addAttachment,
  downloadAttachment,
  getAttachment,
  getForm,
  listAttachments,
  retractAttachment,
  studyDefinition,
} from '@msct/store';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { armRevealingFilter } from '../access/blinding.js';
import { enforceOnSubject } from '../access/guard.js';
import { decide, type Principal, seesIdentifiers } from '../access/policy.js';
import {
  describeContent,
  FILE_KINDS,
  type FileKind,
  fileKindOf,
  kindLabel,
  MEDIA_TYPES,
} from '../attachments/file-kind.js';
import { commandScanner, type Scanner } from '../attachments/scanner.js';
import { schemaOf } from '../http/contract.js';
import { HttpProblem, notFoundProblem } from '../http/problem.js';
import type { App, RouteContext } from '../http/types.js';

/** The default largest file: 20 MiB (issue 22's example; MSCT_ATTACHMENT_MAX_BYTES changes it). */
export const DEFAULT_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024;

/** A size in words: bytes below 1 KB, else KB or MB with one decimal (1 KB = 1024 bytes). */
export const sizeText = (n: number) =>
  n < 1024
    ? `${n} bytes`
    : n < 1024 * 1024
      ? `${(n / 1024).toFixed(1)} KB`
      : `${(n / (1024 * 1024)).toFixed(1)} MB`;

const fileProblem = (
  code: 'MSCT_E_PAYLOAD_TOO_LARGE' | 'MSCT_E_UNSUPPORTED_MEDIA' | 'MSCT_E_VALIDATION',
  rule: string,
  message: string,
) => new HttpProblem(code, message, { errors: [{ field: 'file', rule, message }] });

const kindOfType = (contentType: string): FileKind =>
  (Object.entries(MEDIA_TYPES).find(([, t]) => t === contentType)?.[0] as FileKind | undefined) ?? 'text';

/**
 * Copies the body to `file`. Past `limit` bytes it stops writing but reads on (up to 4 × the
 * limit), so the client, still sending, receives the refusal rather than a reset connection.
 */
async function spool(body: Readable, file: string, limit: number): Promise<{ bytes: number; over: boolean }> {
  const out = createWriteStream(file, { mode: 0o600 });
  let bytes = 0;
  try {
    for await (const chunk of body) {
      bytes += (chunk as Buffer).length;
      if (bytes > limit) {
        if (bytes > 4 * limit) {
          body.destroy();
          break;
        }
        continue;
      }
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  } finally {
    await new Promise<void>((r) => out.end(() => r()));
  }
  return { bytes, over: bytes > limit };
}

export function registerAttachmentRoutes(app: App, { db, config }: RouteContext) {
  const maxBytes = config.attachmentMaxBytes ?? DEFAULT_ATTACHMENT_MAX_BYTES;
  const kinds: readonly FileKind[] = config.attachmentKinds ?? FILE_KINDS;
  const scanner: Scanner | undefined = config.scanCommand ? commandScanner(config.scanCommand) : undefined;
  const limits = { maxBytes, kinds: [...kinds], scanner: scanner !== undefined };

  function view(a: AttachmentInfo, p: Principal): Attachment {
    const identities = seesIdentifiers(p, a.study_id);
    return {
      id: a.id,
      subjectId: a.subject_id,
      visitId: a.visit_id,
      formId: a.form_id,
      fileName: identities ? a.file_name : null,
      kind: kindOfType(a.content_type),
      contentType: a.content_type,
      bytes: Number(a.bytes),
      sha256: a.sha256,
      scanStatus: a.scan_status === 'clean' ? 'clean' : 'not scanned',
      uploadedBy: a.uploaded_by_name,
      uploadedAt: a.created_at,
      status: a.status === 'retracted' ? 'retracted' : 'active',
      retractedAt: a.retracted_at,
      retractReason: identities ? a.retract_reason : null,
      version: Number(a.version),
    };
  }

  /** The attachment, once the action is allowed on its subject (404 for another site's). */
  async function guarded(
    req: Parameters<typeof enforceOnSubject>[1],
    id: string,
    action: 'subject.read' | 'data.enter',
  ) {
    const a = await getAttachment(db, id).catch(() => undefined);
    if (!a) {
      if (!req.principal) throw new HttpProblem('MSCT_E_UNAUTHENTICATED', 'log in first');
      throw notFoundProblem('attachment');
    }
    await enforceOnSubject(db, req, action, a.subject_id);
    if (a.form_id && !(await formShown(req.principal as Principal, a.study_id))(await formCode(a.form_id)))
      throw notFoundProblem('attachment');
    return a;
  }

  // A file on a form is read like the form: a role the study blinds does not see the files of an
  // arm-revealing form (access/blinding.ts), as it does not see the form (issue 24).
  async function formShown(p: Principal, studyId: string): Promise<(formCode: string) => boolean> {
    const { definition } = await studyDefinition(db, studyId);
    const filter = armRevealingFilter(p, studyId, definition);
    return filter.active ? (c) => filter.form(c) : () => true;
  }
  const formCode = async (formId: string) => (await getForm(db, formId)).form_code;

  app.get(
    '/api/subjects/:subjectId/attachments',
    { schema: schemaOf(routes.listAttachments) },
    async (req) => {
      const scope = await enforceOnSubject(db, req, 'subject.read', req.params.subjectId);
      const p = req.principal as Principal;
      const { visitId, formId } = req.query;
      const rows = await listAttachments(db, scope.subjectId, {
        ...(visitId ? { visitId } : {}),
        ...(formId ? { formId } : {}),
      });
      const shown = await formShown(p, scope.studyId);
      const codes = new Map<string, string>();
      for (const a of rows)
        if (a.form_id && !codes.has(a.form_id)) codes.set(a.form_id, await formCode(a.form_id));
      return {
        attachments: rows.filter((a) => !a.form_id || shown(codes.get(a.form_id)!)).map((a) => view(a, p)),
        limits,
        mayUpload: decide(p, 'data.enter', scope) === 'allow',
      };
    },
  );

  app.register(async (plugin) => {
    const scoped = plugin.withTypeProvider<ZodTypeProvider>();
    // Any media type reaches the handler as a stream: the content decides what the file is, so the
    // type a browser guesses from the name is neither needed nor trusted. Scoped to this route.
    scoped.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    scoped.post(
      '/api/subjects/:subjectId/attachments',
      { schema: schemaOf(routes.uploadAttachment) },
      async (req, reply) => {
        const scope = await enforceOnSubject(db, req, 'data.enter', req.params.subjectId);
        const p = req.principal as Principal;
        if (!(req.body instanceof Readable))
          throw fileProblem(
            'MSCT_E_UNSUPPORTED_MEDIA',
            'media-type',
            'send the file itself as the body (application/octet-stream)',
          );
        const { fileName, visitId, formId } = req.query;
        if (formId) {
          // The form must be one this user sees (a blinded role: not an arm-revealing one) and of this subject.
          const form = await getForm(db, formId).catch(() => undefined);
          const shown = await formShown(p, scope.studyId);
          if (!form || form.subject_id !== scope.subjectId || !shown(form.form_code))
            throw new HttpProblem('MSCT_E_VALIDATION', `form ${formId} is not a form of this subject`, {
              errors: [
                {
                  field: 'formId',
                  rule: 'belongs-to-subject',
                  message: `form ${formId} is not a form of this subject`,
                },
              ],
            });
        }
        const dir = mkdtempSync(join(tmpdir(), 'msct-upload-'));
        try {
          const path = join(dir, randomUUID());
          const { bytes, over } = await spool(req.body, path, maxBytes);
          if (over)
            throw fileProblem(
              'MSCT_E_PAYLOAD_TOO_LARGE',
              'max-size',
              `${fileName} is ${bytes > 4 * maxBytes ? 'more than ' : ''}${sizeText(bytes)}: files may be at most ${sizeText(maxBytes)}`,
            );
          const content = readFileSync(path);
          const kind = fileKindOf(content, fileName);
          const accepted = kinds.map(kindLabel).join(', ');
          if (!kind || !kinds.includes(kind))
            throw fileProblem(
              'MSCT_E_UNSUPPORTED_MEDIA',
              'file-type',
              kind
                ? `${fileName} is a ${kindLabel(kind)} file, which is not accepted here: accepted are ${accepted}`
                : `${fileName} is not a file of an accepted kind (${accepted}): ${describeContent(content)}`,
            );
          let scanned = false;
          if (scanner) {
            const verdict = await scanner.scan(path);
            if (!verdict.ok)
              throw fileProblem(
                'MSCT_E_VALIDATION',
                'virus-scan',
                `${fileName} was not accepted: ${verdict.reason}`,
              );
            scanned = true;
          }
          const a = await addAttachment(
            db,
            { id: p.userId, name: p.username },
            {
              subjectId: scope.subjectId,
              visitId: visitId ?? null,
              formId: formId ?? null,
              fileName,
              contentType: MEDIA_TYPES[kind],
              content,
              scanStatus: scanned ? 'clean' : 'not scanned',
              scanner: scanner?.name ?? null,
            },
          );
          return reply.code(201).send(view(a, p));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });

  app.get(
    '/api/attachments/:attachmentId/file',
    { schema: schemaOf(routes.attachmentFile) },
    async (req, reply) => {
      const a = await guarded(req, req.params.attachmentId, 'subject.read');
      const p = req.principal as Principal;
      if (!seesIdentifiers(p, a.study_id))
        throw new HttpProblem(
          'MSCT_E_FORBIDDEN',
          'your role sees pseudonymised data only, and a source document can name the patient: it is not handed out',
          { action: 'subject.read' },
        );
      const { info, content } = await downloadAttachment(db, { id: p.userId, name: p.username }, a.id);
      const ascii = info.file_name.replace(/[^\x20-\x7e]|["\\]/g, '_');
      // One media type for every kind, as the contract declares: the browser saves the file and never
      // renders it in the app's origin (the kind found at upload is the list's `contentType`).
      return reply
        .type('application/octet-stream')
        .header(
          'content-disposition',
          `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(info.file_name)}`,
        )
        .header('content-length', String(content.length))
        .send(content);
    },
  );

  app.post(
    '/api/attachments/:attachmentId/retract',
    { schema: schemaOf(routes.retractAttachment) },
    async (req) => {
      const a = await guarded(req, req.params.attachmentId, 'data.enter');
      const p = req.principal as Principal;
      const r = await retractAttachment(db, { id: p.userId, name: p.username }, a.id, req.body);
      return view(r, p);
    },
  );
}
