import { ApiError, detailInWords, errorText } from '../api/problem.js';
import { t } from '../i18n/index.js';

/**
 * A server or network error, announced to screen readers. Conflicts say what to do. `atFields`: the
 * form shows each field error at its field, so the box does not repeat them (issue 22).
 */
export function ErrorBox({
  error,
  onReload,
  atFields,
}: {
  error: unknown;
  onReload?: () => void;
  atFields?: boolean;
}) {
  if (!error) return null;
  const conflict = error instanceof ApiError && error.isConflict;
  return (
    <div role="alert" className={conflict ? 'error conflict' : 'error'}>
      {conflict && <strong>{t('errorBox.conflict')}</strong>}
      <span>{conflict ? detailInWords((error as ApiError).message) : errorText(error, { atFields })}</span>
      {conflict && onReload && (
        <button type="button" onClick={onReload}>
          {t('errorBox.reload')}
        </button>
      )}
    </div>
  );
}

export function NotFound({ what }: { what: string }) {
  return (
    <section>
      <h1>{t('notFound.title')}</h1>
      <p role="alert">{t('notFound.text', { what })}</p>
    </section>
  );
}

/** Shows a load error: 404 as "not found", anything else as an error box. */
export function LoadError({ error, what }: { error: unknown; what: string }) {
  if (error instanceof ApiError && error.isNotFound) return <NotFound what={what} />;
  return <ErrorBox error={error} />;
}
