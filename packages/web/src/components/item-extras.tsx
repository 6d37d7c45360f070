import { useState } from 'react';
import type { Item, Query } from '../api/types.js';
import { AuditHistory } from './audit-history.js';
import { QueryActions } from './query-actions.js';
import { RaiseQuery } from './raise-query.js';

/** Under an item: its open queries, and buttons to show its history or raise a query. */
export function ItemExtras({
  item,
  formCode,
  subjectId,
  studyId,
  queries,
  canRaise,
  onQueriesChanged,
}: {
  item: Item;
  formCode: string;
  subjectId: string;
  studyId: string;
  queries: Query[];
  canRaise: boolean;
  onQueriesChanged(): void;
}) {
  const [showHistory, setShowHistory] = useState(false);
  const [raising, setRaising] = useState(false);
  const field = `${formCode}.${item.itemCode}`;
  const mine = queries.filter((q) => q.entityType === 'item' && q.entityId === item.id);
  return (
    <div className="item-extras">
      <div className="actions">
        <button type="button" aria-expanded={showHistory} onClick={() => setShowHistory(!showHistory)}>
          History of {item.itemCode}
        </button>
        {canRaise && !raising && (
          <button type="button" onClick={() => setRaising(true)}>
            Raise query on {item.itemCode}
          </button>
        )}
      </div>
      {raising && (
        <RaiseQuery
          subjectId={subjectId}
          entityType="item"
          entityId={item.id}
          field={field}
          onRaised={() => {
            setRaising(false);
            onQueriesChanged();
          }}
          onCancel={() => setRaising(false)}
        />
      )}
      {mine.length > 0 && (
        <ul className="queries" aria-label={`Queries on ${item.itemCode}`}>
          {mine.map((q) => (
            <li key={q.id} className={`query query-${q.status}`}>
              <span className="badge">query {q.status}</span> <span className="query-text">{q.text}</span>
              <QueryActions query={q} studyId={studyId} onDone={onQueriesChanged} />
            </li>
          ))}
        </ul>
      )}
      {showHistory && (
        <AuditHistory subjectId={subjectId} entityType="item" entityId={item.id} title={field} />
      )}
    </div>
  );
}
