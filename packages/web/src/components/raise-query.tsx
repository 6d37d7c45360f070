import { useId, useState } from 'react';
import { api } from '../api/client.js';
import type { BodyOf } from '../api/types.js';
import { useSubmit } from '../hooks/use-submit.js';
import { t } from '../i18n/index.js';
import { ErrorBox } from './error-box.js';

/** A monitor raises a query on a record or one of its fields. */
export function RaiseQuery({
  subjectId,
  entityType,
  entityId,
  field,
  onRaised,
  onCancel,
}: {
  subjectId: string;
  entityType: string;
  entityId: string;
  field: string | null;
  onRaised(): void;
  onCancel(): void;
}) {
  const [text, setText] = useState('');
  const id = useId();
  const { error, errs, submit } = useSubmit(async () => {
    await api.post('/api/subjects/:subjectId/queries', {
      params: { subjectId },
      body: {
        entityType: entityType as BodyOf<'POST', '/api/subjects/:subjectId/queries'>['entityType'],
        entityId,
        field,
        text,
      },
    });
    setText('');
    onRaised();
  });
  return (
    <form
      onSubmit={submit}
      aria-label={t('raiseQuery.name', { field: field ?? entityType })}
      className="inline-form"
    >
      <label htmlFor={id}>{t('raiseQuery.text')}</label>
      <textarea id={id} value={text} onChange={(e) => setText(e.target.value)} rows={2} required />
      {errs.text && <span className="field-error">{errs.text}</span>}
      <button type="submit">{t('raiseQuery.submit')}</button>
      <button type="button" onClick={onCancel}>
        {t('common.cancel')}
      </button>
      <ErrorBox error={error} />
    </form>
  );
}
