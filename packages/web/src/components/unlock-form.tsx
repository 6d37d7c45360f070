import { useState } from 'react';
import { api } from '../api/client.js';
import { fieldErrors } from '../api/problem.js';
import type { Form } from '../api/types.js';
import { useSubmit } from '../hooks/use-submit.js';
import { t } from '../i18n/index.js';
import { SubmitCancel } from './submit-cancel.js';
import { TextField } from './text-field.js';

/** The investigator unlocks a signed form, with a reason (audited). */
export function UnlockForm({ form, onDone }: { form: Form; onDone(): void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const { error, submit } = useSubmit(async () => {
    await api.post('/api/forms/:formId/status', {
      params: { formId: form.id },
      body: { version: form.version, status: 'incomplete', reason },
    });
    setOpen(false);
    onDone();
  });
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t('unlockForm.unlock', { code: form.formCode })}
      </button>
    );
  return (
    <form
      onSubmit={submit}
      aria-label={t('unlockForm.unlock', { code: form.formCode })}
      className="inline-form"
    >
      <TextField
        label={t('unlockForm.reason')}
        value={reason}
        onChange={setReason}
        required
        error={fieldErrors(error).reason}
      />
      <SubmitCancel
        submitLabel={t('unlockForm.submit')}
        onCancel={() => setOpen(false)}
        error={error}
        onReload={onDone}
      />
    </form>
  );
}
