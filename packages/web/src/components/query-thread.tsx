import { api } from '../api/client.js';
import type { Query } from '../api/types.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { dateTimeText } from '../lib/dates.js';
import { LoadError } from './error-box.js';
import { QueryActions } from './query-actions.js';

/** "2026-12-05 03:40 UTC" from an instant. */
export const whenText = dateTimeText;

/**
 * One query as a thread both sides read: every message (raise, answer, close, reopen) with who and
 * when, and the actions this user may take next.
 */
export function QueryThread({
  query,
  studyId,
  onChange,
  actions = true,
}: {
  query: Query;
  studyId: string;
  onChange(): void;
  /** False where the actions are shown already (the study's list). */
  actions?: boolean;
}) {
  // Reloaded whenever the query moves on (its version changes).
  const thread = useLoad(
    () => api.get('/api/queries/:queryId', { params: { queryId: query.id } }),
    [query.id, query.version],
  );
  return (
    <div className="query-thread">
      {thread.error ? <LoadError error={thread.error} what={t('queryThread.loadWhat')} /> : null}
      <ol aria-label={t('queryThread.name', { what: query.field ?? query.entityType })}>
        {(thread.data?.messages ?? []).map((m) => (
          <li key={m.id} className={`query-message kind-${m.kind}`}>
            <span className="query-who">
              {m.authorName} {t('queryThread.kind', { kind: m.kind })}
            </span>{' '}
            <time dateTime={m.createdAt}>{whenText(m.createdAt)}</time>
            <p className="query-text">{m.text}</p>
          </li>
        ))}
      </ol>
      {actions && <QueryActions query={query} studyId={studyId} onDone={onChange} />}
    </div>
  );
}
