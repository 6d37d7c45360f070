import { useState } from 'react';
import type { Query } from '../api/types.js';
import { t } from '../i18n/index.js';
import { Link } from '../router.js';
import { QueryActions } from './query-actions.js';
import { QueryThread } from './query-thread.js';

/** Queries as a list: subject, where, status, age, text, the thread on demand, and this user's actions. */
export function QueryList({
  queries,
  studyId,
  onChange,
  empty = t('queryList.noOpen'),
}: {
  queries: Query[];
  studyId: string;
  onChange(): void;
  empty?: string;
}) {
  if (queries.length === 0) return <p>{empty}</p>;
  return (
    <ul className="queries" aria-label={t('queryList.name')}>
      {queries.map((q) => (
        <QueryListItem key={q.id} q={q} studyId={studyId} onChange={onChange} />
      ))}
    </ul>
  );
}

function QueryListItem({ q, studyId, onChange }: { q: Query; studyId: string; onChange(): void }) {
  const [showThread, setShowThread] = useState(false);
  const where = q.field ?? (q.formCode ? t('queryList.form', { form: q.formCode }) : q.entityType);
  return (
    <li className={`query query-${q.status}`}>
      <div>
        {q.subjectCode && <Link href={`/subjects/${q.subjectId}`}>{q.subjectCode}</Link>}{' '}
        {q.visitId ? (
          <Link href={`/visits/${q.visitId}`}>
            {q.visitCode && `${q.visitCode} `}
            <code>{where}</code>
          </Link>
        ) : (
          <code>{where}</code>
        )}{' '}
        <span className="badge">{t('query.status', { status: q.status })}</span>{' '}
        <span className="muted">
          {q.raisedByName && t('queryList.raisedBy', { name: q.raisedByName })}
          {q.status === 'closed'
            ? t('queryList.ageClosed', { days: q.ageDays })
            : t('queryList.ageOpen', { days: q.ageDays })}
        </span>
      </div>
      <p className="query-text">{q.text}</p>
      <button type="button" aria-expanded={showThread} onClick={() => setShowThread(!showThread)}>
        {t('queryList.thread')}
      </button>
      {showThread && <QueryThread query={q} studyId={studyId} onChange={onChange} actions={false} />}
      <QueryActions query={q} studyId={studyId} onDone={onChange} />
    </li>
  );
}
