// The Files section of a subject, a visit or one form (issue 22): the files attached (name, kind, size, who
// and when, scan state, retracted or not), a download link, retraction with a reason, and an upload
// with its progress. The server decides what a file is from its content and refuses at the field
// `file`; the size limit is also checked here first, so an oversized file is not sent at all.
import type { Attachment, AttachmentKind } from '@msct/contract';
import { type FormEvent, useId, useRef, useState } from 'react';
import { api } from '../api/client.js';
import { fieldErrors } from '../api/problem.js';
import { useLoad } from '../hooks/use-load.js';
import { useSubmit } from '../hooks/use-submit.js';
import { ErrorBox } from './error-box.js';
import { TableScroll } from './table-scroll.js';
import { TextField } from './text-field.js';

const KIND_LABELS: Record<AttachmentKind, string> = {
  pdf: 'PDF',
  png: 'PNG image',
  jpeg: 'JPEG image',
  tiff: 'TIFF image',
  text: 'Plain text',
  csv: 'CSV',
};
const KIND_EXTENSIONS: Record<AttachmentKind, string> = {
  pdf: '.pdf',
  png: '.png',
  jpeg: '.jpg,.jpeg',
  tiff: '.tif,.tiff',
  text: '.txt',
  csv: '.csv',
};

/** A size in words, as the server says it (routes/attachments.ts sizeText). */
export const sizeText = (n: number) =>
  n < 1024
    ? `${n} bytes`
    : n < 1024 * 1024
      ? `${(n / 1024).toFixed(1)} KB`
      : `${(n / (1024 * 1024)).toFixed(1)} MB`;

/** ISO 8601 instant to the minute, in UTC. */
const instant = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

