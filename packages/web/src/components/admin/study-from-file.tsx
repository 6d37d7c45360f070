// A study created from a definition file in the browser (issue #20 "Build without code"): msct JSON,
// a REDCap data dictionary (with its optional events and instrument-event mapping CSVs) or ODM 1.3.2
// metadata, with a study frame (JSON) for what a REDCap or ODM file cannot say. "Check" is the dry
// run of POST /api/studies/from-file: the same problem list and unmapped constructs as the API and
// `msct study create --format`; "Create study" stores it only when it is valid.
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.js';
import { ApiError } from '../../api/problem.js';
import type { Study } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { ErrorBox } from '../error-box.js';
import { TableScroll } from '../table-scroll.js';
import { SelectField, TextField } from '../text-field.js';

type Format = 'msct' | 'redcap' | 'odm';
type Report = Awaited<ReturnType<typeof fromFile>>;

function fromFile(body: {
  format: Format;
  file: string;
  events?: string;
  instrumentEvents?: string;
  frame?: Record<string, unknown>;
  code?: string;
  dryRun?: boolean;
}) {
  return api.post('/api/studies/from-file', { body });
}

const FORMATS: { value: Format; label: () => string; accept: string }[] = [
  { value: 'msct', label: () => t('studyFromFile.format.msct'), accept: '.json,application/json' },
  { value: 'redcap', label: () => t('studyFromFile.format.redcap'), accept: '.csv,text/csv' },
  { value: 'odm', label: () => t('studyFromFile.format.odm'), accept: '.xml,application/xml,text/xml' },
];

function FileField({
  id,
  label,
  accept,
  onFile,
}: {
  id: string;
  label: string;
  accept: string;
  onFile(f: File | null): void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="file" accept={accept} onChange={(e) => onFile(e.target.files?.[0] ?? null)} />
    </div>
  );
}

export function StudyFromFile({ onCreated }: { onCreated(s: Study): void }) {
  const [format, setFormat] = useState<Format>('msct');
  const [file, setFile] = useState<File | null>(null);
  const [events, setEvents] = useState<File | null>(null);
  const [instrumentEvents, setInstrumentEvents] = useState<File | null>(null);
  const [frame, setFrame] = useState<File | null>(null);
  const [code, setCode] = useState('');
  const [report, setReport] = useState<Report>();
  const [created, setCreated] = useState<Study>();
  const [problems, setProblems] = useState<string[]>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const reset = () => {
    setReport(undefined);
    setCreated(undefined);
    setProblems(undefined);
    setError(undefined);
  };
  const chosen = FORMATS.find((f) => f.value === format)!;

  const run = async (dryRun: boolean) => {
    if (!file) return;
    reset();
    setBusy(true);
    try {
      let frameValue: Record<string, unknown> | undefined;
      if (frame && format !== 'msct') {
        try {
          frameValue = JSON.parse(await frame.text()) as Record<string, unknown>;
        } catch (err) {
          setProblems([
            t('studyFromFile.notJson', {
              file: frame.name,
              why: err instanceof Error ? err.message : String(err),
            }),
          ]);
          return;
        }
      }
      const r = await fromFile({
        format,
        file: await file.text(),
        ...(events && format === 'redcap' ? { events: await events.text() } : {}),
        ...(instrumentEvents && format === 'redcap'
          ? { instrumentEvents: await instrumentEvents.text() }
          : {}),
        ...(frameValue ? { frame: frameValue } : {}),
        ...(code.trim() ? { code: code.trim() } : {}),
        dryRun,
      });
      setReport(r);
      if (r.study) {
        setCreated(r.study);
        onCreated(r.study);
      }
    } catch (err) {
      const listed = err instanceof ApiError ? err.problem.problems : undefined;
      if (Array.isArray(listed)) setProblems(listed.map(String));
      else setError(err);
    } finally {
      setBusy(false);
    }
  };
  const check = (e: FormEvent) => {
    e.preventDefault();
    void run(true);
  };
  const shownProblems = problems ?? (report && !report.valid ? report.problems : undefined);

  return (
    <form onSubmit={check} aria-label={t('studyFromFile.form')}>
      <SelectField
        label={t('studyFromFile.formatField')}
        value={format}
        onChange={(v) => {
          setFormat(v as Format);
          reset();
        }}
        options={FORMATS.map(({ value, label }) => ({ value, label: label() }))}
      />
      <FileField
        id="from-file-file"
        label={t('studyFromFile.file', { format: chosen.label() })}
        accept={chosen.accept}
        onFile={(f) => {
          setFile(f);
          reset();
        }}
      />
      {format === 'redcap' && (
        <>
          <FileField
            id="from-file-events"
            label={t('studyFromFile.events')}
            accept=".csv,text/csv"
            onFile={setEvents}
          />
          <FileField
            id="from-file-instrument-events"
            label={t('studyFromFile.instrumentEvents')}
            accept=".csv,text/csv"
            onFile={setInstrumentEvents}
          />
        </>
      )}
      {format !== 'msct' && (
        <FileField
          id="from-file-frame"
          label={t('studyFromFile.frame')}
          accept=".json,application/json"
          onFile={setFrame}
        />
      )}
      <TextField label={t('studyFromFile.code')} value={code} onChange={setCode} />
      <button type="submit" disabled={!file || busy}>
        {t('studyFromFile.check')}
      </button>
      <ErrorBox error={error} />
      {shownProblems && (
        <section aria-label={t('studyFromFile.problems')} aria-live="polite">
          <p role="alert">{t('studyFromFile.problemCount', { count: shownProblems.length })}</p>
          <ul>
            {shownProblems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </section>
      )}
      {report && (
        <section aria-label={t('studyFromFile.unmapped')} aria-live="polite">
          <p role="status">
            {report.dryRun
              ? t('studyFromFile.checked', { valid: report.valid ? 'yes' : 'no' })
              : t('studyFromFile.created', {
                  study: created?.code ?? '',
                  version: created?.definitionVersion ?? 1,
                })}{' '}
            {t('studyFromFile.unmappedCount', { count: report.unmapped.length })}
          </p>
          {report.unmapped.length > 0 && (
            <TableScroll label={t('studyFromFile.notMapped')}>
              <table aria-label={t('studyFromFile.notMapped')}>
                <thead>
                  <tr>
                    <th scope="col">{t('studyFromFile.col.where')}</th>
                    <th scope="col">{t('studyFromFile.col.field')}</th>
                    <th scope="col">{t('studyFromFile.col.what')}</th>
                    <th scope="col">{t('studyFromFile.col.kept')}</th>
                    <th scope="col">{t('studyFromFile.col.why')}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.unmapped.map((u) => (
                    <tr key={`${u.row}-${u.field}-${u.what}`}>
                      <td>{u.row}</td>
                      <td>{u.field}</td>
                      <td>{u.what}</td>
                      <td>{t('studyFromFile.kept', { kind: u.kind })}</td>
                      <td>{u.why}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
        </section>
      )}
      {report?.dryRun && report.valid && (
        <button type="button" disabled={busy} onClick={() => void run(false)}>
          {t('studyFromFile.create')}
        </button>
      )}
    </form>
  );
}
