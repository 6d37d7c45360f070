import { useState } from 'react';
import { api } from '../api/client.js';
import type { Form, FormReview } from '../api/types.js';
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
}: {
  form: Form;
  review: FormReview;
  canReview: boolean;
  onDone(): void;
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
          ? `Source verified by ${review.verifiedByName ?? 'a monitor'}, ${whenText(review.verifiedAt)}`
          : review.needsSdv
            ? review.changedAt
              ? 'Not source verified (changed since verification)'
              : 'Not source verified'
            : 'SDV not required'}
      </span>{' '}
      <span className={`badge ${review.reviewedAt && !changed ? 'review-done' : 'review-due'}`}>
        {review.reviewedAt
          ? `Reviewed by ${review.reviewedByName ?? 'a monitor'}, ${whenText(review.reviewedAt)}${changed ? ' — changed since review' : ''}`
          : 'Not reviewed'}
      </span>
      {canReview && (
        <span className="actions">
          {!review.verifiedAt && (
            <button type="button" onClick={() => mark('verified')}>
              Mark {form.formCode} source verified
            </button>
          )}
          {(!review.reviewedAt || changed) && (
            <button type="button" onClick={() => mark('reviewed')}>
              Mark {form.formCode} reviewed
            </button>
          )}
        </span>
      )}
      <ErrorBox error={error} onReload={onDone} />
    </div>
  );
}
