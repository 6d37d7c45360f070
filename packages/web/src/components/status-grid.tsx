// The record status grid: subjects × scheduled visits. Each cell says where the visit stands — from
// the schedule (not due / due / overdue / missed, windows counted from day 0 by the same core function
// the server's schedule route uses) or, once the visit is recorded, from its forms (incomplete /
// complete / signed / locked). Status is written out and has its own symbol: never colour alone.
// At scale (issue 16) the counts per site come from the server over every subject, and the grid shows
// one page of subjects at a time, filtered, sorted and paged by the server, with its true total.
import { END_OF_STUDY_FORM } from '@msct/core/crf';
import {
  recordedVisitStatus,
  type StatusReason,
  SUBJECT_STATUS_LABELS,
  scheduledVisitStatus,
  UNSCHEDULED_VISIT_CODE,
  VISIT_RECORD_STATUS_SYMBOLS,
  type VisitRecordStatus,
  visitStatuses,
} from '@msct/core/protocol';
import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import type {
  Counts,
  Form,
  RecordStatusPage,
  Site,
  Subject,
  SubjectCounts,
  SubjectStatus,
  Visit,
} from '../api/types.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { subjectStatusText } from '../i18n/statuses.js';
import { type Definition, formsExpectedAt, formTitleOf, todayIso } from '../lib/definition.js';
import { Link } from '../router.js';
import { LoadError } from './error-box.js';
import { FIND_SUBJECT_EVENT } from './quick-find.js';
import { TableScroll } from './table-scroll.js';

/** The one status vocabulary (core/protocol record-status.ts): the grid, subject and visit pages. */
export type CellStatus = VisitRecordStatus;
const SYMBOL = VISIT_RECORD_STATUS_SYMBOLS;

/** A visit's status in words (core's codes, record-status.ts; the catalogue's words). */
const VISIT_STATUS: Record<VisitRecordStatus, () => string> = {
  not_due: () => t('statusGrid.visitStatus.notDue'),
  due: () => t('statusGrid.visitStatus.due'),
  overdue: () => t('statusGrid.visitStatus.overdue'),
  missed: () => t('statusGrid.visitStatus.missed'),
  not_expected: () => t('statusGrid.visitStatus.notExpected'),
  incomplete: () => t('statusGrid.visitStatus.incomplete'),
  complete: () => t('statusGrid.visitStatus.complete'),
  signed: () => t('statusGrid.visitStatus.signed'),
  locked: () => t('statusGrid.visitStatus.locked'),
  none: () => t('statusGrid.visitStatus.none'),
};
export const visitStatusText = (status: VisitRecordStatus): string => VISIT_STATUS[status]();

const str = (v: string | number | undefined): string => String(v ?? '');

/**
 * Why a visit has its status, in the user's language: core gives the reason as a code and its
 * parameters (record-status.ts, visit-schedule.ts `StatusReason`), the catalogue words it.
 */
export function statusReasonText(why: StatusReason): string {
  const p = why.params;
  switch (why.code) {
    case 'visit_early':
      return t('statusGrid.reason.visitEarly', p);
    case 'visit_late':
      return t('statusGrid.reason.visitLate', p);
    case 'visit_in_window':
      return t('statusGrid.reason.visitInWindow', p);
    case 'declared_missed':
      return p.reason
        ? t('statusGrid.reason.declaredMissedBecause', p)
        : t('statusGrid.reason.declaredMissed');
    case 'window_opens':
      return t('statusGrid.reason.windowOpens', p);
    case 'window_open':
      return t('statusGrid.reason.windowOpen', p);
    case 'window_closed_later_done':
      return t('statusGrid.reason.windowClosedLaterDone', p);
    case 'window_closed':
      return t('statusGrid.reason.windowClosed', p);
    case 'missed_by_site':
      return t('statusGrid.reason.missedBySite');
    case 'no_form_yet':
      return t('statusGrid.reason.noFormYet');
    case 'forms_incomplete':
      return [
        p.incomplete ? t('statusGrid.reason.incomplete', { forms: str(p.incomplete) }) : '',
        p.missing ? t('statusGrid.reason.notEntered', { forms: str(p.missing) }) : '',
      ]
        .filter(Boolean)
        .join(t('statusGrid.reason.separator'));
    case 'all_signed_locked':
      return t('statusGrid.reason.allSignedLocked');
    case 'all_signed':
      return t('statusGrid.reason.allSigned');
    case 'complete_not_signed':
      return t('statusGrid.reason.completeNotSigned', p);
    case 'subject_off_study':
      return t('statusGrid.reason.subjectOffStudy', p);
  }
}