export function AttachmentsPanel({
  subjectId,
  visitId,
  form,
}: {
  subjectId: string;
  visitId?: string;
  /** The files of one form: its id, title, and whether it is signed or locked (then it takes no change). */
  form?: { id: string; title: string; locked: boolean };
}) {
  const headingId = useId();
  const list = useLoad(
    () =>
      api.get('/api/subjects/:subjectId/attachments', {
        params: { subjectId },
        query: form ? { formId: form.id } : visitId ? { visitId } : {},
      }),
    [subjectId, visitId, form?.id],
  );
  const data = list.data;
  // A signed or locked form's files change only after it is unlocked (store/repositories/attachments.ts).
  const mayChange = (data?.mayUpload ?? false) && !form?.locked;
  return (
    <section aria-labelledby={headingId} className={form ? 'form-files' : 'attachments'}>
      {form ? <h4 id={headingId}>Files of {form.title}</h4> : <h2 id={headingId}>Files</h2>}
      {form?.locked && data?.mayUpload && (
        <p className="hint">The form is signed: its files change only after it is unlocked.</p>
      )}
      {list.error !== undefined && <ErrorBox error={list.error} />}
      {data && data.attachments.length === 0 && (
        <p>No files attached{form ? ' to this form' : visitId ? ' to this visit' : ''}.</p>
      )}
      {data && data.attachments.length > 0 && (
        <TableScroll label={form ? `Files of ${form.title}` : 'Files'}>
          <table>
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Kind</th>
                <th scope="col">Size</th>
                <th scope="col">Uploaded</th>
                <th scope="col">Virus scan</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.attachments.map((a, i) => (
                <AttachmentRow
                  key={`${a.id}:${a.version}`}
                  a={a}
                  n={i + 1}
                  mayRetract={mayChange}
                  onDone={list.reload}
                />
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {data && mayChange && (
        <UploadForm
          subjectId={subjectId}
          {...(visitId ? { visitId } : {})}
          {...(form ? { formId: form.id, label: `Upload a file to ${form.title}` } : {})}
          maxBytes={data.limits.maxBytes}
          kinds={data.limits.kinds}
          scanner={data.limits.scanner}
          onDone={list.reload}
        />
      )}
    </section>
  );
}

function AttachmentRow({
  a,
  n,
  mayRetract,
  onDone,
}: {
  a: Attachment;
  n: number;
  mayRetract: boolean;
  onDone(): void;
}) {
  const [retracting, setRetracting] = useState(false);
  const [reason, setReason] = useState('');
  const { error, errs, submit, busy } = useSubmit(async () => {
    await api.post('/api/attachments/:attachmentId/retract', {
      params: { attachmentId: a.id },
      body: { version: a.version, reason },
    });
    onDone();
  });
  // A pseudonymised reader gets no file name (it can name the patient): a neutral one instead.
  const name = a.fileName ?? `File ${n} (${KIND_LABELS[a.kind]})`;
  const active = a.status === 'active';
  return (
    <tr className={active ? undefined : 'retracted'}>
      <td>{active ? name : <del>{name}</del>}</td>
      <td>{KIND_LABELS[a.kind]}</td>
      <td>{sizeText(a.bytes)}</td>
      <td>
        {a.uploadedBy}, {instant(a.uploadedAt)}
      </td>
      <td>{a.scanStatus === 'clean' ? 'Scanned, clean' : 'Not scanned'}</td>
      <td>
        {active
          ? 'Active'
          : `Retracted ${a.retractedAt ? instant(a.retractedAt) : ''}${a.retractReason ? `: ${a.retractReason}` : ''}`}
      </td>
      <td>
        {active && a.fileName !== null && (
          <a href={`/api/attachments/${encodeURIComponent(a.id)}/file`} download={a.fileName}>
            Download <span className="sr-only">{name}</span>
          </a>
        )}
        {active && mayRetract && !retracting && (
          <button type="button" onClick={() => setRetracting(true)}>
            Retract <span className="sr-only">{name}</span>
          </button>
        )}
        {retracting && (
          <form onSubmit={submit} aria-label={`Retract ${name}`}>
            <TextField
              label="Reason for retraction"
              value={reason}
              onChange={setReason}
              required
              maxLength={500}
              {...(errs.reason ? { error: errs.reason } : {})}
            />
            <button type="submit" disabled={busy}>
              Retract file
            </button>
            <button type="button" onClick={() => setRetracting(false)}>
              Cancel
            </button>
            {error !== undefined && !errs.reason && <ErrorBox error={error} onReload={onDone} />}
          </form>
        )}
      </td>
    </tr>
  );
}

function UploadForm({
  subjectId,
  visitId,
  formId,
  label = 'Upload a file',
  maxBytes,
  kinds,
  scanner,
  onDone,
}: {
  subjectId: string;
  visitId?: string;
  formId?: string;
  label?: string;
  maxBytes: number;
  kinds: AttachmentKind[];
  scanner: boolean;
  onDone(): void;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File>();
  const [fileError, setFileError] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [progress, setProgress] = useState<{ sent: number; total: number }>();
  const accepted = kinds.map((k) => KIND_LABELS[k]).join(', ');

  const choose = (f: File | undefined) => {
    setError(undefined);
    setProgress(undefined);
    setFile(f);
    setFileError(
      f && f.size > maxBytes
        ? `${f.name} is ${sizeText(f.size)}: files may be at most ${sizeText(maxBytes)}`
        : undefined,
    );
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    if (!file) return setFileError('choose a file first');
    if (fileError) return;
    setProgress({ sent: 0, total: file.size });
    try {
      await api.uploadWithProgress(
        '/api/subjects/:subjectId/attachments',
        {
          params: { subjectId },
          query: { fileName: file.name, ...(visitId ? { visitId } : {}), ...(formId ? { formId } : {}) },
        },
        file,
        (sent, total) => setProgress({ sent, total }),
      );
      setFile(undefined);
      if (input.current) input.current.value = '';
      setProgress(undefined);
      onDone();
    } catch (err) {
      setProgress(undefined);
      const errs = fieldErrors(err);
      if (errs.file) setFileError(errs.file);
      else setError(err);
    }
  };

  return (
    <form onSubmit={submit} className="upload" aria-label={label}>
      <div className="field">
        <label htmlFor={id}>File</label>
        <input
          id={id}
          ref={input}
          type="file"
          accept={kinds.map((k) => KIND_EXTENSIONS[k]).join(',')}
          onChange={(e) => choose(e.target.files?.[0])}
          aria-invalid={fileError ? true : undefined}
          aria-describedby={`${id}-hint${fileError ? ` ${id}-err` : ''}`}
        />
        <span id={`${id}-hint`} className="hint">
          {accepted}; at most {sizeText(maxBytes)}.{' '}
          {scanner ? 'Each file is virus-scanned before it is accepted.' : 'No virus scanner is configured.'}
        </span>
        {fileError && (
          <span id={`${id}-err`} className="field-error">
            {fileError}
          </span>
        )}
      </div>
      {file && !fileError && (
        <p>
          Selected: {file.name} ({sizeText(file.size)})
        </p>
      )}
      {progress && (
        <p>
          <label htmlFor={`${id}-progress`}>Uploading</label>{' '}
          <progress id={`${id}-progress`} max={progress.total} value={progress.sent} />{' '}
          {sizeText(progress.sent)} of {sizeText(progress.total)}
        </p>
      )}
      <button type="submit" disabled={progress !== undefined}>
        Upload
      </button>
      {error !== undefined && <ErrorBox error={error} />}
    </form>
  );
}
