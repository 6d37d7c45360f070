import { useState } from 'react';
import { api } from '../api/client.js';
import type { FormReview } from '../api/types.js';
import { t } from '../i18n/index.js';
import { catalogForms, type definitionOf } from '../lib/definition.js';
import { ErrorBox } from './error-box.js';
import { VerifyForms } from './verify-forms.js';

type Definition = ReturnType<typeof definitionOf>;

/**
 * Bulk source verification from the monitor's worklist (issue #21): a visit's forms, or a subject's
 * whole casebook, in one action. The worklist lists only the forms the SDV plan needs, so the action
 * first reads every form of the scope with its review version (the visit's, or each visit of the
 * subject) and lists the ones not yet verified by name; the monitor confirms that list, and the API
 * (POST /api/subjects/:subjectId/verifications) refuses it whole if a form arrived or changed since.
 */
export function WorklistVerify({
  subjectId,
  subjectCode,
  visit,
  definition,
  onDone,
}: {
  subjectId: string;
  subjectCode: string;
  /** The visit verified; absent: every visit of the subject (the casebook). */
  visit?: { id: string; label: string };
  definition: Definition;
  /** After the forms were verified, with words saying what was. */
  onDone(message: string): void;
}) {
  const [loaded, setLoaded] = useState<{ reviews: FormReview[]; labels: Map<string, string> }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const scope = visit
    ? t('worklistVerify.scopeVisit', { visit: visit.label, subject: subjectCode })
    : t('worklistVerify.scopeAll', { subject: subjectCode });
  const load = async () => {
    setError(undefined);
    setBusy(true);
    try {
      const visitIds = visit
        ? [visit.id]
        : (await api.get('/api/subjects/:subjectId/visits', { params: { subjectId } })).map((v) => v.id);
      const catalog = catalogForms(definition);
      const reviews: FormReview[] = [];
      const labels = new Map<string, string>();
      for (const visitId of visitIds) {
        const [v, r] = await Promise.all([
          api.get('/api/visits/:visitId', { params: { visitId } }),
          api.get('/api/visits/:visitId/reviews', { params: { visitId } }),
        ]);
        for (const f of v.forms)
          labels.set(
            f.id,
            t('worklistVerify.formLabel', {
              visit: visit ? '' : `${v.visitCode} `,
              form: catalog.get(f.formCode)?.title ?? f.formCode,
            }),
          );
        reviews.push(...r);
      }
      setLoaded({ reviews, labels });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  if (!loaded)
    return (
      <>
        <button type="button" disabled={busy} onClick={load}>
          {visit
            ? t('worklistVerify.verifyVisit', { visit: visit.label })
            : t('worklistVerify.verifyAll', { subject: subjectCode })}
        </button>
        <ErrorBox error={error} />
      </>
    );
  if (!loaded.reviews.some((r) => r.verifiedAt === null))
    return <p role="status">{t('worklistVerify.already', { scope })}</p>;
  return (
    <VerifyForms
      subjectId={subjectId}
      {...(visit ? { visitId: visit.id } : {})}
      label={t('worklistVerify.label', { scope })}
      reviews={loaded.reviews}
      formLabels={loaded.labels}
      onDone={() => onDone(t('worklistVerify.done', { scope }))}
    />
  );
}
