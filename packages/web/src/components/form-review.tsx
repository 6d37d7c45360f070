import { useState } from 'react';
import { api } from '../api/client.js';
import type { Form, FormReview } from '../api/types.js';
import { t } from '../i18n/index.js';
import { ErrorBox } from './error-box.js';
import { whenText } from './query-thread.js';

/** Whether the form's values changed after its last review. */
export const changedSinceReview = (r: FormReview) =>
  r.reviewedAt !== null && r.changedAt !== null && r.changedAt > r.reviewedAt;

/**
 * A form's review and source verification: who marked it when, and for a monitor the buttons to mark
 * it. A change to a value clears the verification (the server does it with the change).
 */
export function FormReviewState({
  form,
  review,
  canReview,
  onDone,
  labelOf = (code) => code,
}: {
  form: Form;
  review: FormReview;
  canReview: boolean;
  onDone(): void;
  /** An item's label (the definition's), for the per-item verification. */
  labelOf?: (itemCode: string) => string;
}) {
  const [error, setError] = useState<unknown>();
  const mark = async (m: 'verified' | 'reviewed') => {
    setError(undefined);
    try {
      await api.post('/api/forms/:formId/review', {
        params: { formId: form.id },
        body: { mark: m, version: review.version },
      });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  const changed = changedSinceReview(review);
  return (
    <div className="form-review" data-testid={`review-${form.formCode}`}>
      <span className={`badge ${review.verifiedAt ? 'sdv-done' : review.needsSdv ? 'sdv-due' : 'sdv-none'}`}>
        {review.verifiedAt
          ? t('itemSdvMarker.verified', {
              name: review.verifiedByName ?? t('itemSdvMarker.aMonitor'),
              when: whenText(review.verifiedAt),
            })
          : review.needsSdv
            ? review.changedAt
              ? t('formReview.notVerifiedChanged')
              : t('formReview.notVerified')
            : t('formReview.sdvNotRequired')}
      </span>{' '}
      <span className={`badge ${review.reviewedAt && !changed ? 'review-done' : 'review-due'}`}>
        {review.reviewedAt
          ? t('formReview.reviewed', {
              name: review.reviewedByName ?? t('itemSdvMarker.aMonitor'),
              when: whenText(review.reviewedAt),
              changed: changed ? 'yes' : 'no',
            })
          : t('formReview.notReviewed')}
      </span>
      {canReview && (
        <span className="actions">
          {!review.verifiedAt && (
            <button type="button" onClick={() => mark('verified')}>
              {t('formReview.markVerified', { code: form.formCode })}
            </button>
          )}
          {(!review.reviewedAt || changed) && (
            <button type="button" onClick={() => mark('reviewed')}>
              {t('formReview.markReviewed', { code: form.formCode })}
            </button>
          )}
        </span>
      )}
      <ItemVerifications
        form={form}
        review={review}
        canReview={canReview}
        onDone={onDone}
        labelOf={labelOf}
      />
      <ErrorBox error={error} onReload={onDone} />
    </div>
  );
}

/**
 * Source verification of single items (issue 21, "optionally per item"): each item with a value, its
 * state, and for a monitor a button to verify it. A change to the item clears it (the server does it
 * with the change); a change to another item does not.
 */
function ItemVerifications({
  form,
  review,
  canReview,
  onDone,
  labelOf,
}: {
  form: Form;
  review: FormReview;
  canReview: boolean;
  onDone(): void;
  labelOf(itemCode: string): string;
}) {
  const [error, setError] = useState<unknown>();
  const entered = form.items.filter((i) => i.value !== null || i.missingCode !== null);
  const byCode = new Map(review.items.map((i) => [i.itemCode, i]));
  const verified = entered.filter((i) => byCode.get(i.itemCode)?.verifiedAt);
  if (entered.length === 0 || (!canReview && verified.length === 0)) return null;
  const verify = async (itemCode: string) => {
    setError(undefined);
    try {
      await api.post('/api/forms/:formId/items/:itemCode/verify', {
        params: { formId: form.id, itemCode },
        body: { version: byCode.get(itemCode)?.version ?? 0 },
      });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <details className="item-verifications">
      <summary>{t('formReview.oneByOne', { verified: verified.length, entered: entered.length })}</summary>
      <ul>
        {entered.map((i) => {
          const v = byCode.get(i.itemCode);
          const label = labelOf(i.itemCode);
          return (
            <li key={i.itemCode}>
              {label}:{' '}
              {v?.verifiedAt ? (
                <span className="badge sdv-done">
                  {t('itemSdvMarker.verified', {
                    name: v.verifiedByName ?? t('itemSdvMarker.aMonitor'),
                    when: whenText(v.verifiedAt),
                  })}
                </span>
              ) : (
                <span className="badge sdv-due">
                  {v ? t('formReview.notVerifiedChanged') : t('formReview.notVerified')}
                </span>
              )}{' '}
              {canReview && !v?.verifiedAt && (
                <button type="button" onClick={() => verify(i.itemCode)}>
                  {t('formReview.verify', { label })}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      <ErrorBox error={error} onReload={onDone} />
    </details>
  );
}
