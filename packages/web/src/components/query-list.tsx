import type { Query } from '../api/types.js';
import { Link } from '../router.js';
import { QueryActions } from './query-actions.js';

/** Queries as a list: subject, field, status, text, and the actions this user may take. */
export function QueryList({
  queries,
  studyId,
  onChange,
}: {
  queries: Query[];
  studyId: string;
  onChange(): void;
}) {
  if (queries.length === 0) return <p>No open queries.</p>;
  return (
    <ul className="queries" aria-label="Queries">
      {queries.map((q) => (
        <li key={q.id} className={`query query-${q.status}`}>
          <div>
            {q.subjectCode && <Link href={`/subjects/${q.subjectId}`}>{q.subjectCode}</Link>}{' '}
            {q.visitId ? (
              <Link href={`/visits/${q.visitId}`}>
                <code>{q.field ?? q.formCode ?? q.entityType}</code>
              </Link>
            ) : (
              <code>{q.field ?? q.entityType}</code>
            )}{' '}
            <span className="badge">{q.status}</span>
            {q.raisedByName && <span className="muted"> raised by {q.raisedByName}</span>}
          </div>
          <p className="query-text">{q.text}</p>
          <QueryActions query={q} studyId={studyId} onDone={onChange} />
        </li>
      ))}
    </ul>
  );
}
