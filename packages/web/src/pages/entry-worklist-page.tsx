import { api } from '../api/client.js';
import type { EntryWorklistData } from '../api/types.js';
import { LoadError } from '../components/error-box.js';
import { whenText } from '../components/query-thread.js';
import { useLoad } from '../hooks/use-load.js';
import { todayIso } from '../lib/definition.js';
import { Link } from '../router.js';

type Scheduled = EntryWorklistData['overdue']['items'][number];

const fmt = (n: number) => n.toLocaleString('en-GB');

/** "(12)" or, when the list is cut, "(showing 200 of 1 234)". */
function countOf(list: { total: number; items: unknown[] }) {
  return list.items.length < list.total
    ? `(showing ${fmt(list.items.length)} of ${fmt(list.total)})`
    : `(${fmt(list.total)})`;
}

function ScheduledList({ items, label }: { items: Scheduled[]; label: string }) {
  if (items.length === 0) return <p>None.</p>;
  return (
    <ul aria-label={label}>
      {items.map((v) => (
        <li key={`${v.subjectId}:${v.visitCode}`}>
          {/* The visit is opened (and its forms entered) from the subject's page. */}
          <Link href={`/subjects/${v.subjectId}`}>
            {v.subjectCode} — {v.visitLabel}
          </Link>{' '}
          <span className="muted">
            site {v.siteCode} · window {v.earliestDate} to {v.latestDate} (target {v.targetDate})
          </span>
        </li>
      ))}
    </ul>
  );
}

/**
 * The coordinator's worklist (issue 22): the work waiting at the user's sites, each item a link to
 * the page where it is done. The server reads the schedule over every subject of those sites.
 */
export function EntryWorklistPage({ studyId }: { studyId: string }) {
  const today = todayIso();
  const data = useLoad(
    () =>
      Promise.all([
        api.get('/api/studies/:studyId', { params: { studyId } }),
        api.get('/api/studies/:studyId/entry-worklist', { params: { studyId }, query: { today } }),
      ]),
    [studyId],
  );
  if (data.error) return <LoadError error={data.error} what="worklist" />;
  if (!data.data) return <p className="loading">Loading…</p>;
  const [study, w] = data.data;
  return (
    <section>
      <p className="crumbs">
        <Link href={`/studies/${studyId}`}>{study.code}</Link>
      </p>
      <h1>My site's worklist — {study.code}</h1>
      <p className="hint">
        At your sites, as of {w.today}; "this week" is {w.today} to {w.weekEnd}.{' '}
        <button type="button" onClick={data.reload}>
          Refresh
        </button>
      </p>

      <section aria-labelledby="ew-overdue-h">
        <h2 id="ew-overdue-h">Overdue visits {countOf(w.overdue)}</h2>
        <ScheduledList items={w.overdue.items} label="Overdue visits" />
      </section>

      <section aria-labelledby="ew-due-h">
        <h2 id="ew-due-h">Visits due this week {countOf(w.dueThisWeek)}</h2>
        <ScheduledList items={w.dueThisWeek.items} label="Visits due this week" />
      </section>

      <section aria-labelledby="ew-forms-h">
        <h2 id="ew-forms-h">Forms to complete {countOf(w.formsToComplete)}</h2>
        {w.formsToComplete.items.length === 0 ? (
          <p>None.</p>
        ) : (
          <ul aria-label="Forms to complete">
            {w.formsToComplete.items.map((v) => (
              <li key={v.visitId}>
                <Link href={`/visits/${v.visitId}`}>
                  {v.subjectCode} — {v.visitLabel}
                  {v.cycle > 1 ? ` (cycle ${v.cycle})` : ''}
                </Link>{' '}
                <span className="muted">{v.visitDate ?? 'no date yet'}</span>
                {v.incompleteForms.length > 0 && (
                  <> · incomplete: {v.incompleteForms.map((f) => f.title).join(', ')}</>
                )}
                {v.missingForms.length > 0 && (
                  <> · not entered: {v.missingForms.map((f) => f.title).join(', ')}</>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="ew-queries-h">
        <h2 id="ew-queries-h">Open queries to answer {countOf(w.openQueries)}</h2>
        {w.openQueries.items.length === 0 ? (
          <p>None.</p>
        ) : (
          <ul aria-label="Open queries to answer">
            {w.openQueries.items.map((q) => (
              <li key={q.id}>
                {/* Answered where the queried record is shown: its visit, else the subject. */}
                <Link href={q.visitId ? `/visits/${q.visitId}` : `/subjects/${q.subjectId}`}>
                  {q.subjectCode}
                  {q.visitCode ? ` — ${q.visitCode}` : ''}
                  {q.formTitle ? ` ${q.formTitle}` : ''}
                </Link>
                : “{q.text}” <span className="muted">raised {whenText(q.raisedAt)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="ew-unlock-h">
        <h2 id="ew-unlock-h">Answers to your requests to unlock {countOf(w.unlockAnswers)}</h2>
        {w.unlockAnswers.items.length === 0 ? (
          <p>None in the last 30 days.</p>
        ) : (
          <ul aria-label="Answers to your requests to unlock">
            {w.unlockAnswers.items.map((r) => (
              <li key={r.id}>
                {r.visitId ? (
                  <Link href={`/visits/${r.visitId}`}>
                    {r.subjectCode} — {r.visitCode}
                    {r.cycle && r.cycle > 1 ? ` (cycle ${r.cycle})` : ''} {r.formTitle}
                  </Link>
                ) : r.subjectId ? (
                  <Link href={`/subjects/${r.subjectId}`}>{r.subjectCode}</Link>
                ) : (
                  'study lock'
                )}
                : <strong>{r.status === 'done' ? 'unlocked' : 'declined'}</strong>
                {r.answeredBy ? ` by ${r.answeredBy}` : ''} {whenText(r.answeredAt)}
                {r.note ? ` — “${r.note}”` : ''} <span className="muted">(you asked: {r.reason})</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}
