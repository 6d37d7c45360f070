import { useId, useState } from 'react';
import { api, urlOf } from '../api/client.js';
import type { Query } from '../api/types.js';
import { LoadError } from '../components/error-box.js';
import { QueryList } from '../components/query-list.js';
import { Pager } from '../components/status-grid.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { Link } from '../router.js';

type Status = Query['status'];
/** Queries per page of the list. */
const QUERY_PAGE = 50;
interface Filters {
  status?: Status;
  siteId?: string;
  subjectId?: string;
  formCode?: string;
  raisedBy?: string;
  minAgeDays?: number;
}

/** The study's queries with filters, ageing and a CSV export of what the filters select; closed ones too. */
export function QueriesPage({ studyId }: { studyId: string }) {
  const [filters, setFilters] = useState<Filters>({});
  const base = useLoad(
    () =>
      Promise.all([
        api.get('/api/studies/:studyId', { params: { studyId } }),
        api.get('/api/studies/:studyId/sites', { params: { studyId } }),
        // The counts over every query, and the filters' choices from the largest page the list gives
        // (issue 16: the list is paged; a trial's queries are never all sent at once).
        api.get('/api/studies/:studyId/queries', { params: { studyId }, query: { limit: 1000 } }),
      ]),
    [studyId],
  );
  // The list a page at a time (QUERY_PAGE queries); the total is over every match.
  const [offset, setOffset] = useState(0);
  const list = useLoad(
    () =>
      api.get('/api/studies/:studyId/queries', {
        params: { studyId },
        query: { ...filters, offset, limit: QUERY_PAGE },
      }),
    [studyId, JSON.stringify(filters), offset],
  );
  const ids = { status: useId(), site: useId(), subject: useId(), form: useId(), by: useId(), age: useId() };
  if (base.error) return <LoadError error={base.error} what={t('queriesPage.loadWhat')} />;
  if (!base.data) return <p className="loading">{t('common.loading')}</p>;
  const [study, sites, { queries: all, counts: allCounts }] = base.data;
  const uniq = <T,>(xs: T[], key: (x: T) => string) => [...new Map(xs.map((x) => [key(x), x])).values()];
  const subjects = uniq(all, (q) => q.subjectId).sort((a, b) => a.subjectCode.localeCompare(b.subjectCode));
  const forms = [...new Set(all.map((q) => q.formCode).filter((f): f is string => f !== null))].sort();
  const raisers = uniq(all, (q) => q.raisedBy);
  const set = (patch: Partial<Filters>) => {
    const next: Filters = { ...filters, ...patch };
    for (const k of Object.keys(next) as (keyof Filters)[])
      if (next[k] === undefined || next[k] === '') delete next[k];
    setFilters(next);
    setOffset(0);
  };
  const count = (s: Status) => allCounts.byStatus[s];
  const csvHref = urlOf('/api/studies/:studyId/queries.csv', { params: { studyId }, query: { ...filters } });
  return (
    <section>
      <p className="crumbs">
        <Link href={`/studies/${studyId}`}>{study.code}</Link>
      </p>
      <h1>{t('queriesPage.title', { study: study.code })}</h1>
      <p data-testid="query-counts">
        {t('queriesPage.counts', {
          open: count('open'),
          answered: count('answered'),
          closed: count('closed'),
        })}
      </p>
      <form className="filters" aria-label={t('queriesPage.filters')} onSubmit={(e) => e.preventDefault()}>
        <label htmlFor={ids.status}>{t('queriesPage.status')}</label>
        <select
          id={ids.status}
          value={filters.status ?? ''}
          onChange={(e) => set({ status: (e.target.value || undefined) as Status | undefined })}
        >
          <option value="">{t('common.any')}</option>
          <option value="open">{t('query.status', { status: 'open' })}</option>
          <option value="answered">{t('query.status', { status: 'answered' })}</option>
          <option value="closed">{t('query.status', { status: 'closed' })}</option>
        </select>
        <label htmlFor={ids.site}>{t('queriesPage.site')}</label>
        <select
          id={ids.site}
          value={filters.siteId ?? ''}
          onChange={(e) => set({ siteId: e.target.value || undefined })}
        >
          <option value="">{t('common.any')}</option>
          {sites.map((s) => (
            <option key={s.id} value={s.id}>
              {s.code}
            </option>
          ))}
        </select>
        <label htmlFor={ids.subject}>{t('queriesPage.subject')}</label>
        <select
          id={ids.subject}
          value={filters.subjectId ?? ''}
          onChange={(e) => set({ subjectId: e.target.value || undefined })}
        >
          <option value="">{t('common.any')}</option>
          {subjects.map((q) => (
            <option key={q.subjectId} value={q.subjectId}>
              {q.subjectCode}
            </option>
          ))}
        </select>
        <label htmlFor={ids.form}>{t('queriesPage.form')}</label>
        <select
          id={ids.form}
          value={filters.formCode ?? ''}
          onChange={(e) => set({ formCode: e.target.value || undefined })}
        >
          <option value="">{t('common.any')}</option>
          {forms.map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
        <label htmlFor={ids.by}>{t('queriesPage.raisedBy')}</label>
        <select
          id={ids.by}
          value={filters.raisedBy ?? ''}
          onChange={(e) => set({ raisedBy: e.target.value || undefined })}
        >
          <option value="">{t('queriesPage.anyone')}</option>
          {raisers.map((q) => (
            <option key={q.raisedBy} value={q.raisedBy}>
              {q.raisedByName}
            </option>
          ))}
        </select>
        <label htmlFor={ids.age}>{t('queriesPage.minAge')}</label>
        <input
          id={ids.age}
          type="number"
          min={0}
          value={filters.minAgeDays ?? ''}
          onChange={(e) =>
            set({ minAgeDays: e.target.value === '' ? undefined : Math.max(0, Number(e.target.value)) })
          }
        />
      </form>
      <p>
        <a href={csvHref} download="queries.csv">
          {t('queriesPage.csv')}
        </a>
      </p>
      {list.error ? <LoadError error={list.error} what={t('queriesPage.loadWhat')} /> : null}
      {list.data && list.data.counts.total > list.data.limit && (
        <Pager
          offset={list.data.offset}
          shown={list.data.queries.length}
          total={list.data.counts.total}
          limit={list.data.limit}
          filtered={Object.keys(filters).length > 0}
          allSubjects={undefined}
          loading={list.loading}
          onPage={setOffset}
          label={t('queriesPage.pages')}
          live={false}
          noun={(count) => t('queriesPage.noun', { count })}
        />
      )}
      {list.data && (
        <QueryList
          queries={list.data.queries}
          studyId={studyId}
          empty={t('queriesPage.noMatch')}
          onChange={() => {
            list.reload();
            base.reload();
          }}
        />
      )}
    </section>
  );
}
