// The study-wide AE/SAE listing (issue #21): the safety role's worklist across every site it may see
// (site staff see their own sites), filtered, counted, each SAE with its reporting clock.
import {
  AE_OUTCOMES,
  AE_RELATEDNESS_FILTERS,
  AE_SERIOUSNESS_FILTERS,
  type RequestOf,
  type RouteOf,
} from '@msct/contract';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.js';
import { LoadError } from '../components/error-box.js';
import { Pager } from '../components/status-grid.js';
import { TableScroll } from '../components/table-scroll.js';
import { SelectField, TextField } from '../components/text-field.js';
import { useLoad } from '../hooks/use-load.js';
import { clockSummary } from '../lib/sae-clock.js';
import { Link } from '../router.js';

type Filters = NonNullable<RequestOf<RouteOf<'GET', '/api/studies/:studyId/adverse-events'>>['query']>;
const label = (code: string) => code.replaceAll('_', ' ');
const none = { value: '', label: '(any)' };
/** Events per page of the listing. */
const AE_PAGE = 50;

export function AdverseEventsPage({ studyId }: { studyId: string }) {
  const sites = useLoad(() => api.get('/api/studies/:studyId/sites', { params: { studyId } }), [studyId]);
  const [draft, setDraft] = useState<Record<string, string>>({ seriousness: 'serious' });
  const [applied, setApplied] = useState<Record<string, string>>(draft);
  // The listing comes a page at a time (issue 16); the counts are over every matching event.
  const [offset, setOffset] = useState(0);
  const list = useLoad(() => {
    const query: Record<string, string | number> = { offset, limit: AE_PAGE };
    for (const [k, v] of Object.entries(applied)) if (v) query[k] = k === 'grade' ? Number(v) : v;
    return api.get('/api/studies/:studyId/adverse-events', { params: { studyId }, query: query as Filters });
  }, [studyId, JSON.stringify(applied), offset]);
  const set = (k: string) => (v: string) => setDraft((d) => ({ ...d, [k]: v }));
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setApplied(draft);
    setOffset(0);
  };
  const counts = list.data?.counts;
  return (
    <section>
      <p className="crumbs">
        <Link href={`/studies/${studyId}`}>Study</Link>
      </p>
      <h1>Adverse events</h1>
      <form aria-label="Filter adverse events" className="inline-form" onSubmit={apply}>
        <SelectField
          label="Seriousness"
          value={draft.seriousness ?? ''}
          onChange={set('seriousness')}
          options={[none, ...AE_SERIOUSNESS_FILTERS.map((s) => ({ value: s, label: label(s) }))]}
        />
        <SelectField
          label="Grade"
          value={draft.grade ?? ''}
          onChange={set('grade')}
          options={[none, ...['1', '2', '3', '4', '5'].map((g) => ({ value: g, label: g }))]}
        />
        <SelectField
          label="Relatedness"
          value={draft.relatedness ?? ''}
          onChange={set('relatedness')}
          options={[none, ...AE_RELATEDNESS_FILTERS.map((r) => ({ value: r, label: label(r) }))]}
        />
        <SelectField
          label="Site"
          value={draft.siteId ?? ''}
          onChange={set('siteId')}
          options={[none, ...(sites.data ?? []).map((s) => ({ value: s.id, label: `${s.code} ${s.name}` }))]}
        />
        <TextField label="Term contains" value={draft.term ?? ''} onChange={set('term')} />
        <SelectField
          label="Outcome"
          value={draft.outcome ?? ''}
          onChange={set('outcome')}
          options={[
            none,
            ...AE_OUTCOMES.map((o) => ({ value: o, label: label(o) })),
            { value: 'none', label: '(not yet known)' },
          ]}
        />
        <TextField label="Onset from" type="date" value={draft.onsetFrom ?? ''} onChange={set('onsetFrom')} />
        <TextField label="Onset to" type="date" value={draft.onsetTo ?? ''} onChange={set('onsetTo')} />
        <label className="check">
          <input
            type="checkbox"
            checked={draft.overdue === 'yes'}
            onChange={(e) => set('overdue')(e.target.checked ? 'yes' : '')}
          />{' '}
          Overdue only
        </label>
        <button type="submit">Apply filters</button>
      </form>
      {list.error ? <LoadError error={list.error} what="adverse events" /> : null}
      {counts && (
        <ul className="counts" aria-label="Adverse event counts">
          <li className="count">
            <strong>{counts.total}</strong> events
          </li>
          <li className="count">
            <strong>{counts.serious}</strong> serious
          </li>
          <li className="count">
            <strong>{counts.related}</strong> related
          </li>
          <li className="count">
            <strong>{counts.fatal}</strong> fatal
          </li>
          <li className={counts.overdue > 0 ? 'count overdue' : 'count'}>
            <strong>{counts.overdue}</strong> overdue
          </li>
          <li className="count">
            by grade:{' '}
            {Object.entries(counts.byGrade)
              .sort()
              .map(([g, n]) => `${g}: ${n}`)
              .join(', ') || '—'}
          </li>
        </ul>
      )}
      {list.data?.events.length === 0 && <p>No adverse event matches these filters.</p>}
      {list.data && list.data.counts.total > list.data.limit && (
        <Pager
          offset={list.data.offset}
          shown={list.data.events.length}
          total={list.data.counts.total}
          limit={list.data.limit}
          filtered={Object.values(applied).some(Boolean)}
          allSubjects={undefined}
          loading={list.loading}
          onPage={setOffset}
          label="Pages of the adverse event listing"
          live={false}
          noun={['adverse event', 'adverse events']}
        />
      )}
      {list.data && list.data.events.length > 0 && (
        <TableScroll label="Adverse event listing">
          <table aria-label="Adverse event listing">
            <thead>
              <tr>
                <th scope="col">Subject</th>
                <th scope="col">Site</th>
                <th scope="col">Term</th>
                <th scope="col">Onset</th>
                <th scope="col">Grade</th>
                <th scope="col">Seriousness</th>
                <th scope="col">Related</th>
                <th scope="col">Outcome</th>
                <th scope="col">Reporting clock</th>
              </tr>
            </thead>
            <tbody>
              {list.data.events.map((a) => (
                <tr
                  key={a.id}
                  className={
                    [a.serious ? 'sae' : '', a.clock.overdue ? 'overdue' : ''].join(' ').trim() || undefined
                  }
                  data-ae={a.term}
                >
                  <td>
                    <Link href={`/subjects/${a.subjectId}`}>{a.subjectCode}</Link>
                  </td>
                  <td>{a.siteCode}</td>
                  <td>
                    {a.serious && <strong className="badge sae-badge">SAE</strong>}{' '}
                    <Link href={`/adverse-events/${a.id}`}>{a.term}</Link>
                  </td>
                  <td>{a.onsetDate}</td>
                  <td>{a.ctcaeGrade ?? '—'}</td>
                  <td>{a.serious ? a.seriousness.map(label).join(', ') : 'not serious'}</td>
                  <td>{label(a.relatedness)}</td>
                  <td>{a.outcome ? label(a.outcome) : '—'}</td>
                  <td className="clock">
                    {a.clock.overdue && <strong className="badge overdue-badge">overdue</strong>}{' '}
                    {clockSummary(a.clock)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
