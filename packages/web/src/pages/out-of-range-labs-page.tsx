// The monitor's out-of-range lab list (issue #22 "Labs"): every lab value outside its reference range
// across the sites the reader may see, filtered by site, subject, lab, flag and CS/NCS answer, with
// the same list as CSV. Each row links to its visit, where the value and its CS/NCS answer are.
import { LAB_SIGNIFICANCE_FILTERS, OUT_OF_RANGE_FLAGS, type RequestOf, type RouteOf } from '@msct/contract';
import { LAB_FLAG_LABELS } from '@msct/core/crf';
import { type FormEvent, useState } from 'react';
import { api, urlOf } from '../api/client.js';
import { LoadError } from '../components/error-box.js';
import { Pager } from '../components/status-grid.js';
import { TableScroll } from '../components/table-scroll.js';
import { SelectField, TextField } from '../components/text-field.js';
import { useLoad } from '../hooks/use-load.js';
import { Link } from '../router.js';

type Filters = NonNullable<RequestOf<RouteOf<'GET', '/api/studies/:studyId/out-of-range-labs'>>['query']>;
const none = { value: '', label: '(any)' };
const SIGNIFICANCE_LABELS: Record<(typeof LAB_SIGNIFICANCE_FILTERS)[number], string> = {
  CS: 'Clinically significant (CS)',
  NCS: 'Not clinically significant (NCS)',
  unanswered: 'Not yet assessed',
};
const significanceWords = (s: string | null) =>
  s === null ? 'not yet assessed' : s === 'CS' || s === 'NCS' ? SIGNIFICANCE_LABELS[s] : s;

export function OutOfRangeLabsPage({ studyId }: { studyId: string }) {
  const sites = useLoad(() => api.get('/api/studies/:studyId/sites', { params: { studyId } }), [studyId]);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [applied, setApplied] = useState<Record<string, string>>({});
  // The list comes a page at a time (the counts are over every matching value).
  const [offset, setOffset] = useState(0);
  const query = Object.fromEntries(Object.entries(applied).filter(([, v]) => v.trim() !== '')) as Filters;
  const list = useLoad(
    () =>
      api.get('/api/studies/:studyId/out-of-range-labs', {
        params: { studyId },
        query: { ...query, offset },
      }),
    [studyId, JSON.stringify(applied), offset],
  );
  const set = (k: string) => (v: string) => setDraft((d) => ({ ...d, [k]: v }));
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setApplied(draft);
    setOffset(0);
  };
  const csvHref = urlOf('/api/studies/:studyId/out-of-range-labs.csv', { params: { studyId }, query });
  const counts = list.data?.counts;
  return (
    <section>
      <p className="crumbs">
        <Link href={`/studies/${studyId}`}>Study</Link>
      </p>
      <h1>Out-of-range labs</h1>
      <form aria-label="Filter out-of-range labs" className="inline-form" onSubmit={apply}>
        <SelectField
          label="Site"
          value={draft.siteId ?? ''}
          onChange={set('siteId')}
          options={[none, ...(sites.data ?? []).map((s) => ({ value: s.id, label: `${s.code} ${s.name}` }))]}
        />
        <TextField label="Subject" value={draft.subject ?? ''} onChange={set('subject')} />
        <SelectField
          label="Lab"
          value={draft.lab ?? ''}
          onChange={set('lab')}
          options={[none, ...(list.data?.labs ?? []).map((l) => ({ value: l.code, label: l.label }))]}
        />
        <SelectField
          label="Flag"
          value={draft.flag ?? ''}
          onChange={set('flag')}
          options={[
            none,
            ...OUT_OF_RANGE_FLAGS.map((f) => ({ value: f, label: `${LAB_FLAG_LABELS[f]} (${f})` })),
          ]}
        />
        <SelectField
          label="Clinical significance"
          value={draft.significance ?? ''}
          onChange={set('significance')}
          options={[
            none,
            ...LAB_SIGNIFICANCE_FILTERS.map((s) => ({ value: s, label: SIGNIFICANCE_LABELS[s] })),
          ]}
        />
        <button type="submit">Apply filters</button>
      </form>
      <p>
        <a href={csvHref} download="out-of-range-labs.csv">
          Download this list (CSV)
        </a>
      </p>
      {list.error ? <LoadError error={list.error} what="out-of-range labs" /> : null}
      {counts && (
        <ul className="counts" aria-label="Out-of-range lab counts">
          <li className="count">
            <strong>{counts.total}</strong> out of range
          </li>
          {OUT_OF_RANGE_FLAGS.map((f) => (
            <li className="count" key={f}>
              <strong>{counts.byFlag[f] ?? 0}</strong> {LAB_FLAG_LABELS[f]}
            </li>
          ))}
          <li className={counts.unanswered > 0 ? 'count overdue' : 'count'}>
            <strong>{counts.unanswered}</strong> not yet assessed
          </li>
        </ul>
      )}
      {list.data?.rows.length === 0 && <p>No out-of-range lab value matches these filters.</p>}
      {list.data && list.data.counts.total > list.data.limit && (
        <Pager
          offset={list.data.offset}
          shown={list.data.rows.length}
          total={list.data.counts.total}
          limit={list.data.limit}
          filtered={Object.keys(query).length > 0}
          allSubjects={undefined}
          loading={list.loading}
          onPage={setOffset}
          label="Pages of the out-of-range lab list"
          live={false}
          noun={['out-of-range value', 'out-of-range values']}
        />
      )}
      {list.data && list.data.rows.length > 0 && (
        <TableScroll label="Out-of-range lab list">
          <table aria-label="Out-of-range lab list">
            <thead>
              <tr>
                <th scope="col">Subject</th>
                <th scope="col">Site</th>
                <th scope="col">Visit</th>
                <th scope="col">Sample taken</th>
                <th scope="col">Lab</th>
                <th scope="col">Value</th>
                <th scope="col">Flag</th>
                <th scope="col">Reference range</th>
                <th scope="col">Clinical significance</th>
              </tr>
            </thead>
            <tbody>
              {list.data.rows.map((r) => (
                <tr key={`${r.formId}:${r.itemCode}`} data-lab={r.itemCode}>
                  <td>
                    <Link href={`/subjects/${r.subjectId}`}>{r.subjectCode}</Link>
                  </td>
                  <td>{r.siteCode}</td>
                  <td>
                    <Link href={`/visits/${r.visitId}`}>{r.visitCode}</Link>
                  </td>
                  <td>{[r.sampleDate, r.sampleTime].filter(Boolean).join(' ') || '—'}</td>
                  <td>{r.itemLabel}</td>
                  <td>
                    {r.value} {r.unit ?? ''}
                    {r.valueInRangeUnit !== null && ` (= ${r.valueInRangeUnit} ${r.rangeUnit})`}
                  </td>
                  <td>
                    <span className={`lab-flag flag-${r.flag}`}>{r.flag}</span> {r.flagLabel}
                  </td>
                  <td>
                    {r.low !== null && r.high !== null
                      ? `${r.low}–${r.high}`
                      : r.low !== null
                        ? `≥ ${r.low}`
                        : `≤ ${r.high}`}{' '}
                    {r.rangeUnit} ({r.rangeOrigin === 'site' ? 'site laboratory' : 'protocol default'})
                  </td>
                  <td>{significanceWords(r.significance)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
