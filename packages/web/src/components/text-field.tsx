// A labelled input with its error message tied to it (aria-describedby), so tests and screen
// readers find both by the label.
import { type InputHTMLAttributes, useEffect, useId, useRef, useState } from 'react';
import { t } from '../i18n/index.js';
import { DATE_PATTERN, DATE_TIME_PATTERN, dateInputProblem } from '../lib/dates.js';

interface Props extends Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange'> {
  label: string;
  value: string;
  onChange(value: string): void;
  error?: string;
}

/**
 * `type="date"` and `type="datetime-local"` are written as text in ISO 8601 (`YYYY-MM-DD`,
 * `YYYY-MM-DD HH:mm` in UTC) rather than with the browser's date controls, whose displayed order
 * follows the browser's language (see lib/dates.ts). The value handed in and out keeps the
 * native inputs' form (`YYYY-MM-DD`, `YYYY-MM-DDTHH:mm`), so callers do not change. A malformed
 * date is said in words at the field once the user leaves it, and blocks the form's submission.
 */
export function TextField({ label, value, onChange, error, type, ...rest }: Props) {
  const id = useId();
  const ref = useRef<HTMLInputElement>(null);
  const kind = type === 'date' ? 'date' : type === 'datetime-local' ? 'datetime' : undefined;
  const [left, setLeft] = useState(false);
  const problem = kind ? dateInputProblem(kind, value) : undefined;
  useEffect(() => {
    ref.current?.setCustomValidity(problem ?? '');
  }, [problem]);
  const shownError = error ?? (left ? problem : undefined);
  const hint =
    kind === 'date' ? t('field.hintDate') : kind === 'datetime' ? t('field.hintDateTime') : undefined;
  const describedBy = [hint ? `${id}-hint` : '', shownError ? `${id}-err` : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      )}
      <input
        id={id}
        ref={ref}
        type={kind ? 'text' : type}
        value={kind === 'datetime' ? value.replace('T', ' ') : value}
        onChange={(e) => onChange(kind === 'datetime' ? e.target.value.replace(' ', 'T') : e.target.value)}
        onBlur={kind ? () => setLeft(true) : undefined}
        aria-invalid={shownError ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...(kind
          ? {
              pattern: kind === 'date' ? DATE_PATTERN : DATE_TIME_PATTERN,
              size: kind === 'date' ? 11 : 17,
              autoComplete: 'off',
            }
          : {})}
        {...rest}
      />
      {shownError && (
        <span id={`${id}-err`} className="field-error">
          {shownError}
        </span>
      )}
    </div>
  );
}

interface SelectProps {
  label: string;
  value: string;
  onChange(value: string): void;
  options: readonly { value: string; label: string }[];
  error?: string;
  required?: boolean;
}

export function SelectField({ label, value, onChange, options, error, required }: SelectProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        required={required}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-err` : undefined}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {error && (
        <span id={`${id}-err`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