export interface Cell {
  status: CellStatus;
  /** Why, in the user's language: the schedule's reason or the forms' state. */
  reason: string;
  visitId?: string;
  date?: string;
  expectedDate?: string;
}

/** A visit as the grid gets it: its forms' codes and states, no item values. */
export type OverviewVisit = Omit<Visit, 'version'> & { forms: Pick<Form, 'formCode' | 'status'>[] };

export interface SubjectRow {
  subject: Subject & { unresolvedQueries?: number | null };
  cells: Map<string, Cell>;
  overdue: { code: string; label: string; latestDate: string; reason: string }[];
  scheduleNote?: string;
}

/** A recorded visit's status from its forms (and the catalog forms the definition expects at it). */
export function recordedStatus(visit: OverviewVisit, definition: Definition): Cell {
  const base = { visitId: visit.id, ...(visit.visitDate ? { date: visit.visitDate } : {}) };
  const expected = formsExpectedAt(definition, visit.visitCode).map((f) => f.formCode);
  const state = recordedVisitStatus(visit, expected, formTitleOf(definition));
  return { ...base, status: state.status, reason: statusReasonText(state.why) };
}

/** The end-of-study record (crf/forms.ts END_OF_STUDY_FORM) wherever it was entered: its own column. */
export const END_OF_STUDY_KEY = 'EOS';

function endOfStudyCell(visits: readonly OverviewVisit[]): Cell | undefined {
  for (const v of visits) {
    const form = v.forms.find((f) => f.formCode === END_OF_STUDY_FORM.formCode);
    if (!form) continue;
    const state = recordedVisitStatus({ status: v.status, forms: [form] }, [], () => END_OF_STUDY_FORM.title);
    return {
      status: state.status,
      reason: t('statusGrid.reason.enteredAt', {
        reason: statusReasonText(state.why),
        visit: v.visitCode,
        cycle: v.cycle,
      }),
      visitId: v.id,
      ...(v.visitDate ? { date: v.visitDate } : {}),
    };
  }
  return undefined;
}

