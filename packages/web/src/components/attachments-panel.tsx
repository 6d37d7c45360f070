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
import { t } from '../i18n/index.js';
import { ErrorBox } from './error-box.js';
import { TableScroll } from './table-scroll.js';
import { TextField } from './text-field.js';

/** A file kind in words. */
const kindLabel = (kind: AttachmentKind) => t('attachments.kind', { kind });
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
    ? t('attachments.bytes', { n })
    : n < 1024 * 1024
      ? t('attachments.kb', { n: (n / 1024).toFixed(1) })
      : t('attachments.mb', { n: (n / (1024 * 1024)).toFixed(1) });

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
      {form ? (
        <h4 id={headingId}>{t('attachments.filesOf', { title: form.title })}</h4>
      ) : (
        <h2 id={headingId}>{t('attachments.files')}</h2>
      )}
      {form?.locked && data?.mayUpload && <p className="hint">{t('attachments.signedHint')}</p>}
      {list.error !== undefined && <ErrorBox error={list.error} />}
      {data && data.attachments.length === 0 && (
        <p>{t('attachments.none', { where: form ? 'form' : visitId ? 'visit' : 'subject' })}</p>
      )}
      {data && data.attachments.length > 0 && (
        <TableScroll label={form ? t('attachments.filesOf', { title: form.title }) : t('attachments.files')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('attachments.col.file')}</th>
                <th scope="col">{t('attachments.col.kind')}</th>
                <th scope="col">{t('attachments.col.size')}</th>
                <th scope="col">{t('attachments.col.uploaded')}</th>
                <th scope="col">{t('attachments.col.scan')}</th>
                <th scope="col">{t('attachments.col.status')}</th>
                <th scope="col">{t('attachments.col.actions')}</th>
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
          {...(form ? { formId: form.id, label: t('attachments.uploadTo', { title: form.title }) } : {})}
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
  const name = a.fileName ?? t('attachments.neutralName', { n, kind: kindLabel(a.kind) });
  const active = a.status === 'active';
  return (
    <tr className={active ? undefined : 'retracted'}>
      <td>{active ? name : <del>{name}</del>}</td>
      <td>{kindLabel(a.kind)}</td>
      <td>{sizeText(a.bytes)}</td>
      <td>
        {a.uploadedBy}, {instant(a.uploadedAt)}
      </td>
      <td>{a.scanStatus === 'clean' ? t('attachments.clean') : t('attachments.notScanned')}</td>
      <td>
        {active
          ? t('attachments.active')
          : a.retractReason
            ? t('attachments.retractedReason', {
                at: a.retractedAt ? instant(a.retractedAt) : '',
                reason: a.retractReason,
              })
            : t('attachments.retracted', { at: a.retractedAt ? instant(a.retractedAt) : '' })}
      </td>
      <td>
        {active && a.fileName !== null && (
          <a href={`/api/attachments/${encodeURIComponent(a.id)}/file`} download={a.fileName}>
            {t('attachments.download')} <span className="sr-only">{name}</span>
          </a>
        )}
        {active && mayRetract && !retracting && (
          <button type="button" onClick={() => setRetracting(true)}>
            {t('attachments.retract')} <span className="sr-only">{name}</span>
          </button>
        )}
        {retracting && (
          <form onSubmit={submit} aria-label={t('attachments.retractName', { name })}>
            <TextField
              label={t('attachments.reason')}
              value={reason}
              onChange={setReason}
              required
              maxLength={500}
              {...(errs.reason ? { error: errs.reason } : {})}
            />
            <button type="submit" disabled={busy}>
              {t('attachments.retractFile')}
            </button>
            <button type="button" onClick={() => setRetracting(false)}>
              {t('common.cancel')}
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
  label = t('attachments.upload'),
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
  const accepted = kinds.map(kindLabel).join(', ');

  const choose = (f: File | undefined) => {
    setError(undefined);
    setProgress(undefined);
    setFile(f);
    setFileError(
      f && f.size > maxBytes
        ? t('attachments.tooLarge', { name: f.name, size: sizeText(f.size), max: sizeText(maxBytes) })
        : undefined,
    );
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    if (!file) return setFileError(t('attachments.chooseFirst'));
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
        <label htmlFor={id}>{t('attachments.file')}</label>
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
          {t('attachments.accepted', { kinds: accepted, max: sizeText(maxBytes) })}{' '}
          {scanner ? t('attachments.scanner') : t('attachments.noScanner')}
        </span>
        {fileError && (
          <span id={`${id}-err`} className="field-error">
            {fileError}
          </span>
        )}
      </div>
      {file && !fileError && (
        <p>{t('attachments.selected', { name: file.name, size: sizeText(file.size) })}</p>
      )}
      {progress && (
        <p>
          <label htmlFor={`${id}-progress`}>{t('attachments.uploading')}</label>{' '}
          <progress id={`${id}-progress`} max={progress.total} value={progress.sent} />{' '}
          {t('attachments.progress', { sent: sizeText(progress.sent), total: sizeText(progress.total) })}
        </p>
      )}
      <button type="submit" disabled={progress !== undefined}>
        {t('attachments.uploadButton')}
      </button>
      {error !== undefined && <ErrorBox error={error} />}
    </form>
  );
}
