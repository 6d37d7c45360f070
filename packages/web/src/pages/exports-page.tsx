// Exports (issue 22): choose a format and filters, start the export as a job on the server, follow
// its progress, download its files when done (the export, its data dictionary, and for a wide CSV the
// mapping the wide import reads). For the roles that may export (admin, monitor, statistician); the
// server pseudonymises the files of a role that may not see identities and says so on the job.
import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../api/client.js';
import { ErrorBox, LoadError } from '../components/error-box.js';
import { TableScroll } from '../components/table-scroll.js';
import { SelectField } from '../components/text-field.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { dateTimeText } from '../lib/dates.js';
import { catalogForms, definitionOf } from '../lib/definition.js';
import { Link } from '../router.js';
import { hasRole, useMe } from '../session.js';

type Job = Awaited<ReturnType<typeof listJobs>>['jobs'][number];
type Format = Job['format'];
const listJobs = (studyId: string) => api.get('/api/exports', { query: { studyId } });

const formats = (): { value: Format; label: string }[] => [
  { value: 'csv-wide', label: t('exports.format.csvWide') },
  { value: 'csv-long', label: t('exports.format.csvLong') },
  { value: 'odm', label: t('exports.format.odm') },
  { value: 'sdtm', label: t('exports.format.sdtm') },
  { value: 'analysis', label: t('exports.format.analysis') },
];
/** Which filters each format applies (the server refuses the others). */
const FILTERS: Record<Format, { site: boolean; formVisit: boolean }> = {
  'csv-wide': { site: true, formVisit: true },
  'csv-long': { site: true, formVisit: true },
  odm: { site: true, formVisit: false },
  analysis: { site: true, formVisit: false },
  sdtm: { site: false, formVisit: false },
};

const kb = (n: number) =>
  n < 1024 ? t('exports.bytes', { n }) : t('exports.kb', { n: (n / 1024).toFixed(1) });

