import { useState } from 'react';
import { api } from '../api/client.js';
import { fieldErrors } from '../api/problem.js';
import type { Form } from '../api/types.js';
import { useSubmit } from '../hooks/use-submit.js';
import { t } from '../i18n/index.js';
import { SubmitCancel } from './submit-cancel.js';
import { TextField } from './text-field.js';

/** The investigator signs a form: the meaning (as the server stores it with the signature) is shown, the password re-entered. */
export function SignForm({ form, meaning, onDone }: { form: Form; meaning: string; onDone(): void }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const { error, submit } = useSubmit(async () => {
    await api.post('/api/forms/:formId/status', {
      params: { formId: form.id },
      body: { version: form.version, status: 'signed', password },
    });
    setPassword('');
    setOpen(false);
    onDone();
  });
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t('signForm.sign', { code: form.formCode })}
      </button>
    );
  return (
    <form onSubmit={submit} aria-label={t('signForm.sign', { code: form.formCode })} className="sign-panel">
      <p className="meaning">
        <strong>{t('signForm.meaning')}</strong> <span data-testid="signature-meaning">{meaning}</span>
      </p>
      <TextField
        label={t('signForm.password')}
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={setPassword}
        required
        error={fieldErrors(error).password}
      />
      <SubmitCancel
        submitLabel={t('signForm.submit')}
        onCancel={() => setOpen(false)}
        error={error}
        onReload={onDone}
      />
    </form>
  );
}