export function buildRow(
  subject: SubjectRow['subject'],
  detailed: readonly OverviewVisit[],
  definition: Definition,
  today: string,
): SubjectRow {
  const visits = detailed;
  const cells = new Map<string, Cell>();
  const overdue: SubjectRow['overdue'] = [];
  let scheduleNote: string | undefined;
  if (definition.visits && subject.day0Date) {
    const schedule = visitStatuses({
      visits: definition.visits,
      day0: subject.day0Date,
      today,
      // Visits done on a date and visits declared missed, as the schedule route and the server's
      // overdue counts (server/src/clinical/overdue.ts) read them.
      recorded: visits
        .filter((v) => v.visitDate || v.status === 'missed')
        .map((v) =>
          v.status === 'missed'
            ? { code: v.visitCode, missed: true, cycle: v.cycle }
            : { code: v.visitCode, date: v.visitDate!, cycle: v.cycle },
        ),
    });
    // After death or withdrawal no further visit is expected: not overdue, and not in the overdue list.
    for (const e of schedule.visits) {
      const state = scheduledVisitStatus(e, subject.status);
      const cell = { status: state.status, reason: statusReasonText(state.why), expectedDate: e.targetDate };
      cells.set(e.code, cell);
      if (cell.status === 'overdue')
        overdue.push({
          code: e.code,
          label: e.label,
          latestDate: e.latestDate,
          reason: statusReasonText(e.why),
        });
    }
  } else if (definition.visits) {
    scheduleNote = t('statusGrid.noDay0');
  }
  // Recorded visits of the first cycle: their forms decide the cell (the schedule's window note stays).
  for (const v of detailed) {
    if (v.cycle !== 1) {
      // A repeat-treatment cycle (trial.md: relapse after 6 months calls for a repeat infusion) gets
      // columns of its own, one per recorded visit; its windows count from the cycle's own day 0,
      // which the grid does not schedule.
      cells.set(cycleKey(v.visitCode, v.cycle), recordedStatus(v, definition));
      continue;
    }
    // Without a schedule (an ad-hoc study) each recorded visit code is a column of its own.
    const code =
      !definition.visits || definition.visits.some((d) => d.code === v.visitCode)
        ? v.visitCode
        : UNSCHEDULED_VISIT_CODE;
    if (code === UNSCHEDULED_VISIT_CODE && cells.has(code)) continue;
    const fromSchedule = cells.get(code);
    const cell = recordedStatus(v, definition);
    cells.set(code, {
      ...cell,
      reason:
        fromSchedule && fromSchedule.status === 'complete'
          ? `${cell.reason}${t('statusGrid.reason.separator')}${fromSchedule.reason}`
          : cell.reason,
    });
  }
  const eos = endOfStudyCell(detailed);
  if (eos) cells.set(END_OF_STUDY_KEY, eos);
  return { subject, cells, overdue, ...(scheduleNote ? { scheduleNote } : {}) };
}

/** The cell key of a visit of a later treatment cycle: `M3@2` is M3 of cycle 2. */
const cycleKey = (code: string, cycle: number) => `${code}@${cycle}`;

interface Column {
  /** The cell key. */
  code: string;
  /** The column heading. */
  heading: string;
  label: string;
}

/**
 * Columns: the scheduled visits of the definition (else the visit codes recorded so far), then the
 * visits of later cycles that some subject has, by cycle and in schedule order.
 */
function columnsOf(definition: Definition, rows: SubjectRow[]): Column[] {
  const scheduled = definition.visits ?? [];
  const cols: Column[] = scheduled.map((v) => ({ code: v.code, heading: v.code, label: v.label }));
  const known = new Set(cols.map((c) => c.code));
  const later: (Column & { cycle: number; order: number })[] = [];
  for (const r of rows)
    for (const key of r.cells.keys()) {
      if (known.has(key) || key === END_OF_STUDY_KEY) continue;
      known.add(key);
      const at = key.lastIndexOf('@');
      if (at > 0) {
        const code = key.slice(0, at);
        const cycle = Number(key.slice(at + 1));
        const def = scheduled.findIndex((v) => v.code === code);
        later.push({
          code: key,
          heading: t('statusGrid.cycleHeading', { code, cycle }),
          label: t('statusGrid.cycleLabel', { visit: scheduled[def]?.label ?? code, cycle }),
          cycle,
          order: def < 0 ? scheduled.length : def,
        });
        continue;
      }
      cols.push({
        code: key,
        heading: key,
        label: key === UNSCHEDULED_VISIT_CODE ? t('statusGrid.unscheduled') : key,
      });
    }
  later.sort((a, b) => a.cycle - b.cycle || a.order - b.order || a.code.localeCompare(b.code));
  return [
    ...cols,
    ...later.map(({ code, heading, label }) => ({ code, heading, label })),
    // The end-of-study record has a column of its own whatever visit it was entered at (issue 22).
    ...(definition.forms?.some((f) => f.id === END_OF_STUDY_FORM.formCode)
      ? [{ code: END_OF_STUDY_KEY, heading: t('statusGrid.endOfStudy'), label: END_OF_STUDY_FORM.title }]
      : []),
  ];
}

