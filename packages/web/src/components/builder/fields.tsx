// The form builder's controls (pages/builder-page.tsx and its editors): a labelled input whose
// problems, found by the definition's validation at its path, are shown at it and tied to it.

import type { StudyDefinition } from '@msct/core/protocol';
import { type ReactNode, useId, useState } from 'react';
import { t } from '../../i18n/index.js';

/** Every edit of the builder's draft: a copy of the definition, changed. */
export type Edit = (change: (d: StudyDefinition) => void) => void;

export function Errors({ messages, id }: { messages: readonly string[]; id: string }) {
  if (messages.length === 0) return null;
  return (
    <span id={id} className="field-error">
      {messages.join('; ')}
    </span>
  );
}

/** A labelled input whose problems (by definition path) are shown at it and tied to it. */
export function Field({
  label,
  problems,
  children,
}: {
  label: string;
  problems: readonly string[];
  children(props: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }): ReactNode;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(problems.length ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-err` } : {}),
      })}
      <Errors messages={problems} id={`${id}-err`} />
    </div>
  );
}

/**
 * A text field for a value the draft holds parsed (a number, a list of units): what is typed stays
 * as typed while it does not parse (with a message), the draft changes when it does.
 */
export function ParsedField<T>({
  label,
  value,
  format,
  parse,
  onChange,
  problems,
  inputMode,
}: {
  label: string;
  value: T;
  format(v: T): string;
  /** The parsed value, or an error message. */
  parse(text: string): { value: T } | { error: string };
  onChange(v: T): void;
  problems: readonly string[];
  inputMode?: 'decimal' | 'text';
}) {
  const [text, setText] = useState(format(value));
  const [sent, setSent] = useState<T>(value);
  const [local, setLocal] = useState<string>();
  // What the user typed stays while the draft holds what it parses to ("1.", "mg, ").
  const shown = format(sent) === format(value) ? text : format(value);
  return (
    <Field label={label} problems={local ? [local, ...problems] : problems}>
      {(p) => (
        <input
          {...p}
          type="text"
          inputMode={inputMode}
          value={shown}
          onChange={(e) => {
            setText(e.target.value);
            const r = parse(e.target.value);
            if ('error' in r) {
              setLocal(r.error);
              return;
            }
            setLocal(undefined);
            setSent(r.value);
            onChange(r.value);
          }}
        />
      )}
    </Field>
  );
}

export const parseNumber = (text: string): { value: number | undefined } | { error: string } => {
  if (text.trim() === '') return { value: undefined };
  const n = Number(text.trim());
  return Number.isFinite(n) ? { value: n } : { error: t('builderFields.notNumber', { text }) };
};
export const parseUnits = (text: string): { value: string[] | undefined } => {
  const units = text
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  return { value: units.length ? units : undefined };
};

export function TextFieldAt({
  label,
  value,
  onChange,
  problems,
}: {
  label: string;
  value: string;
  onChange(v: string): void;
  problems: readonly string[];
}) {
  return (
    <Field label={label} problems={problems}>
      {(p) => <input {...p} type="text" value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}
