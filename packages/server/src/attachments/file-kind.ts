// What an uploaded file is, decided from its content (its magic bytes), never from the name or the
// Content-Type the client sent (issue 22). Hand-written rather than a library: the accepted kinds
// are six, four of them fixed signatures from their specifications, and the two text kinds have no
// signature at all (a library such as file-type does not recognise them), so the rule for them —
// valid UTF-8 without NUL or other control bytes, and a .csv name for CSV — is ours either way.
//   PDF:  "%PDF-" (ISO 32000-1 §7.5.2, the file header)
//   PNG:  89 50 4E 47 0D 0A 1A 0A (PNG specification, 3rd ed., §5.2)
//   JPEG: FF D8 FF (ITU T.81 Annex B: SOI marker FFD8 followed by a marker)
//   TIFF: "II*\0" or "MM\0*" (TIFF 6.0 §2, the image file header)

import { ATTACHMENT_KINDS, type AttachmentKind } from '@msct/contract';

/** The kinds, declared once in the contract (the web shows them too). */
export const FILE_KINDS = ATTACHMENT_KINDS;
export type FileKind = AttachmentKind;

export const MEDIA_TYPES: Record<FileKind, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
  tiff: 'image/tiff',
  text: 'text/plain',
  csv: 'text/csv',
};

const LABELS: Record<FileKind, string> = {
  pdf: 'PDF',
  png: 'PNG',
  jpeg: 'JPEG',
  tiff: 'TIFF',
  text: 'plain text',
  csv: 'CSV',
};
export const kindLabel = (k: FileKind) => LABELS[k];

const startsWith = (b: Uint8Array, sig: readonly number[]) =>
  b.length >= sig.length && sig.every((x, i) => b[i] === x);

const SIGNATURES: [FileKind, readonly number[]][] = [
  ['pdf', [0x25, 0x50, 0x44, 0x46, 0x2d]],
  ['png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['jpeg', [0xff, 0xd8, 0xff]],
  ['tiff', [0x49, 0x49, 0x2a, 0x00]],
  ['tiff', [0x4d, 0x4d, 0x00, 0x2a]],
];

/** Text: valid UTF-8 (a BOM allowed), no NUL and no control byte but tab, CR, LF and form feed. */
export function isPlainText(b: Uint8Array): boolean {
  for (const c of b) if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

/**
 * The kind of a file from its bytes (the whole file: text is judged on all of it) and, for text
 * only, its name (`.csv` → CSV, else plain text). Undefined: none of the kinds.
 */
export function fileKindOf(content: Uint8Array, fileName: string): FileKind | undefined {
  for (const [kind, sig] of SIGNATURES) if (startsWith(content, sig)) return kind;
  if (content.length > 0 && isPlainText(content)) return /\.csv$/i.test(fileName) ? 'csv' : 'text';
  return undefined;
}

/** What the first bytes look like, for a refusal ("it looks like a ZIP archive or an Office file"). */
export function describeContent(content: Uint8Array): string {
  if (content.length === 0) return 'the file is empty';
  if (startsWith(content, [0x50, 0x4b, 0x03, 0x04]))
    return 'its content is a ZIP archive (or an Office document)';
  if (startsWith(content, [0x4d, 0x5a])) return 'its content is a Windows program';
  if (startsWith(content, [0x7f, 0x45, 0x4c, 0x46])) return 'its content is a Linux program';
  if (startsWith(content, [0x47, 0x49, 0x46, 0x38])) return 'its content is a GIF image';
  if (startsWith(content, [0xd0, 0xcf, 0x11, 0xe0])) return 'its content is an old Office document';
  return 'its content is not one of these kinds';
}
