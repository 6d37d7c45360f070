import { useState } from 'react';
import { api } from '../api/client.js';
import type { FormReview } from '../api/types.js';
import { t } from '../i18n/index.js';
import { ErrorBox } from './error-box.js';

/**
 * Source verification of every form of a visit (visitId) or of the casebook in one action (issue 21):
 * the forms the monitor sees are sent with the review version read, so a form that arrived or changed
 * since the page was read refuses the whole action (409) rather than being verified unseen.
 */
export function VerifyForms({
  subjectId,
  visitId,
  label,
  reviews,
  formLabels,
  onDone,
}: {
  subjectId: string;
  visitId?: string;
  /** The button's words, e.g. "Source-verify all forms of visit M3". */
  label: string;
  reviews: readonly FormReview[];
  /** What to call each form in the list (its title, else its code). */
  formLabels: ReadonlyMap<string, string>;
  onDone(): void;
}) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<number>();
  const open = reviews.filter((r) => r.verifiedAt === null);
  if (open.length === 0 && done === undefined) return null;
  const verify = async () => {
    setError(undefined);
    setBusy(true);
    try {
      const r = await api.post('/api/subjects/:subjectId/verifications', {
        params: { subjectId },
        body: {
          ...(visitId ? { visitId } : {}),
          forms: reviews.map((x) => ({ formId: x.formId, version: x.version })),
        },
      });
      setDone(r.verified.length);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-label={t('verifyForms.name')} className="verify-forms">
      {open.length > 0 && (
        <>
          <p>
            {t('verifyForms.notYet', {
              forms: open.map((r) => formLabels.get(r.formId) ?? r.formId).join(', '),
            })}
          </p>
          <button type="button" disabled={busy} onClick={verify}>
            {t('verifyForms.button', { label, count: open.length })}
          </button>
        </>
      )}
      {done !== undefined && <p role="status">{t('verifyForms.done', { count: done })}</p>}
      <ErrorBox error={error} onReload={onDone} />
    </section>
  );
}
