import { api } from '../api/client.js';
import { useLoad } from '../hooks/use-load.js';
import { LoadError } from './error-box.js';
import { TableScroll } from './table-scroll.js';

/** The history of one record or field: who, when, old → new, why. */
export function AuditHistory({
  subjectId,
  entityType,
  entityId,
  title,
}: {
  subjectId: string;
  entityType: string;
  entityId: string;
  title: string;
}) {
  const events = useLoad(
    () =>
      api.get('/api/subjects/:subjectId/audit', { params: { subjectId }, query: { entityType, entityId } }),
    [subjectId, entityType, entityId],
  );
  if (events.error) return <LoadError error={events.error} what="history" />;
  if (!events.data) return <p className="loading">Loading history…</p>;
  return (
    <TableScroll label={`History of ${title}`}>
      <table className="audit" aria-label={`History of ${title}`}>
        <caption>History of {title}</caption>
        <thead>
          <tr>
            <th scope="col">When (UTC)</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Old → new</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {events.data.map((e) => (
            <tr key={e.seq}>
              <td>{e.at.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')}</td>
              <td>{e.actor}</td>
              <td>{e.action}</td>
              <td>
                <span className="old">{e.oldValue ?? '∅'}</span> →{' '}
                <span className="new">{e.newValue ?? '∅'}</span>
              </td>
              <td>{e.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
