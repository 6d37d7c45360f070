import { useState } from 'react';
import { api } from '../api/client.js';
import { fieldErrors } from '../api/problem.js';
import type { Form } from '../api/types.js';
import { useSubmit } from '../hooks/use-submit.js';
import { t } from '../i18n/index.js';
import { SubmitCancel } from './submit-cancel.js';
import { TextField } from './text-field.js';

/**
 * Whether a form holds nothing: no value, no missing-data code, never changed, not signed or locked.
 * The server decides (store/repositories/record-deletion.ts, which also refuses a queried or reviewed
 * form); this only says when to offer the deletion.
 */
export const formIsEmpty = (f: Form) =>
  f.status !== 'signed' &&
  f.status !== 'locked' &&
  f.items.every((i) => i.value === null && i.missingCode === null && i.version === 1);

/**
 * Deletes a visit or a form opened by mistake (issue #20), with a reason (audited). Offered only while
 * it holds no value; the server refuses anything else with the rule, shown here in words.
 */
export function DeleteRecord({
  kind,
  id,
  version,
  what,
  onDone,
}: {
  kind: 'visit' | 'form';
  id: string;
  version: number;
  /** How the record is named to the user: "visit M6", "form labs". */
  what: string;
  onDone(): void;
}) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const label = t('deleteRecord.delete', { what });
  const { error, submit } = useSubmit(async () => {
    const query = { version, reason };
    if (kind === 'visit') await api.delete('/api/visits/:visitId', { params: { visitId: id }, query });
    else await api.delete('/api/forms/:formId', { params: { formId: id }, query });
    setOpen(false);
    onDone();
  });
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {label}
      </button>
    );
  const errors = fieldErrors(error);
  return (
    <form onSubmit={submit} aria-label={label} className="inline-form">
      <p className="hint">{t('deleteRecord.hint', { kind })}</p>
      <TextField
        label={t('deleteRecord.reason', { what })}
        value={reason}
        onChange={setReason}
        required
        error={errors.reason ?? errors['querystring.reason']}
      />
      <SubmitCancel
        submitLabel={t('deleteRecord.submit')}
        onCancel={() => setOpen(false)}
        error={error}
        onReload={onDone}
      />
    </form>
  );
}