export function StatusBadge({ cell }: { cell: Cell }) {
  return (
    <span className={`cell-status st-${cell.status}`}>
      <span aria-hidden="true">{SYMBOL[cell.status]} </span>
      {visitStatusText(cell.status)}
    </span>
  );
}

const STATUS_COLUMNS = Object.keys(SUBJECT_STATUS_LABELS).map((k) => [k, subjectStatusText(k)]) as [
  keyof Counts['byStatus'],
  string,
][];

const fmt = (n: number) => n.toLocaleString('en-GB');
const orDash = (n: number | null) => (n === null ? '—' : fmt(n));

/** Counts per site, as the server counted them over every subject at the user's sites. */
export function SiteCounts({ counts }: { counts: SubjectCounts }) {
  const row = (c: Counts) => (
    <>
      <td>{fmt(c.subjects)}</td>
      {STATUS_COLUMNS.map(([k]) => (
        <td key={k}>{fmt(c.byStatus[k])}</td>
      ))}
      <td>{orDash(c.overdueVisits)}</td>
      <td>{orDash(c.unresolvedQueries)}</td>
    </>
  );
  return (
    <section aria-labelledby="site-counts-h">
      <h3 id="site-counts-h">{t('statusGrid.counts.title')}</h3>
      <p className="hint">{t('statusGrid.counts.hint', { today: todayIso() })}</p>
      <TableScroll label={t('statusGrid.counts.title')}>
        <table aria-label={t('statusGrid.counts.title')} className="compact">
          <thead>
            <tr>
              <th scope="col">{t('statusGrid.site')}</th>
              <th scope="col">{t('statusGrid.counts.subjects')}</th>
              {STATUS_COLUMNS.map(([k, label]) => (
                <th key={k} scope="col">
                  {label}
                </th>
              ))}
              <th scope="col">{t('statusGrid.overdueVisits')}</th>
              <th scope="col" title={t('statusGrid.counts.openQueriesTitle')}>
                {t('statusGrid.openQueries')}
              </th>
            </tr>
          </thead>
          <tbody>
            {counts.sites.map((site) => (
              <tr key={site.siteId} data-site={site.siteCode}>
                <th scope="row">{site.siteCode}</th>
                {row(site)}
              </tr>
            ))}
          </tbody>
          {counts.sites.length > 1 && (
            <tfoot>
              <tr data-site="">
                <th scope="row">{t('statusGrid.counts.allSites')}</th>
                {row(counts.total)}
              </tr>
            </tfoot>
          )}
        </table>
      </TableScroll>
    </section>
  );
}

const PAGE_SIZES = [25, 50, 100, 200] as const;
const SORTS = ['code', 'site', 'status', 'day0'] as const;
const SORT_WORDS: Record<(typeof SORTS)[number], () => string> = {
  code: () => t('statusGrid.subject'),
  site: () => t('statusGrid.site'),
  status: () => t('statusGrid.status'),
  day0: () => t('statusGrid.day0'),
};

