import { useState } from 'react';
import { api } from '../api/client.js';
import { fieldErrors } from '../api/problem.js';
import { useSubmit } from '../hooks/use-submit.js';
import { t } from '../i18n/index.js';
import { useMe } from '../session.js';
import { SubmitCancel } from './submit-cancel.js';
import { TextField } from './text-field.js';

export interface FormToSign {
  formId: string;
  formCode: string;
  version: number;
  /** Where the form is, e.g. "V1" or "M6 (cycle 2)". */
  visitLabel: string;
}

/**
 * One signing ceremony for a whole visit (visitId) or a whole casebook: the forms signed listed, the
 * signer's printed name and the meaning shown (21 CFR 11.50), the password entered once. The server
 * signs all the forms or none (a form changed or added meanwhile is a conflict: reload).
 */
export function SignCeremony({
  subjectId,
  visitId,
  forms,
  meaning,
  label,
  onDone,
}: {
  subjectId: string;
  visitId?: string;
  forms: readonly FormToSign[];
  meaning: string;
  /** "Sign visit V1", "Sign casebook NJDT-001". */
  label: string;
  onDone(): void;
}) {
  const me = useMe();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const { error, submit } = useSubmit(async () => {
    await api.post('/api/subjects/:subjectId/signatures', {
      params: { subjectId },
      body: {
        ...(visitId ? { visitId } : {}),
        forms: forms.map((f) => ({ formId: f.formId, version: f.version })),
        password,
      },
    });
    setPassword('');
    setOpen(false);
    onDone();
  });
  if (forms.length === 0) return null;
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t('sign.button', { label, count: forms.length })}
      </button>
    );
  return (
    <form onSubmit={submit} aria-label={label} className="sign-panel">
      <p>{t('sign.intro')}</p>
      <ul data-testid="forms-to-sign">
        {forms.map((f) => (
          <li key={f.formId}>{t('sign.formLine', { visit: f.visitLabel, form: f.formCode })}</li>
        ))}
      </ul>
      <p>
        <strong>{t('sign.signer')}</strong> <span data-testid="signer">{me.user.displayName}</span>
      </p>
      <p className="meaning">
        <strong>{t('sign.meaning')}</strong> <span data-testid="signature-meaning">{meaning}</span>
      </p>
      <TextField
        label={t('sign.password')}
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={setPassword}
        required
        error={fieldErrors(error).password}
      />
      <SubmitCancel
        submitLabel={t('sign.submit', { count: forms.length })}
        onCancel={() => setOpen(false)}
        error={error}
        onReload={onDone}
      />
    </form>
  );
}
