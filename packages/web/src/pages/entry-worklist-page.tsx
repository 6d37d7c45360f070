import { api } from '../api/client.js';
import type { EntryWorklistData } from '../api/types.js';
import { LoadError } from '../components/error-box.js';
import { whenText } from '../components/query-thread.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { todayIso } from '../lib/definition.js';
import { Link } from '../router.js';

type Scheduled = EntryWorklistData['overdue']['items'][number];

const fmt = (n: number) => n.toLocaleString('en-GB');

/** "(12)" or, when the list is cut, "(showing 200 of 1 234)". */
function countOf(list: { total: number; items: unknown[] }) {
  return list.items.length < list.total
    ? t('entryWorklist.countCut', { shown: fmt(list.items.length), total: fmt(list.total) })
    : t('entryWorklist.count', { total: fmt(list.total) });
}

function ScheduledList({ items, label }: { items: Scheduled[]; label: string }) {
  if (items.length === 0) return <p>{t('entryWorklist.none')}</p>;
  return (
    <ul aria-label={label}>
      {items.map((v) => (
        <li key={`${v.subjectId}:${v.visitCode}`}>
          {/* The visit is opened (and its forms entered) from the subject's page. */}
          <Link href={`/subjects/${v.subjectId}`}>
            {t('entryWorklist.subjectVisit', { subject: v.subjectCode, visit: v.visitLabel })}
          </Link>{' '}
          <span className="muted">
            {t('entryWorklist.window', {
              site: v.siteCode,
              earliest: v.earliestDate,
              latest: v.latestDate,
              target: v.targetDate,
            })}
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
  if (data.error) return <LoadError error={data.error} what={t('entryWorklist.loadWhat')} />;
  if (!data.data) return <p className="loading">{t('common.loading')}</p>;
  const [study, w] = data.data;
  return (
    <section>
      <p className="crumbs">
        <Link href={`/studies/${studyId}`}>{study.code}</Link>
      </p>
      <h1>{t('entryWorklist.title', { study: study.code })}</h1>
      <p className="hint">
        {t('entryWorklist.asOf', { today: w.today, weekEnd: w.weekEnd })}{' '}
        <button type="button" onClick={data.reload}>
          {t('entryWorklist.refresh')}
        </button>
      </p>

      <section aria-labelledby="ew-overdue-h">
        <h2 id="ew-overdue-h">
          {t('entryWorklist.heading', { title: t('entryWorklist.overdue'), count: countOf(w.overdue) })}
        </h2>
        <ScheduledList items={w.overdue.items} label={t('entryWorklist.overdue')} />
      </section>

      <section aria-labelledby="ew-due-h">
        <h2 id="ew-due-h">
          {t('entryWorklist.heading', {
            title: t('entryWorklist.dueThisWeek'),
            count: countOf(w.dueThisWeek),
          })}
        </h2>
        <ScheduledList items={w.dueThisWeek.items} label={t('entryWorklist.dueThisWeek')} />
      </section>

      <section aria-labelledby="ew-forms-h">
        <h2 id="ew-forms-h">
          {t('entryWorklist.heading', {
            title: t('entryWorklist.formsToComplete'),
            count: countOf(w.formsToComplete),
          })}
        </h2>
        {w.formsToComplete.items.length === 0 ? (
          <p>{t('entryWorklist.none')}</p>
        ) : (
          <ul aria-label={t('entryWorklist.formsToComplete')}>
            {w.formsToComplete.items.map((v) => (
              <li key={v.visitId}>
                <Link href={`/visits/${v.visitId}`}>
                  {t('entryWorklist.subjectVisit', { subject: v.subjectCode, visit: v.visitLabel })}
                  {v.cycle > 1 ? t('entryWorklist.cycle', { cycle: v.cycle }) : ''}
                </Link>{' '}
                <span className="muted">{v.visitDate ?? t('entryWorklist.noDate')}</span>
                {v.incompleteForms.length > 0 &&
                  t('entryWorklist.incomplete', { forms: v.incompleteForms.map((f) => f.title).join(', ') })}
                {v.missingForms.length > 0 &&
                  t('entryWorklist.notEntered', { forms: v.missingForms.map((f) => f.title).join(', ') })}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="ew-queries-h">
        <h2 id="ew-queries-h">
          {t('entryWorklist.heading', {
            title: t('entryWorklist.openQueries'),
            count: countOf(w.openQueries),
          })}
        </h2>
        {w.openQueries.items.length === 0 ? (
          <p>{t('entryWorklist.none')}</p>
        ) : (
          <ul aria-label={t('entryWorklist.openQueries')}>
            {w.openQueries.items.map((q) => (
              <li key={q.id}>
                {/* Answered where the queried record is shown: its visit, else the subject. */}
                <Link href={q.visitId ? `/visits/${q.visitId}` : `/subjects/${q.subjectId}`}>
                  {q.subjectCode}
                  {q.visitCode ? t('entryWorklist.queryVisit', { visit: q.visitCode }) : ''}
                  {q.formTitle ? ` ${q.formTitle}` : ''}
                </Link>
                {t('entryWorklist.queryText', { text: q.text })}
                <span className="muted">{t('entryWorklist.raised', { when: whenText(q.raisedAt) })}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="ew-unlock-h">
        <h2 id="ew-unlock-h">
          {t('entryWorklist.heading', {
            title: t('entryWorklist.unlockAnswers'),
            count: countOf(w.unlockAnswers),
          })}
        </h2>
        {w.unlockAnswers.items.length === 0 ? (
          <p>{t('entryWorklist.noneRecent')}</p>
        ) : (
          <ul aria-label={t('entryWorklist.unlockAnswers')}>
            {w.unlockAnswers.items.map((r) => (
              <li key={r.id}>
                {r.visitId ? (
                  <Link href={`/visits/${r.visitId}`}>
                    {t('entryWorklist.subjectVisit', {
                      subject: r.subjectCode ?? '',
                      visit: r.visitCode ?? '',
                    })}
                    {r.cycle && r.cycle > 1 ? t('entryWorklist.cycle', { cycle: r.cycle }) : ''} {r.formTitle}
                  </Link>
                ) : r.subjectId ? (
                  <Link href={`/subjects/${r.subjectId}`}>{r.subjectCode}</Link>
                ) : (
                  t('entryWorklist.studyLock')
                )}
                {t('entryWorklist.colon')}
                <strong>{t('entryWorklist.answer', { status: r.status })}</strong>
                {r.answeredBy ? t('entryWorklist.by', { name: r.answeredBy }) : ''} {whenText(r.answeredAt)}
                {r.note ? t('entryWorklist.note', { note: r.note }) : ''}{' '}
                <span className="muted">{t('entryWorklist.youAsked', { reason: r.reason })}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}
