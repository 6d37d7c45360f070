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
import { dateTimeText } from '../lib/dates.js';
import { catalogForms, definitionOf } from '../lib/definition.js';
import { Link } from '../router.js';
import { hasRole, useMe } from '../session.js';

type Job = Awaited<ReturnType<typeof listJobs>>['jobs'][number];
type Format = Job['format'];
const listJobs = (studyId: string) => api.get('/api/exports', { query: { studyId } });

const FORMATS: { value: Format; label: string }[] = [
  { value: 'csv-wide', label: 'CSV, wide (one row per subject and visit) with its data dictionary' },
  { value: 'csv-long', label: 'CSV, long (one row per value) with its data dictionary' },
  { value: 'odm', label: 'CDISC ODM 1.3.2 XML' },
  { value: 'sdtm', label: 'SDTM-style domains with Define-XML and Dataset-JSON (zip)' },
  { value: 'analysis', label: 'Analysis results (JSON)' },
];
const PART_LABEL = { data: 'the export', dictionary: 'its data dictionary', mapping: 'the import mapping' };
/** Which filters each format applies (the server refuses the others). */
const FILTERS: Record<Format, { site: boolean; formVisit: boolean }> = {
  'csv-wide': { site: true, formVisit: true },
  'csv-long': { site: true, formVisit: true },
  odm: { site: true, formVisit: false },
  analysis: { site: true, formVisit: false },
  sdtm: { site: false, formVisit: false },
};

const kb = (n: number) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`);

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
    const t = setInterval(reload, 1000);
    return () => clearInterval(t);
  }, [pending, reload]);

  if (!hasRole(me, ['monitor', 'statistician'], studyId))
    return (
      <section>
        <h1>Exports</h1>
        <p role="alert">Your role may not export this study's data.</p>
      </section>
    );
  if (data.error) return <LoadError error={data.error} what="study" />;
  if (!data.data) return <p className="loading">Loading…</p>;
  const [study, sites] = data.data;
  const definition = definitionOf(study);
  const forms = [...catalogForms(definition).values()];
  const visits = definition.visits ?? [];
  const can = FILTERS[format];

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
        <Link href={`/studies/${studyId}`}>← {study.code}</Link>
      </p>
      <h1>Exports of {study.code}</h1>
      <form onSubmit={start} aria-label="Start an export">
        <SelectField
          label="Format"
          value={format}
          onChange={(v) => setFormat(v as Format)}
          options={FORMATS}
        />
        {can.site && (
          <SelectField
            label="Site"
            value={siteId}
            onChange={setSiteId}
            options={[
              { value: '', label: 'all sites' },
              ...sites.map((s) => ({ value: s.id, label: s.code })),
            ]}
          />
        )}
        {can.formVisit && (
          <>
            <SelectField
              label="Form"
              value={formCode}
              onChange={setFormCode}
              options={[
                { value: '', label: 'all forms' },
                ...forms.map((f) => ({ value: f.formCode, label: f.title })),
              ]}
            />
            <SelectField
              label="Visit"
              value={visitCode}
              onChange={setVisitCode}
              options={[
                { value: '', label: 'all visits' },
                ...visits.map((v) => ({ value: v.code, label: v.label })),
              ]}
            />
          </>
        )}
        {error !== undefined && <ErrorBox error={error} />}
        <button type="submit" disabled={busy}>
          Start the export
        </button>
      </form>
      <h2>My exports</h2>
      {jobs.error !== undefined && <ErrorBox error={jobs.error} />}
      {jobs.data && jobs.data.jobs.length === 0 && <p>No exports yet.</p>}
      {jobs.data && jobs.data.jobs.length > 0 && (
        <TableScroll label="My exports">
          <table aria-label="My exports">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Format</th>
                <th scope="col">Filters</th>
                <th scope="col">Status</th>
                <th scope="col">Files</th>
              </tr>
            </thead>
            <tbody>
              {jobs.data.jobs.map((j) => (
                <tr key={j.id}>
                  <td>{dateTimeText(j.createdAt)}</td>
                  <td>
                    {FORMATS.find((f) => f.value === j.format)?.label ?? j.format}
                    {j.pseudonymised && ' — pseudonymised, study days'}
                  </td>
                  <td>
                    {[
                      j.filters.siteIds &&
                        `sites ${j.filters.siteIds.map((s) => sites.find((x) => x.id === s)?.code ?? s).join(', ')}`,
                      j.filters.formCodes && `forms ${j.filters.formCodes.join(', ')}`,
                      j.filters.visitCodes && `visits ${j.filters.visitCodes.join(', ')}`,
                    ]
                      .filter(Boolean)
                      .join('; ') || 'everything'}
                  </td>
                  <td>
                    {j.status === 'running' || j.status === 'queued' ? (
                      <>
                        {j.status}{' '}
                        <progress
                          max={100}
                          value={j.progress}
                          aria-label={`progress of the ${j.format} export`}
                        >
                          {j.progress}%
                        </progress>
                      </>
                    ) : j.status === 'failed' ? (
                      <span role="alert">failed: {j.error}</span>
                    ) : (
                      'done'
                    )}
                  </td>
                  <td>
                    {j.files.map((f) => (
                      <div key={f.part}>
                        <a href={`/api/exports/${j.id}/file?part=${f.part}`} download={f.name}>
                          Download {PART_LABEL[f.part]} ({f.name}, {kb(f.bytes)})
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
