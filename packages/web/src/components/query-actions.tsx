import { type FormEvent, useId, useState } from 'react';
import { api } from '../api/client.js';
import { fieldErrors } from '../api/problem.js';
import type { Query } from '../api/types.js';
import { t } from '../i18n/index.js';
import { hasRole, useMe } from '../session.js';
import { ErrorBox } from './error-box.js';

type Transition = 'answer' | 'close' | 'reopen';

/** The transitions this user may take on a query: the site answers; the monitor closes or reopens. */
export function allowedTransitions(me: ReturnType<typeof useMe>, q: Query, studyId: string): Transition[] {
  const out: Transition[] = [];
  if (q.status === 'open' && hasRole(me, ['coordinator', 'investigator'], studyId, q.siteId))
    out.push('answer');
  if (q.status !== 'closed' && hasRole(me, 'monitor', studyId)) out.push('close');
  if (q.status !== 'open' && hasRole(me, 'monitor', studyId)) out.push('reopen');
  return out;
}

export function QueryActions({ query, studyId, onDone }: { query: Query; studyId: string; onDone(): void }) {
  const me = useMe();
  const [open, setOpen] = useState<Transition>();
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>();
  const id = useId();
  const transitions = allowedTransitions(me, query, studyId);
  if (transitions.length === 0) return null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!open) return;
    setError(undefined);
    try {
      await api.post('/api/queries/:queryId/transitions', {
        params: { queryId: query.id },
        body: {
          transition: open,
          version: query.version,
          text,
        },
      });
      setOpen(undefined);
      setText('');
      onDone();
    } catch (err) {
      setError(err);
    }
  };

  if (!open)
    return (
      <span className="actions">
        {transitions.map((tr) => (
          <button key={tr} type="button" onClick={() => setOpen(tr)}>
            {t('queryActions.open', { transition: tr })}
          </button>
        ))}
      </span>
    );
  const errs = fieldErrors(error);
  return (
    <form onSubmit={submit} aria-label={t('queryActions.open', { transition: open })} className="inline-form">
      <label htmlFor={id}>
        {open === 'answer' ? t('queryActions.answer') : t('queryActions.comment', { transition: open })}
      </label>
      <textarea id={id} value={text} onChange={(e) => setText(e.target.value)} required rows={2} />
      {errs.text && <span className="field-error">{errs.text}</span>}
      <button type="submit">
        {open === 'answer' ? t('queryActions.sendAnswer') : t('queryActions.open', { transition: open })}
      </button>
      <button type="button" onClick={() => setOpen(undefined)}>
        {t('common.cancel')}
      </button>
      <ErrorBox error={error} onReload={onDone} />
    </form>
  );
}