export function ExportsPage({ studyId }: { studyId: string }) {
  const me = useMe();
  const data = useLoad(
    () =>
      Promise.all([
        api.get('/api/studies/:studyId', { params: { studyId } }),
        api.get('/api/studies/:studyId/sites', { params: { studyId } }),
      ]),
    [studyId],
  );
  const jobs = useLoad(() => listJobs(studyId), [studyId]);
  const [format, setFormat] = useState<Format>('csv-wide');
  const [siteId, setSiteId] = useState('');
  const [formCode, setFormCode] = useState('');
  const [visitCode, setVisitCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  // While a job is queued or running, its progress is asked again every second.
  const pending = jobs.data?.jobs.some((j) => j.status === 'queued' || j.status === 'running');
  const { reload } = jobs;
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(reload, 1000);
    return () => clearInterval(timer);
  }, [pending, reload]);

  if (!hasRole(me, ['monitor', 'statistician'], studyId))
    return (
      <section>
        <h1>{t('exports.title')}</h1>
        <p role="alert">{t('exports.notAllowed')}</p>
      </section>
    );
  if (data.error) return <LoadError error={data.error} what={t('exports.loadWhat')} />;
  if (!data.data) return <p className="loading">{t('common.loading')}</p>;
  const [study, sites] = data.data;
  const definition = definitionOf(study);
  const forms = [...catalogForms(definition).values()];
  const visits = definition.visits ?? [];
  const can = FILTERS[format];
  const FORMATS = formats();

  const start = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api.post('/api/studies/:studyId/exports', {
        params: { studyId },
        body: {
          format,
          filters: {
            ...(can.site && siteId ? { siteIds: [siteId] } : {}),
            ...(can.formVisit && formCode ? { formCodes: [formCode] } : {}),
            ...(can.formVisit && visitCode ? { visitCodes: [visitCode] } : {}),
          },
        },
      });
      reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <p>
        <Link href={`/studies/${studyId}`}>{t('exports.back', { study: study.code })}</Link>
      </p>
      <h1>{t('exports.titleOf', { study: study.code })}</h1>
      <form onSubmit={start} aria-label={t('exports.form')}>
        <SelectField
          label={t('exports.formatLabel')}
          value={format}
          onChange={(v) => setFormat(v as Format)}
          options={FORMATS}
        />
        {can.site && (
          <SelectField
            label={t('exports.site')}
            value={siteId}
            onChange={setSiteId}
            options={[
              { value: '', label: t('exports.allSites') },
              ...sites.map((s) => ({ value: s.id, label: s.code })),
            ]}
          />
        )}
        {can.formVisit && (
          <>
            <SelectField
              label={t('exports.formLabel')}
              value={formCode}
              onChange={setFormCode}
              options={[
                { value: '', label: t('exports.allForms') },
                ...forms.map((f) => ({ value: f.formCode, label: f.title })),
              ]}
            />
            <SelectField
              label={t('exports.visit')}
              value={visitCode}
              onChange={setVisitCode}
              options={[
                { value: '', label: t('exports.allVisits') },
                ...visits.map((v) => ({ value: v.code, label: v.label })),
              ]}
            />
          </>
        )}
        {error !== undefined && <ErrorBox error={error} />}
        <button type="submit" disabled={busy}>
          {t('exports.start')}
        </button>
      </form>
      <h2>{t('exports.mine')}</h2>
      {jobs.error !== undefined && <ErrorBox error={jobs.error} />}
      {jobs.data && jobs.data.jobs.length === 0 && <p>{t('exports.none')}</p>}
      {jobs.data && jobs.data.jobs.length > 0 && (
        <TableScroll label={t('exports.mine')}>
          <table aria-label={t('exports.mine')}>
            <thead>
              <tr>
                <th scope="col">{t('exports.col.started')}</th>
                <th scope="col">{t('exports.col.format')}</th>
                <th scope="col">{t('exports.col.filters')}</th>
                <th scope="col">{t('exports.col.status')}</th>
                <th scope="col">{t('exports.col.files')}</th>
              </tr>
            </thead>
            <tbody>
              {jobs.data.jobs.map((j) => (
                <tr key={j.id}>
                  <td>{dateTimeText(j.createdAt)}</td>
                  <td>
                    {FORMATS.find((f) => f.value === j.format)?.label ?? j.format}
                    {j.pseudonymised && t('exports.pseudonymised')}
                  </td>
                  <td>
                    {[
                      j.filters.siteIds &&
                        t('exports.filter.sites', {
                          list: j.filters.siteIds
                            .map((s) => sites.find((x) => x.id === s)?.code ?? s)
                            .join(', '),
                        }),
                      j.filters.formCodes &&
                        t('exports.filter.forms', { list: j.filters.formCodes.join(', ') }),
                      j.filters.visitCodes &&
                        t('exports.filter.visits', { list: j.filters.visitCodes.join(', ') }),
                    ]
                      .filter(Boolean)
                      .join(t('exports.filter.join')) || t('exports.everything')}
                  </td>
                  <td>
                    {j.status === 'running' || j.status === 'queued' ? (
                      <>
                        {t('exports.status', { status: j.status })}{' '}
                        <progress
                          max={100}
                          value={j.progress}
                          aria-label={t('exports.progress', { format: j.format })}
                        >
                          {t('exports.progressValue', { n: j.progress })}
                        </progress>
                      </>
                    ) : j.status === 'failed' ? (
                      <span role="alert">{t('exports.failed', { error: j.error ?? '' })}</span>
                    ) : (
                      t('exports.status', { status: 'done' })
                    )}
                  </td>
                  <td>
                    {j.files.map((f) => (
                      <div key={f.part}>
                        <a href={`/api/exports/${j.id}/file?part=${f.part}`} download={f.name}>
                          {t('exports.download', {
                            part: t('exports.part', { part: f.part }),
                            name: f.name,
                            size: kb(f.bytes),
                          })}
                        </a>
                      </div>
                    ))}
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
