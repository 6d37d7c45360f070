// The end of every CRF editor (catalog forms, the generic editor, SLEDAI-2K): the reason-for-change
// field while a saved value is changing (21 CFR 11.10(e)), and the save's error, where a conflict
// (someone else saved first) offers a reload.
import { ApiError } from '../api/problem.js';
import { t } from '../i18n/index.js';
import { ErrorBox } from './error-box.js';
import { TextField } from './text-field.js';

interface Props {
  /** The editor's form element id (the field stands outside the <form>). */
  formId: string;
  /** Whether a reason is asked for: a saved value changes and the form is editable. */
  show: boolean;
  reason: string;
  onReason(value: string): void;
  reasonError?: string;
  error: unknown;
  onReload(): void;
  /** The editor shows each field error at its field: the box does not repeat them. */
  atFields?: boolean;
}

export function ChangeReasonAndError({
  formId,
  show,
  reason,
  onReason,
  reasonError,
  error,
  onReload,
  atFields,
}: Props) {
  return (
    <>
      {show && (
        <TextField
          form={formId}
          label={t('changeReason.label')}
          value={reason}
          onChange={onReason}
          required
          error={reasonError}
          placeholder={t('changeReason.placeholder')}
        />
      )}
      <ErrorBox
        error={error}
        onReload={error instanceof ApiError && error.isConflict ? onReload : undefined}
        atFields={atFields}
      />
    </>
  );
}