interface GridQuery {
  siteId: string;
  status: string;
  search: string;
  sort: (typeof SORTS)[number];
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** The grid's filters as the record-status route takes them. */
function gridQuery(q: GridQuery) {
  return {
    ...(q.siteId ? { siteId: q.siteId } : {}),
    ...(q.status ? { status: q.status as SubjectStatus } : {}),
    ...(q.search.trim() ? { search: q.search.trim() } : {}),
    sort: q.sort,
    order: q.order,
    limit: q.limit,
    offset: q.offset,
  };
}

function queryString(q: GridQuery): string {
  const p = new URLSearchParams();
  if (q.siteId) p.set('siteId', q.siteId);
  if (q.status) p.set('status', q.status);
  if (q.search.trim()) p.set('search', q.search.trim());
  p.set('sort', q.sort);
  p.set('order', q.order);
  p.set('limit', String(q.limit));
  p.set('offset', String(q.offset));
  return p.toString();
}

const DEFAULT_QUERY: GridQuery = {
  siteId: '',
  status: '',
  search: '',
  sort: 'code',
  order: 'asc',
  limit: 50,
  offset: 0,
};

/**
 * The grid's place kept in the page's address (`?site=…&page=…`), so going back from a subject
 * returns to the same page and filters, and a page can be shared.
 */
function queryFromLocation(search: string, sorts: readonly (typeof SORTS)[number][]): GridQuery {
  const p = new URLSearchParams(search);
  const sort = sorts.find((k) => k === p.get('sort')) ?? DEFAULT_QUERY.sort;
  const limit = PAGE_SIZES.find((n) => String(n) === p.get('size')) ?? DEFAULT_QUERY.limit;
  const page = Math.max(1, Math.floor(Number(p.get('page')) || 1));
  return {
    siteId: p.get('site') ?? '',
    status: STATUS_COLUMNS.find(([k]) => k === p.get('status'))?.[0] ?? '',
    search: (p.get('q') ?? '').slice(0, 40),
    sort,
    order: p.get('order') === 'desc' ? 'desc' : 'asc',
    limit,
    offset: (page - 1) * limit,
  };
}

function locationOf(q: GridQuery): string {
  const p = new URLSearchParams();
  if (q.siteId) p.set('site', q.siteId);
  if (q.status) p.set('status', q.status);
  if (q.search.trim()) p.set('q', q.search.trim());
  if (q.sort !== DEFAULT_QUERY.sort) p.set('sort', q.sort);
  if (q.order !== DEFAULT_QUERY.order) p.set('order', q.order);
  if (q.limit !== DEFAULT_QUERY.limit) p.set('size', String(q.limit));
  if (q.offset > 0) p.set('page', String(Math.floor(q.offset / q.limit) + 1));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * The record status grid, one page at a time: the server filters, sorts and pages the subjects and
 * sends the visits of that page only. The pager always says which part of how many it shows.
 */
export function RecordStatus({
  studyId,
  definition,
  sites,
  counts,
  pseudonymised,
}: {
  studyId: string;
  definition: Definition;
  sites: Site[];
  counts: SubjectCounts | undefined;
  /** The user sees pseudonyms: the server sorts by pseudonym, site or status only, never by a date. */
  pseudonymised: boolean;
}) {
  const today = todayIso();
  const sorts = pseudonymised ? SORTS.filter((k) => k !== 'day0') : SORTS;
  const [q, setQ] = useState<GridQuery>(() => queryFromLocation(location.search, sorts));
  useEffect(() => {
    const search = locationOf(q);
    if (search !== location.search) history.replaceState(history.state, '', `${location.pathname}${search}`);
  }, [q]);
  // The search box applies after a pause in typing, not on every key.
  const [searchText, setSearchText] = useState(q.search);
  // A search typed in the header's quick find while this grid is shown.
  useEffect(() => {
    const onFind = (e: Event) => {
      const search = String((e as CustomEvent).detail ?? '').slice(0, 40);
      setSearchText(search);
      setQ((old) => ({ ...old, search, offset: 0 }));
    };
    window.addEventListener(FIND_SUBJECT_EVENT, onFind);
    return () => window.removeEventListener(FIND_SUBJECT_EVENT, onFind);
  }, []);
  useEffect(() => {
    const timer = setTimeout(
      () => setQ((old) => (old.search === searchText ? old : { ...old, search: searchText, offset: 0 })),
      300,
    );
    return () => clearTimeout(timer);
  }, [searchText]);
  const change = (patch: Partial<GridQuery>) =>
    setQ((old) => ({ ...old, ...patch, offset: patch.offset ?? 0 }));

  const page = useLoad(async () => {
    const res = await api.get('/api/studies/:studyId/record-status', {
      params: { studyId },
      query: gridQuery(q),
    });
    return {
      ...res,
      rows: res.subjects.map((s) => buildRow(s, s.visits, definition, today)),
    };
  }, [studyId, queryString(q)]);

  // A page past the last one (a kept or shared `?page=` after subjects left the filter, or a smaller
  // page size): go to the last page that has rows rather than show an empty grid.
  const total = page.data?.total;
  useEffect(() => {
    if (total !== undefined && total > 0 && q.offset >= total)
      setQ((old) => ({ ...old, offset: Math.floor((total - 1) / old.limit) * old.limit }));
  }, [total, q.offset]);

  const filtered = q.siteId !== '' || q.status !== '' || q.search.trim() !== '';
  return (
    <>
      {counts && <SiteCounts counts={counts} />}
      <form
        className="inline-form grid-filters"
        aria-label={t('statusGrid.filters.form')}
        onSubmit={(e) => {
          e.preventDefault();
          change({ search: searchText });
        }}
      >
        <div className="field">
          <label htmlFor="grid-site">{t('statusGrid.filters.site')}</label>
          <select id="grid-site" value={q.siteId} onChange={(e) => change({ siteId: e.target.value })}>
            <option value="">{t('statusGrid.filters.allSites')}</option>
            {sites.map((s) => (
              <option key={s.id} value={s.id}>
                {s.code}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="grid-status">{t('statusGrid.filters.status')}</label>
          <select id="grid-status" value={q.status} onChange={(e) => change({ status: e.target.value })}>
            <option value="">{t('statusGrid.filters.anyStatus')}</option>
            {STATUS_COLUMNS.map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="grid-search">{t('statusGrid.filters.search')}</label>
          <input
            id="grid-search"
            type="search"
            maxLength={40}
            value={searchText}
            onChange={(e) => setSearchText(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="grid-sort">{t('statusGrid.filters.sort')}</label>
          <select
            id="grid-sort"
            value={q.sort}
            onChange={(e) => change({ sort: e.target.value as GridQuery['sort'] })}
          >
            {sorts.map((k) => (
              <option key={k} value={k}>
                {SORT_WORDS[k]()}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="grid-order">{t('statusGrid.filters.order')}</label>
          <select
            id="grid-order"
            value={q.order}
            onChange={(e) => change({ order: e.target.value as GridQuery['order'] })}
          >
            <option value="asc">{t('statusGrid.filters.ascending')}</option>
            <option value="desc">{t('statusGrid.filters.descending')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="grid-size">{t('statusGrid.filters.perPage')}</label>
          <select id="grid-size" value={q.limit} onChange={(e) => change({ limit: Number(e.target.value) })}>
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
      </form>
      {page.error ? <LoadError error={page.error} what={t('statusGrid.loadWhat')} /> : null}
      {page.data ? (
        <GridPage
          data={page.data}
          loading={page.loading}
          filtered={filtered}
          definition={definition}
          siteCount={counts?.total.subjects}
          overdueTotal={counts?.total.overdueVisits ?? null}
          onPage={(offset) => change({ offset })}
        />
      ) : (
        !page.error && <p className="loading">{t('statusGrid.loading')}</p>
      )}
    </>
  );
}

/** Pages of a server-paged list; it always says which part of how many it shows. */
export function Pager({
  offset,
  shown,
  total,
  limit,
  filtered,
  allSubjects,
  loading,
  onPage,
  label,
  live,
  noun,
}: {
  /** What is counted, in words for a count (default: subjects), from the catalogue. */
  noun?: (count: number) => string;
  live: boolean;
  offset: number;
  shown: number;
  total: number;
  limit: number;
  filtered: boolean;
  allSubjects: number | undefined;
  loading: boolean;
  onPage(offset: number): void;
  label: string;
}) {
  const pages = Math.max(1, Math.ceil(total / limit));
  const current = Math.floor(offset / limit) + 1;
  const nounOf = noun ?? ((count: number) => t('pager.subjects', { count }));
  const counted = t('pager.counted', {
    count: fmt(total),
    filtered: filtered ? 'yes' : 'no',
    noun: nounOf(total),
  });
  const of =
    filtered && allSubjects !== undefined
      ? t('pager.atYourSites', { counted, all: fmt(allSubjects) })
      : counted;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={offset === 0 || loading} onClick={() => onPage(0)}>
        {t('pager.first')}
      </button>
      <button
        type="button"
        disabled={offset === 0 || loading}
        onClick={() => onPage(Math.max(0, offset - limit))}
      >
        {t('pager.previous')}
      </button>
      <span className="pager-status" aria-live={live ? 'polite' : undefined}>
        {shown === 0
          ? t('pager.showingNone', { of })
          : t('pager.showing', { from: fmt(offset + 1), to: fmt(offset + shown), of })}
        {t('pager.page', { page: fmt(current), pages: fmt(pages) })}
        {loading ? t('pager.loading') : ''}
      </span>
      <button
        type="button"
        disabled={offset + shown >= total || loading}
        onClick={() => onPage(offset + limit)}
      >
        {t('pager.next')}
      </button>
      <button
        type="button"
        disabled={offset + shown >= total || loading}
        onClick={() => onPage((pages - 1) * limit)}
      >
        {t('pager.last')}
      </button>
    </nav>
  );
}

/** A cell's name: its visit, status and why (`M1: overdue — window closed …`). */
const cellLabel = (heading: string, cell: Pick<Cell, 'status' | 'reason'>) =>
  t('statusGrid.cellLabel', { visit: heading, status: visitStatusText(cell.status), reason: cell.reason });

function GridPage({
  data,
  loading,
  filtered,
  definition,
  siteCount,
  overdueTotal,
  onPage,
}: {
  data: RecordStatusPage & { rows: SubjectRow[] };
  loading: boolean;
  filtered: boolean;
  definition: Definition;
  siteCount: number | undefined;
  overdueTotal: number | null;
  onPage(offset: number): void;
}) {
  const rows = data.rows;
  const cols = columnsOf(definition, rows);
  const overdue = rows.flatMap((r) => r.overdue.map((o) => ({ ...o, subject: r.subject })));
  const siteCode = new Map(data.subjects.map((s) => [s.id, s.siteCode]));
  const pager = (label: string, live: boolean) => (
    <Pager
      live={live}
      offset={data.offset}
      shown={rows.length}
      total={data.total}
      limit={data.limit}
      filtered={filtered}
      allSubjects={siteCount}
      loading={loading}
      onPage={onPage}
      label={label}
    />
  );
  if (data.total === 0) return <p>{filtered ? t('statusGrid.noMatch') : t('statusGrid.noSubjects')}</p>;

  return (
    <>
      {pager(t('statusGrid.pages'), true)}
      <div className="grid-scroll">
        <table aria-label={t('statusGrid.table')} className="status-grid" aria-busy={loading}>
          <thead>
            <tr>
              <th scope="col">{t('statusGrid.subject')}</th>
              <th scope="col">{t('statusGrid.site')}</th>
              <th scope="col">{t('statusGrid.status')}</th>
              <th scope="col">{t('statusGrid.day0')}</th>
              <th scope="col">{t('statusGrid.openQueries')}</th>
              {cols.map((c) => (
                <th key={c.code} scope="col" title={c.label}>
                  {c.heading}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.subject.id} data-subject={r.subject.subjectCode}>
                <th scope="row">
                  <Link href={`/subjects/${r.subject.id}`}>{r.subject.subjectCode}</Link>
                </th>
                <td>{siteCode.get(r.subject.id) ?? '—'}</td>
                <td>{subjectStatusText(r.subject.status)}</td>
                <td title={r.scheduleNote}>{r.subject.day0Date ?? '—'}</td>
                <td>{orDash(r.subject.unresolvedQueries ?? null)}</td>
                {cols.map((c) => {
                  const cell =
                    r.cells.get(c.code) ??
                    (c.code === END_OF_STUDY_KEY
                      ? { status: 'none' as const, reason: t('statusGrid.reason.noEndOfStudy') }
                      : { status: 'none' as const, reason: t('statusGrid.reason.notScheduled') });
                  // The row header names the subject; the cell's own name starts with the visit.
                  const label = cellLabel(c.heading, cell);
                  return (
                    <td
                      key={c.code}
                      className={`cell st-${cell.status}`}
                      data-visit={c.code}
                      data-status={cell.status}
                      title={t('statusGrid.cellTitle', { subject: r.subject.subjectCode, label })}
                    >
                      {cell.visitId ? (
                        <Link href={`/visits/${cell.visitId}`} aria-label={label}>
                          <StatusBadge cell={cell} />
                        </Link>
                      ) : (
                        <StatusBadge cell={cell} />
                      )}
                      {cell.date && <small className="cell-date">{cell.date}</small>}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pager(t('statusGrid.pagesBottom'), false)}
      <p className="legend">
        {(
          [
            'not_due',
            'due',
            'overdue',
            'missed',
            'incomplete',
            'complete',
            'signed',
            'locked',
            'not_expected',
          ] as const
        ).map((s) => (
          <StatusBadge key={s} cell={{ status: s, reason: '' }} />
        ))}
      </p>
      <section aria-labelledby="overdue-h">
        <h3 id="overdue-h">{t('statusGrid.overdueVisits')}</h3>
        <p className="hint">
          {overdueTotal !== null
            ? t('statusGrid.overdue.hintWithTotal', { total: fmt(overdueTotal) })
            : t('statusGrid.overdue.hint')}
        </p>
        {overdue.length === 0 ? (
          <p>{t('statusGrid.overdue.none')}</p>
        ) : (
          <ul aria-label={t('statusGrid.overdueVisits')} className="overdue-list">
            {overdue.map((o) => (
              <li key={`${o.subject.id}:${o.code}`}>
                <Link href={`/subjects/${o.subject.id}`}>{o.subject.subjectCode}</Link>
                {t('statusGrid.overdue.item', { code: o.code, label: o.label, reason: o.reason })}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

/**
 * One subject's record status in the grid's words and columns (the subject page): the same cells as
 * the subject's row of the record status grid, from the same visits and schedule.
 */
export function SubjectRecordStatus({
  subject,
  visits,
  definition,
}: {
  subject: Subject;
  visits: readonly OverviewVisit[];
  definition: Definition;
}) {
  const row = buildRow(subject, visits, definition, todayIso());
  const cols = columnsOf(definition, [row]);
  if (cols.length === 0) return null;
  return (
    <TableScroll label={t('statusGrid.subjectTable')}>
      <table aria-label={t('statusGrid.subjectTable')} className="status-grid compact">
        <thead>
          <tr>
            {cols.map((c) => (
              <th key={c.code} scope="col" title={c.label}>
                {c.heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr data-subject={subject.subjectCode}>
            {cols.map((c) => {
              const cell = row.cells.get(c.code) ?? {
                status: 'none' as const,
                reason: t('statusGrid.reason.notScheduled'),
              };
              const label = cellLabel(c.heading, cell);
              return (
                <td
                  key={c.code}
                  className={`cell st-${cell.status}`}
                  data-visit={c.code}
                  data-status={cell.status}
                  title={label}
                >
                  {cell.visitId ? (
                    <Link href={`/visits/${cell.visitId}`} aria-label={label}>
                      <StatusBadge cell={cell} />
                    </Link>
                  ) : (
                    <StatusBadge cell={cell} />
                  )}
                  {(cell.date ?? cell.expectedDate) && (
                    <small className="cell-date">
                      {cell.date ?? t('statusGrid.expected', { date: cell.expectedDate ?? '' })}
                    </small>
                  )}
                </td>
              );
            })}
          </tr>
        </tbody>
      </table>
      {row.scheduleNote && <p className="hint">{row.scheduleNote}</p>}
    </TableScroll>
  );
}
