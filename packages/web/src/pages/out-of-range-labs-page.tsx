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
import { t } from '../i18n/index.js';
import { Link } from '../router.js';

type Filters = NonNullable<RequestOf<RouteOf<'GET', '/api/studies/:studyId/out-of-range-labs'>>['query']>;
const SIGNIFICANCE_LABELS: Record<(typeof LAB_SIGNIFICANCE_FILTERS)[number], () => string> = {
  CS: () => t('oor.sig.CS'),
  NCS: () => t('oor.sig.NCS'),
  unanswered: () => t('oor.sig.unanswered'),
};
const significanceWords = (s: string | null) =>
  s === null ? t('oor.sig.none') : s === 'CS' || s === 'NCS' ? SIGNIFICANCE_LABELS[s]() : s;
/** A flag in words (core's LAB_FLAG_LABELS in English; a translation names each flag in `oor.flagWords`). */
const flagWords = (flag: string, words: string) => t('oor.flagWords', { flag, words });

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
  const none = { value: '', label: t('oor.any') };
  return (
    <section>
      <p className="crumbs">
        <Link href={`/studies/${studyId}`}>{t('oor.crumb')}</Link>
      </p>
      <h1>{t('oor.title')}</h1>
      <form aria-label={t('oor.filters')} className="inline-form" onSubmit={apply}>
        <SelectField
          label={t('oor.site')}
          value={draft.siteId ?? ''}
          onChange={set('siteId')}
          options={[
            none,
            ...(sites.data ?? []).map((s) => ({
              value: s.id,
              label: t('oor.siteOption', { code: s.code, name: s.name }),
            })),
          ]}
        />
        <TextField label={t('oor.subject')} value={draft.subject ?? ''} onChange={set('subject')} />
        <SelectField
          label={t('oor.lab')}
          value={draft.lab ?? ''}
          onChange={set('lab')}
          options={[none, ...(list.data?.labs ?? []).map((l) => ({ value: l.code, label: l.label }))]}
        />
        <SelectField
          label={t('oor.flag')}
          value={draft.flag ?? ''}
          onChange={set('flag')}
          options={[
            none,
            ...OUT_OF_RANGE_FLAGS.map((f) => ({
              value: f,
              label: t('oor.flagOption', { words: flagWords(f, LAB_FLAG_LABELS[f]), flag: f }),
            })),
          ]}
        />
        <SelectField
          label={t('oor.significance')}
          value={draft.significance ?? ''}
          onChange={set('significance')}
          options={[
            none,
            ...LAB_SIGNIFICANCE_FILTERS.map((s) => ({ value: s, label: SIGNIFICANCE_LABELS[s]() })),
          ]}
        />
        <button type="submit">{t('oor.apply')}</button>
      </form>
      <p>
        <a href={csvHref} download="out-of-range-labs.csv">
          {t('oor.csv')}
        </a>
      </p>
      {list.error ? <LoadError error={list.error} what={t('oor.loadWhat')} /> : null}
      {counts && (
        <ul className="counts" aria-label={t('oor.counts')}>
          <li className="count">
            <strong>{counts.total}</strong>
            {t('oor.count.total')}
          </li>
          {OUT_OF_RANGE_FLAGS.map((f) => (
            <li className="count" key={f}>
              <strong>{counts.byFlag[f] ?? 0}</strong> {flagWords(f, LAB_FLAG_LABELS[f])}
            </li>
          ))}
          <li className={counts.unanswered > 0 ? 'count overdue' : 'count'}>
            <strong>{counts.unanswered}</strong>
            {t('oor.count.unanswered')}
          </li>
        </ul>
      )}
      {list.data?.rows.length === 0 && <p>{t('oor.noMatch')}</p>}
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
          label={t('oor.pages')}
          live={false}
          noun={(count) => t('oor.noun', { count })}
        />
      )}
      {list.data && list.data.rows.length > 0 && (
        <TableScroll label={t('oor.list')}>
          <table aria-label={t('oor.list')}>
            <thead>
              <tr>
                <th scope="col">{t('oor.col.subject')}</th>
                <th scope="col">{t('oor.col.site')}</th>
                <th scope="col">{t('oor.col.visit')}</th>
                <th scope="col">{t('oor.col.sample')}</th>
                <th scope="col">{t('oor.col.lab')}</th>
                <th scope="col">{t('oor.col.value')}</th>
                <th scope="col">{t('oor.col.flag')}</th>
                <th scope="col">{t('oor.col.range')}</th>
                <th scope="col">{t('oor.col.significance')}</th>
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
                  <td>{[r.sampleDate, r.sampleTime].filter(Boolean).join(' ') || t('oor.none')}</td>
                  <td>{r.itemLabel}</td>
                  <td>
                    {r.value} {r.unit ?? ''}
                    {r.valueInRangeUnit !== null &&
                      t('oor.converted', { value: r.valueInRangeUnit, unit: r.rangeUnit ?? '' })}
                  </td>
                  <td>
                    <span className={`lab-flag flag-${r.flag}`}>{r.flag}</span>{' '}
                    {flagWords(r.flag, r.flagLabel)}
                  </td>
                  <td>
                    {r.low !== null && r.high !== null
                      ? t('oor.rangeBoth', { low: r.low, high: r.high })
                      : r.low !== null
                        ? t('oor.rangeLow', { low: r.low })
                        : t('oor.rangeHigh', { high: r.high ?? '' })}{' '}
                    {r.rangeUnit} {t('oor.origin', { origin: r.rangeOrigin })}
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
