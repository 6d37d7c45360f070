// Analysis: the endpoint counts of every visible subject (GET /api/studies/:id/endpoints, the
// server's adjudication of the stored items), per site and overall, and the analysis report when the
// server offers it (GET /api/studies/:id/analysis and …/analysis/report.html).
import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client.js';
import { type Computing, untilDerived } from '../api/derived.js';
import { errorText } from '../api/problem.js';
import type { EndpointRow } from '../api/types.js';
import { LoadError } from '../components/error-box.js';
import { TableScroll } from '../components/table-scroll.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { dateTimeText } from '../lib/dates.js';
import { Link } from '../router.js';

const OUTCOMES = ['MCR', 'PCR', 'NR', 'pending', 'not adjudicated'] as const;
type OutcomeKey = (typeof OUTCOMES)[number];
const keyOf = (r: EndpointRow): OutcomeKey => r.outcome ?? 'not adjudicated';
/** An outcome code in words (the protocol's codes; their words are the catalogue's). */
const outcomeText = (o: OutcomeKey): string => t('analysis.outcome', { outcome: o });

function countBy(rows: EndpointRow[]): Record<OutcomeKey, number> {
  const out = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<OutcomeKey, number>;
  for (const r of rows) out[keyOf(r)] += 1;
  return out;
}

function csvOf(rows: EndpointRow[]): string {
  const q = (s: unknown) => `"${String(s ?? '').replaceAll('"', '""')}"`;
  return [
    'subject,site,outcome,label,first_response_month,summary',
    ...rows.map((r) =>
      [r.subjectCode, r.siteCode, r.outcome ?? '', r.label ?? '', r.firstResponseMonth ?? '', r.summary ?? '']
        .map(q)
        .join(','),
    ),
  ].join('\n');
}

