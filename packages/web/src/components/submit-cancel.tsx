// The end of each inline action form opened by a button (sign, unlock, declare missed, reset a
// password, (de)activate a user): submit, cancel (closes the form), and the error, where a conflict
// offers a reload.
import type { ReactNode } from 'react';
import { t } from '../i18n/index.js';
import { ErrorBox } from './error-box.js';

interface Props {
  submitLabel: ReactNode;
  onCancel(): void;
  error: unknown;
  onReload(): void;
}

export function SubmitCancel({ submitLabel, onCancel, error, onReload }: Props) {
  return (
    <>
      <button type="submit">{submitLabel}</button>
      <button type="button" onClick={onCancel}>
        {t('submitCancel.cancel')}
      </button>
      <ErrorBox error={error} onReload={onReload} />
    </>
  );
}
