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
import { t } from '../i18n/index.js';
import { clockSummary } from '../lib/sae-clock.js';
import { Link } from '../router.js';

type Filters = NonNullable<RequestOf<RouteOf<'GET', '/api/studies/:studyId/adverse-events'>>['query']>;
// A vocabulary code in words (the catalogue's `code.words` may name each code; English: the code's words).
const label = (code: string) => t('code.words', { code, words: code.replaceAll('_', ' ') });
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
  const none = { value: '', label: t('aePage.any') };
  return (
    <section>
      <p className="crumbs">
        <Link href={`/studies/${studyId}`}>{t('aePage.crumb')}</Link>
      </p>
      <h1>{t('aePage.title')}</h1>
      <form aria-label={t('aePage.filters')} className="inline-form" onSubmit={apply}>
        <SelectField
          label={t('aePage.seriousness')}
          value={draft.seriousness ?? ''}
          onChange={set('seriousness')}
          options={[none, ...AE_SERIOUSNESS_FILTERS.map((s) => ({ value: s, label: label(s) }))]}
        />
        <SelectField
          label={t('aePage.grade')}
          value={draft.grade ?? ''}
          onChange={set('grade')}
          options={[none, ...['1', '2', '3', '4', '5'].map((g) => ({ value: g, label: g }))]}
        />
        <SelectField
          label={t('aePage.relatedness')}
          value={draft.relatedness ?? ''}
          onChange={set('relatedness')}
          options={[none, ...AE_RELATEDNESS_FILTERS.map((r) => ({ value: r, label: label(r) }))]}
        />
        <SelectField
          label={t('aePage.site')}
          value={draft.siteId ?? ''}
          onChange={set('siteId')}
          options={[
            none,
            ...(sites.data ?? []).map((s) => ({
              value: s.id,
              label: t('aePage.siteOption', { code: s.code, name: s.name }),
            })),
          ]}
        />
        <TextField label={t('aePage.term')} value={draft.term ?? ''} onChange={set('term')} />
        <SelectField
          label={t('aePage.outcome')}
          value={draft.outcome ?? ''}
          onChange={set('outcome')}
          options={[
            none,
            ...AE_OUTCOMES.map((o) => ({ value: o, label: label(o) })),
            { value: 'none', label: t('aePage.outcomeUnknown') },
          ]}
        />
        <TextField
          label={t('aePage.onsetFrom')}
          type="date"
          value={draft.onsetFrom ?? ''}
          onChange={set('onsetFrom')}
        />
        <TextField
          label={t('aePage.onsetTo')}
          type="date"
          value={draft.onsetTo ?? ''}
          onChange={set('onsetTo')}
        />
        <label className="check">
          <input
            type="checkbox"
            checked={draft.overdue === 'yes'}
            onChange={(e) => set('overdue')(e.target.checked ? 'yes' : '')}
          />{' '}
          {t('aePage.overdueOnly')}
        </label>
        <button type="submit">{t('aePage.apply')}</button>
      </form>
      {list.error ? <LoadError error={list.error} what={t('aePage.loadWhat')} /> : null}
      {counts && (
        <ul className="counts" aria-label={t('aePage.counts')}>
          <li className="count">
            <strong>{counts.total}</strong>
            {t('aePage.count.events')}
          </li>
          <li className="count">
            <strong>{counts.serious}</strong>
            {t('aePage.count.serious')}
          </li>
          <li className="count">
            <strong>{counts.related}</strong>
            {t('aePage.count.related')}
          </li>
          <li className="count">
            <strong>{counts.fatal}</strong>
            {t('aePage.count.fatal')}
          </li>
          <li className={counts.overdue > 0 ? 'count overdue' : 'count'}>
            <strong>{counts.overdue}</strong>
            {t('aePage.count.overdue')}
          </li>
          <li className="count">
            {t('aePage.byGrade', {
              grades:
                Object.entries(counts.byGrade)
                  .sort()
                  .map(([g, n]) => t('aePage.gradeCount', { grade: g, count: n }))
                  .join(', ') || t('aePage.none'),
            })}
          </li>
        </ul>
      )}
      {list.data?.events.length === 0 && <p>{t('aePage.noMatch')}</p>}
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
          label={t('aePage.pages')}
          live={false}
          noun={(count) => t('aePage.noun', { count })}
        />
      )}
      {list.data && list.data.events.length > 0 && (
        <TableScroll label={t('aePage.listing')}>
          <table aria-label={t('aePage.listing')}>
            <thead>
              <tr>
                <th scope="col">{t('aePage.col.subject')}</th>
                <th scope="col">{t('aePage.col.site')}</th>
                <th scope="col">{t('aePage.col.term')}</th>
                <th scope="col">{t('aePage.col.onset')}</th>
                <th scope="col">{t('aePage.col.grade')}</th>
                <th scope="col">{t('aePage.col.seriousness')}</th>
                <th scope="col">{t('aePage.col.related')}</th>
                <th scope="col">{t('aePage.col.outcome')}</th>
                <th scope="col">{t('aePage.col.clock')}</th>
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
                    {a.serious && <strong className="badge sae-badge">{t('aePage.sae')}</strong>}{' '}
                    <Link href={`/adverse-events/${a.id}`}>{a.term}</Link>
                  </td>
                  <td>{a.onsetDate}</td>
                  <td>{a.ctcaeGrade ?? t('aePage.none')}</td>
                  <td>{a.serious ? a.seriousness.map(label).join(', ') : t('aePage.notSerious')}</td>
                  <td>{label(a.relatedness)}</td>
                  <td>{a.outcome ? label(a.outcome) : t('aePage.none')}</td>
                  <td className="clock">
                    {a.clock.overdue && (
                      <strong className="badge overdue-badge">{t('aePage.overdue')}</strong>
                    )}{' '}
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