export function AnalysisPage({ studyId }: { studyId: string }) {
  // The server derives a study's results in the background the first time (issue 16): while it does,
  // the routes answer "computing" and this page says so and asks again.
  const shown = useRef(true);
  useEffect(
    () => () => {
      shown.current = false;
    },
    [],
  );
  const [computing, setComputing] = useState<Computing | null>(null);
  const data = useLoad(
    () =>
      Promise.all([
        api.get('/api/studies/:studyId', { params: { studyId } }),
        untilDerived(
          () => api.get('/api/studies/:studyId/endpoints', { params: { studyId } }),
          setComputing,
          () => shown.current,
        ),
      ]),
    [studyId],
  );
  // The analysis route may not be deployed on this server yet: its absence is shown, not an error.
  const analysis = useLoad(
    () =>
      untilDerived(
        () => api.get('/api/studies/:studyId/analysis', { params: { studyId } }),
        () => {},
        () => shown.current,
      )
        .then((r) => ({ ok: true as const, results: r }))
        .catch((e: unknown) => ({ ok: false as const, why: errorText(e) })),
    [studyId],
  );
  // The server forbids framing its pages (frame-ancestors 'none'), so the report is fetched and shown
  // as the iframe's srcdoc, sandboxed: no scripts, no same-origin access.
  const report = useLoad(async () => {
    if (!analysis.data?.ok) return undefined;
    const res = await fetch(`/api/studies/${studyId}/analysis/report.html`, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(t('analysis.reportFailed', { status: res.status }));
    return res.text();
  }, [studyId, analysis.data?.ok]);
  if (data.error) return <LoadError error={data.error} what={t('analysis.loadWhat')} />;
  if (!data.data)
    return computing ? (
      <p role="status" className="loading" data-testid="computing">
        {t('analysis.computing', {
          started: dateTimeText(computing.startedAt),
          seconds: computing.retryAfterSeconds,
        })}
      </p>
    ) : (
      <p className="loading">{t('common.loading')}</p>
    );
  const [study, endpoints] = data.data;
  const rows = endpoints.subjects;
  const total = countBy(rows);
  const sites = [...new Set(rows.map((r) => r.siteCode))].sort();
  const responders = total.MCR + total.PCR;
  const adjudicated = rows.length - total['not adjudicated'];
  const results = analysis.data?.ok ? analysis.data.results : undefined;
  const csvHref = `data:text/csv;charset=utf-8,${encodeURIComponent(csvOf(rows))}`;

  return (
    <section>
      <p className="crumbs">
        <Link href={`/studies/${studyId}`}>{t('analysis.crumb')}</Link>
      </p>
      <h1>{t('analysis.title', { study: study.code })}</h1>
      <section aria-labelledby="counts-h">
        <h2 id="counts-h">{t('analysis.primary')}</h2>
        <ul className="counts" aria-label={t('analysis.counts')}>
          {OUTCOMES.map((o) => (
            <li key={o} className="count" data-outcome={o}>
              <strong data-testid={`count-${o}`}>{total[o]}</strong>
              {outcomeText(o)}
            </li>
          ))}
          <li className="count">
            <strong data-testid="count-subjects">{rows.length}</strong>
            {t('analysis.subjects')}
          </li>
        </ul>
        <p>
          {t('analysis.response', {
            responders,
            adjudicated,
            percent: adjudicated > 0 ? ((100 * responders) / adjudicated).toFixed(1) : 'none',
          })}
        </p>
        <TableScroll label={t('analysis.perSite')}>
          <table aria-label={t('analysis.perSite')} className="compact">
            <thead>
              <tr>
                <th scope="col">{t('analysis.col.site')}</th>
                {OUTCOMES.map((o) => (
                  <th key={o} scope="col">
                    {outcomeText(o)}
                  </th>
                ))}
                <th scope="col">{t('analysis.col.subjects')}</th>
              </tr>
            </thead>
            <tbody>
              {sites.map((site) => {
                const mine = rows.filter((r) => r.siteCode === site);
                const c = countBy(mine);
                return (
                  <tr key={site}>
                    <th scope="row">{site}</th>
                    {OUTCOMES.map((o) => (
                      <td key={o}>{c[o]}</td>
                    ))}
                    <td>{mine.length}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
        <p>
          <a href={csvHref} download={`${study.code}-endpoints.csv`}>
            {t('analysis.downloadCsv')}
          </a>
        </p>
      </section>
      <section aria-labelledby="report-h">
        <h2 id="report-h">{t('analysis.report')}</h2>
        {!analysis.data ? (
          <p className="loading">{t('analysis.reportComputing')}</p>
        ) : results ? (
          <>
            <ul className="counts" aria-label={t('analysis.populations')}>
              {(
                [
                  ['screened', () => t('analysis.population.screened')],
                  ['enrolled', () => t('analysis.population.enrolled')],
                  ['responders', () => t('analysis.population.responders')],
                  ['lupusNephritis', () => t('analysis.population.lupusNephritis')],
                ] as const
              ).map(([k, label]) => (
                <li key={k} className="count">
                  <strong data-testid={`population-${k}`}>{results?.populations[k]}</strong>
                  {label()}
                </li>
              ))}
            </ul>
            <p className="hint">
              {t('analysis.snapshot', { at: dateTimeText(results.snapshot.takenAt) })}{' '}
              <code>{t('analysis.hash', { hash: results.snapshot.hash.slice(0, 12) })}</code>
            </p>
            <p>
              <a href={`/api/studies/${studyId}/analysis/report.html`} target="_blank" rel="noreferrer">
                {t('analysis.openReport')}
              </a>{' '}
              ·{' '}
              <a href={`/api/studies/${studyId}/analysis`} download={`${study.code}-analysis.json`}>
                {t('analysis.downloadJson')}
              </a>
            </p>
            {report.error ? <LoadError error={report.error} what={t('analysis.reportWhat')} /> : null}
            {report.data ? (
              <iframe className="report" title={t('analysis.report')} srcDoc={report.data} sandbox="" />
            ) : (
              !report.error && <p className="loading">{t('analysis.reportLoading')}</p>
            )}
          </>
        ) : analysis.data.ok ? null : (
          <p role="note" data-testid="analysis-unavailable">
            {t('analysis.unavailable', { why: analysis.data.why })}
          </p>
        )}
      </section>
      <section aria-labelledby="subjects-end-h">
        <h2 id="subjects-end-h">{t('analysis.perSubject')}</h2>
        <TableScroll label={t('analysis.perSubjectTable')}>
          <table aria-label={t('analysis.perSubjectTable')}>
            <thead>
              <tr>
                <th scope="col">{t('analysis.col.subject')}</th>
                <th scope="col">{t('analysis.col.site')}</th>
                <th scope="col">{t('analysis.col.verdict')}</th>
                <th scope="col">{t('analysis.col.firstResponse')}</th>
                <th scope="col">{t('analysis.col.summary')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.subjectId}>
                  <th scope="row">
                    <Link href={`/subjects/${r.subjectId}`}>{r.subjectCode}</Link>
                  </th>
                  <td>{r.siteCode}</td>
                  <td>{r.label ?? outcomeText('not adjudicated')}</td>
                  <td>
                    {r.firstResponseMonth !== null
                      ? t('analysis.month', { month: r.firstResponseMonth })
                      : '—'}
                  </td>
                  <td>{r.summary ?? r.problems?.join('; ') ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </section>
    </section>
  );
}
