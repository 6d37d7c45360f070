// Attachments (issue 22): source documents and reports uploaded to a subject, one of its visits or
// one form of a visit (a signed or locked form takes no new file and no retraction: 423).
// Read like the subject (subject.read), uploaded and retracted like its data (data.enter); site
// isolation as for the subject. A role that may not see identities gets no file name, no retraction
// reason and no download (a source document names the patient).
import { z } from 'zod';
import { id } from './common.js';
import { document, fileBody, route } from './route.js';

/** The kinds of file an upload may be (decided from the content's first bytes, not the name). */
export const ATTACHMENT_KINDS = ['pdf', 'png', 'jpeg', 'tiff', 'text', 'csv'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

export const attachment = z.object({
  id,
  subjectId: id,
  /** The visit it belongs to; null: the subject as a whole. */
  visitId: id.nullable(),
  /** The form instance it belongs to (its visit is `visitId`); null: the visit or subject. */
  formId: id.nullable(),
  /** Null for a reader who may not see identities (a file name can name the patient). */
  fileName: z.string().nullable(),
  kind: z.enum(ATTACHMENT_KINDS),
  contentType: z.string(),
  bytes: z.number(),
  sha256: z.string(),
  /** 'not scanned': no virus scanner was configured when it was uploaded. */
  scanStatus: z.enum(['not scanned', 'clean']),
  uploadedBy: z.string(),
  uploadedAt: z.string(),
  status: z.enum(['active', 'retracted']),
  retractedAt: z.string().nullable(),
  retractReason: z.string().nullable(),
  version: z.number(),
});
export type Attachment = z.infer<typeof attachment>;

/** What the server accepts, so the page can say it before the upload. */
export const attachmentLimits = z.object({
  maxBytes: z.number(),
  kinds: z.array(z.enum(ATTACHMENT_KINDS)),
  scanner: z.boolean(),
});

const subjectParams = z.object({ subjectId: id });
const attachmentParams = z.object({ attachmentId: id });

export const attachmentRoutes = {
  listAttachments: route({
    method: 'GET',
    path: '/api/subjects/:subjectId/attachments',
    tags: ['attachments'],
    summary:
      'The files of a subject (or of one of its visits, or one form), retracted ones included, and the upload limits',
    params: subjectParams,
    querystring: z.object({ visitId: id.optional(), formId: id.optional() }).strict(),
    response: {
      200: z.object({ attachments: z.array(attachment), limits: attachmentLimits, mayUpload: z.boolean() }),
    },
  }),
  uploadAttachment: route({
    method: 'POST',
    path: '/api/subjects/:subjectId/attachments',
    tags: ['attachments'],
    summary:
      'Upload a file (PDF, PNG, JPEG, TIFF, plain text, CSV by default; the kind is read from its content) to a subject, one of its visits or one form of a visit; size-limited and virus-scanned when a scanner is configured; audited',
    params: subjectParams,
    querystring: z
      .object({ fileName: z.string().trim().min(1).max(255), visitId: id.optional(), formId: id.optional() })
      .strict(),
    body: fileBody,
    consumes: ['application/octet-stream'],
    response: { 201: attachment },
  }),
  attachmentFile: route({
    method: 'GET',
    path: '/api/attachments/:attachmentId/file',
    tags: ['attachments'],
    summary: 'Download a file (not a retracted one; not for roles that may not see identities); audited',
    params: attachmentParams,
    response: { 200: document },
    produces: 'application/octet-stream',
  }),
  retractAttachment: route({
    method: 'POST',
    path: '/api/attachments/:attachmentId/retract',
    tags: ['attachments'],
    summary: 'Retract a file with a reason: it is kept for the record but no longer handed out; audited',
    params: attachmentParams,
    body: z.object({ version: z.number().int().min(1), reason: z.string().trim().min(1).max(500) }).strict(),
    response: { 200: attachment },
  }),
};
