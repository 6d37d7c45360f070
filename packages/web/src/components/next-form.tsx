// "Save and go to the next form" (issue #22, keyboard): a button beside a form's Save and the
// shortcut Alt+Shift+N (Ctrl+S already saves; Alt+Shift+N is taken by neither Chromium nor Firefox,
// whose Ctrl/Cmd+N opens a window). The visit page moves to the next form in the visit's expected
// order that is not complete (core protocol/record-status.ts nextFormToEnter); after the last one it
// goes back to the top of the visit and says so.
import { nextFormToEnter } from '@msct/core/protocol';
import { type KeyboardEvent, useState } from 'react';
import { t } from '../i18n/index.js';

/** Alt+Shift+N (Option+Shift+N on a Mac: `code`, not `key`, which a Mac turns into a symbol). */
export const isNextFormShortcut = (e: KeyboardEvent) =>
  e.altKey && e.shiftKey && !e.ctrlKey && !e.metaKey && e.code === 'KeyN';

/** The button and its hint, rendered by a form beside its own Save button. */
export function SaveAndNextButton({
  formId,
  disabled,
  onClick,
}: {
  formId: string;
  disabled: boolean;
  onClick(): void;
}) {
  return (
    <>
      <button type="submit" form={formId} disabled={disabled} onClick={onClick} className="save-and-next">
        {t('nextForm.button')}
      </button>
      <p className="field-hint">
        <kbd>{t('nextForm.keyAlt')}</kbd>+<kbd>{t('nextForm.keyShift')}</kbd>+<kbd>{t('nextForm.keyN')}</kbd>{' '}
        {t('nextForm.hint')}
      </p>
    </>
  );
}

/** The element of a form on the visit page: a form entered (its panel) or one still to enter. */
const formElement = (formCode: string) =>
  document.querySelector<HTMLElement>(`[data-form-code="${CSS.escape(formCode)}"]`);

/** The first field of a form's element a user can type into. */
const firstField = (el: HTMLElement) =>
  el.querySelector<HTMLElement>(
    'input:not([type="hidden"]):not(:disabled), select:not(:disabled), textarea:not(:disabled)',
  );

/**
 * The visit page's side: `goNext(formCode)` after a form was saved moves to the next form to do
 * (opening a form not yet entered, focusing its first field); `notice` says when there is none.
 */
export function useNextForm(input: {
  /** The definition's forms at this visit, in its order (empty for an ad-hoc study). */
  order: readonly string[];
  forms: readonly { formCode: string; status: string }[];
  titleOf(formCode: string): string;
}) {
  const [notice, setNotice] = useState<string>();
  const goNext = (from: string) => {
    let at = from;
    for (;;) {
      const next = nextFormToEnter(input.order, input.forms, at);
      if (next === undefined) break;
      const el = formElement(next);
      // A form of the definition with no panel here (entered through another page) is passed over.
      if (el) {
        setNotice(undefined);
        if (el instanceof HTMLDetailsElement) el.open = true;
        el.scrollIntoView({ block: 'start' });
        (firstField(el) ?? el).focus();
        return;
      }
      at = next;
    }
    setNotice(t('nextForm.last', { title: input.titleOf(from) }));
    // Focus the notice once it is rendered, so that a screen reader reads it and Tab starts at the top.
    requestAnimationFrame(() => {
      const p = document.getElementById('next-form-notice');
      p?.scrollIntoView({ block: 'center' });
      p?.focus();
    });
  };
  const noticeElement = notice ? (
    <p id="next-form-notice" role="status" tabIndex={-1} className="notice">
      {notice}
    </p>
  ) : null;
  return { goNext, notice: noticeElement };
}
