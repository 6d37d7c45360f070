import { useState } from 'react';
import { api } from '../api/client.js';
import type { Worklist } from '../api/types.js';
import { LoadError } from '../components/error-box.js';
import { QueryList } from '../components/query-list.js';
import { whenText } from '../components/query-thread.js';
import { TableScroll } from '../components/table-scroll.js';
import { WorklistVerify } from '../components/worklist-verify.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { definitionOf } from '../lib/definition.js';
import { Link } from '../router.js';

type WorklistForm = Worklist['unverified'][number];

/**
 * The monitor's worklist: answered queries to close, forms changed since their review, forms the SDV
 * plan needs verified (by site, subject and visit), and new serious adverse events (linked to the
 * subject: the SAE views are the safety role's).
 */
export function WorklistPage({ studyId }: { studyId: string }) {
  const [verifiedNote, setVerifiedNote] = useState<string>();
  // The two form lists come a page at a time from the server, with their totals (issue 16).
  const [offset, setOffset] = useState(0);
  const data = useLoad(
    () =>
      Promise.all([
        api.get('/api/studies/:studyId', { params: { studyId } }),
        api.get('/api/studies/:studyId/sites', { params: { studyId } }),
        api.get('/api/studies/:studyId/worklist', { params: { studyId }, query: { saeDays: 30, offset } }),
        // The same answered queries as the list shows them (visit links, threads, "Close query").
        api
          .get('/api/studies/:studyId/queries', {
            params: { studyId },
            query: { status: 'answered', limit: 1000 },
          })
          .then((r) => r.queries),
      ]),
    [studyId, offset],
  );
  if (data.error) return <LoadError error={data.error} what={t('worklist.loadWhat')} />;
  if (!data.data) return <p className="loading">{t('common.loading')}</p>;
  const [study, sites, w, answered] = data.data;
  const definition = definitionOf(study);
  const verified = (message: string) => {
    setVerifiedNote(message);
    data.reload();
  };
  const siteCode = new Map(sites.map((s) => [s.id, s.code]));
  const formLink = (f: WorklistForm) => (
    <Link href={`/visits/${f.visitId}`}>
      {t('worklist.formLink', { subject: f.subjectCode, visit: f.visitCode })}
      {f.cycle > 1 ? t('worklist.cycle', { cycle: f.cycle }) : ''} {f.formCode}
    </Link>
  );
  const longest = Math.max(w.totals.changedSinceReview, w.totals.unverified);
  const range = (total: number) => {
    const shown = Math.max(0, Math.min(total, w.offset + w.limit) - w.offset);
    return total > w.limit
      ? t('worklist.rangeCut', {
          total: total.toLocaleString('en-US'),
          from:
            shown === 0
              ? 0
              : `${(w.offset + 1).toLocaleString('en-US')}–${(w.offset + shown).toLocaleString('en-US')}`,
        })
      : total.toLocaleString('en-US');
  };
  const pager = longest > w.limit && (
    <nav className="pager" aria-label={t('worklist.pages')}>
      <button
        type="button"
        disabled={w.offset === 0}
        onClick={() => setOffset(Math.max(0, w.offset - w.limit))}
      >
        {t('worklist.previous')}
      </button>
      <span className="pager-status">
        {t('worklist.pagerStatus', {
          from: (w.offset + 1).toLocaleString('en-US'),
          to: Math.min(longest, w.offset + w.limit).toLocaleString('en-US'),
        })}
      </span>
      <button
        type="button"
        disabled={w.offset + w.limit >= longest}
        onClick={() => setOffset(w.offset + w.limit)}
      >
        {t('worklist.next')}
      </button>
    </nav>
  );
  // Unverified forms grouped by site, then subject; each row one visit with its forms.
  const bySite = new Map<string, Map<string, WorklistForm[]>>();
  for (const f of w.unverified) {
    const subjects = bySite.get(f.siteId) ?? new Map<string, WorklistForm[]>();
    bySite.set(f.siteId, subjects);
    subjects.set(f.subjectCode, [...(subjects.get(f.subjectCode) ?? []), f]);
  }
  return (
    <section>
      <p className="crumbs">
        <Link href={`/studies/${studyId}`}>{study.code}</Link>
      </p>
      <h1>{t('worklist.title', { study: study.code })}</h1>
      <p>
        <button type="button" onClick={data.reload}>
          {t('worklist.refresh')}
        </button>{' '}
        <Link href={`/studies/${studyId}/queries`}>{t('worklist.allQueries')}</Link>
      </p>

      <section aria-labelledby="wl-answered-h">
        <h2 id="wl-answered-h">{t('worklist.answered', { count: w.answeredQueries.length })}</h2>
        <QueryList queries={answered} studyId={studyId} onChange={data.reload} empty={t('worklist.none')} />
      </section>

      {pager}
      <section aria-labelledby="wl-changed-h">
        <h2 id="wl-changed-h">{t('worklist.changed', { range: range(w.totals.changedSinceReview) })}</h2>
        {w.changedSinceReview.length === 0 ? (
          <p>{t('worklist.none')}</p>
        ) : (
          <ul aria-label={t('worklist.changedList')}>
            {w.changedSinceReview.map((f) => (
              <li key={f.formId}>
                {formLink(f)}{' '}
                <span className="muted">
                  {t('worklist.changedAt', { when: f.changedAt ? whenText(f.changedAt) : '' })}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="wl-sdv-h">
        <h2 id="wl-sdv-h">{t('worklist.toVerify', { range: range(w.totals.unverified) })}</h2>
        {verifiedNote && <p role="status">{verifiedNote}</p>}
        {w.unverified.length === 0 ? (
          <p>{t('worklist.none')}</p>
        ) : (
          [...bySite].map(([siteId, subjects]) => (
            <details key={siteId} open>
              <summary>
                {t('worklist.siteSummary', {
                  site: siteCode.get(siteId) ?? siteId,
                  count: [...subjects.values()].reduce((n, fs) => n + fs.length, 0),
                  page: w.totals.unverified > w.limit ? 'yes' : 'no',
                })}
              </summary>
              <TableScroll label={t('worklist.siteTable', { site: siteCode.get(siteId) ?? siteId })}>
                <table aria-label={t('worklist.siteTable', { site: siteCode.get(siteId) ?? siteId })}>
                  <thead>
                    <tr>
                      <th scope="col">{t('worklist.col.subject')}</th>
                      <th scope="col">{t('worklist.col.forms')}</th>
                      <th scope="col">{t('worklist.col.verify')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {[...subjects].map(([code, fs]) => (
                      <tr key={code}>
                        <th scope="row">{code}</th>
                        <td>
                          {fs.map((f, i) => (
                            <span key={f.formId}>
                              {i > 0 && ', '}
                              <Link href={`/visits/${f.visitId}`}>
                                {f.visitCode}
                                {f.cycle > 1 ? t('worklist.cycle', { cycle: f.cycle }) : ''} {f.formCode}
                              </Link>
                              {f.changedAt && <span className="muted">{t('worklist.changedMark')}</span>}
                            </span>
                          ))}
                        </td>
                        <td>
                          <ul className="plain">
                            {[...new Map(fs.map((f) => [f.visitId, f])).values()].map((f) => (
                              <li key={f.visitId}>
                                <WorklistVerify
                                  subjectId={f.subjectId}
                                  subjectCode={code}
                                  visit={{
                                    id: f.visitId,
                                    label: `${f.visitCode}${f.cycle > 1 ? t('worklist.cycle', { cycle: f.cycle }) : ''}`,
                                  }}
                                  definition={definition}
                                  onDone={verified}
                                />
                              </li>
                            ))}
                            <li>
                              <WorklistVerify
                                subjectId={fs[0]!.subjectId}
                                subjectCode={code}
                                definition={definition}
                                onDone={verified}
                              />
                            </li>
                          </ul>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroll>
            </details>
          ))
        )}
      </section>

      <section aria-labelledby="wl-sae-h">
        <h2 id="wl-sae-h">{t('worklist.saes', { count: w.newSaes.length })}</h2>
        {w.newSaes.length === 0 ? (
          <p>{t('worklist.none')}</p>
        ) : (
          <ul aria-label={t('worklist.saeList')}>
            {w.newSaes.map((a) => (
              <li key={a.id}>
                <Link href={`/subjects/${a.subjectId}`}>{a.subjectCode}</Link>
                {t('worklist.saeOnset', { term: a.term, date: a.onsetDate })}
                <span className="muted">{t('worklist.reported', { when: whenText(a.createdAt) })}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}
