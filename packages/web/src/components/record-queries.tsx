import { useState } from 'react';
import type { Query } from '../api/types.js';
import { t } from '../i18n/index.js';
import { QueryThread } from './query-thread.js';
import { RaiseQuery } from './raise-query.js';

/** The marker beside a field or record: how many queries are open or answered on it. */
export function QueryMarker({
  queries,
  label,
  testId = label,
}: {
  queries: Query[];
  label: string;
  testId?: string;
}) {
  const unresolved = queries.filter((q) => q.status !== 'closed');
  if (queries.length === 0) return null;
  const open = unresolved.filter((q) => q.status === 'open').length;
  const answered = unresolved.length - open;
  const text =
    unresolved.length === 0
      ? t('queries.marker.closed', { count: queries.length })
      : [
          open ? t('queries.marker.open', { count: open }) : '',
          answered ? t('queries.marker.answered', { count: answered }) : '',
        ]
          .filter(Boolean)
          .join(t('queries.marker.join'));
  return (
    <span
      className={`query-marker${unresolved.length ? (open ? ' marker-open' : ' marker-answered') : ' marker-closed'}`}
      title={t('queries.on', { label })}
      data-testid={`query-marker-${testId}`}
    >
      {t('queries.marker.text', { count: queries.length, states: text })}
    </span>
  );
}

/**
 * The queries on one record (an item, a form, a visit, an AE, an infusion, the subject), shown where
 * the record is: a marker, each query's whole thread, and for the monitor a button to raise one.
 */
export function RecordQueries({
  subjectId,
  studyId,
  entityType,
  entityId,
  field,
  label,
  queries,
  canRaise,
  onChanged,
}: {
  subjectId: string;
  studyId: string;
  entityType: 'subject' | 'visit' | 'form' | 'item' | 'infusion' | 'adverse event';
  entityId: string;
  /** The field within the record (an item's FORM.ITEM, a subject's column), or null for the record. */
  field: string | null;
  /** What the buttons and lists name: the item's label, "form Laboratory tests", "visit BASELINE", … */
  label: string;
  /** The queries of the subject (or more): those on this record are picked out here. */
  queries: Query[];
  canRaise: boolean;
  onChanged(): void;
}) {
  const [raising, setRaising] = useState(false);
  const mine = queries.filter(
    (q) => q.entityType === entityType && q.entityId === entityId && (field === null || q.field === field),
  );
  return (
    <div className="record-queries">
      {/* The marker's test id keeps the item's code (FORM.ITEM → ITEM): ids are not user-facing. */}
      <QueryMarker
        queries={mine}
        label={label}
        testId={field ? field.slice(field.indexOf('.') + 1) : label}
      />
      {canRaise && !raising && (
        <button type="button" onClick={() => setRaising(true)}>
          {t('queries.raiseOn', { label })}
        </button>
      )}
      {raising && (
        <RaiseQuery
          subjectId={subjectId}
          entityType={entityType}
          entityId={entityId}
          field={field}
          onRaised={() => {
            setRaising(false);
            onChanged();
          }}
          onCancel={() => setRaising(false)}
        />
      )}
      {mine.length > 0 && (
        <ul className="queries" aria-label={t('queries.on', { label })}>
          {mine.map((q) => (
            <li key={q.id} className={`query query-${q.status}`}>
              <span className="badge">{t('queries.badge', { status: q.status })}</span>
              <QueryThread query={q} studyId={studyId} onChange={onChanged} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
