// Import item values from a CSV file (long, or REDCap-like wide with a mapping), a CDISC ODM file
// (msct's own export, or another system's with an OID map or the wide CSV mapping format, whose
// unmapped items may be skipped and listed) or a FHIR R4 Bundle of lab Observations: check the file first (dry run) and see
// every problem with its row, column and rule; import only a file that checked clean. The server
// writes all of it or nothing.
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.js';
import { ApiError } from '../../api/problem.js';
import type { ImportReport, Study } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { ErrorBox } from '../error-box.js';
import { TableScroll } from '../table-scroll.js';
import { SelectField, TextField } from '../text-field.js';

/** Problems shown on the page; the report says how many more there are. */
const SHOWN = 200;

/**
 * An ODM or FHIR import's report: also what was skipped on purpose (skipUnmapped); a FHIR import's
 * accounts for every Observation.
 */
type ShownReport = ImportReport & {
  skipped?: ImportReport['problems'];
  skippedNotListed?: number;
  accounting?: {
    observations?: number;
    imported: number;
    withheld: number;
    skipped: number;
    refused: number;
  };
};

/** The ODM mapping text as the query parameter it is: the mapping format has "columns", an OID map not. */
function odmMappingQuery(text: string): { mapping: string } | { oidMap: string } | Record<string, never> {
  if (!text.trim()) return {};
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json === 'object' && json !== null && 'columns' in json) return { mapping: text };
  } catch {
    // Not JSON: the server names the parameter and what is wrong.
  }
  return { oidMap: text };
}

type Format = 'long' | 'wide' | 'odm' | 'fhir';

export function ImportData({ studies }: { studies: Study[] }) {
  const [studyId, setStudyId] = useState('');
  const [format, setFormat] = useState<Format>('long');
  const [mapping, setMapping] = useState('');
  const [skipUnmapped, setSkipUnmapped] = useState(false);
  const [reason, setReason] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<ShownReport>();
  const [checked, setChecked] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const chosen = studyId || studies[0]?.id || '';

  const send = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(true);
    setError(undefined);
    const flags = {
      ...(dryRun ? { dryRun: 'true' as const } : {}),
      ...(!dryRun && reason.trim() ? { reason: reason.trim() } : {}),
    };
    const params = { studyId: chosen };
    try {
      const r =
        format === 'fhir'
          ? await api.upload(
              '/api/studies/:studyId/import.fhir',
              {
                params,
                query: {
                  ...flags,
                  ...(mapping.trim() ? { mapping } : {}),
                  ...(skipUnmapped ? { skipUnmapped: 'true' as const } : {}),
                },
              },
              file,
              'application/fhir+json',
            )
          : format === 'odm'
            ? await api.upload(
                '/api/studies/:studyId/import.odm',
                {
                  params,
                  query: {
                    ...flags,
                    ...odmMappingQuery(mapping),
                    ...(skipUnmapped ? { skipUnmapped: 'true' as const } : {}),
                  },
                },
                file,
                'application/xml',
              )
            : await api.upload(
                '/api/studies/:studyId/import.csv',
                {
                  params,
                  query: {
                    format: format === 'wide' ? 'wide' : 'long',
                    ...flags,
                    ...(format === 'wide' ? { mapping } : {}),
                  },
                },
                file,
                'text/csv',
              );
      setReport(r);
      setChecked(dryRun && r.invalidRows === 0 ? file : null);
    } catch (err) {
      // A file with invalid rows comes back as a problem carrying the full report.
      const r = err instanceof ApiError ? (err.problem.report as ShownReport | undefined) : undefined;
      if (r) setReport(r);
      else setError(err);
      setChecked(null);
    } finally {
      setBusy(false);
    }
  };
  const check = (e: FormEvent) => {
    e.preventDefault();
    void send(true);
  };

  return (
    <form onSubmit={check} aria-label={t('importData.form')}>
      <SelectField
        label={t('importData.study')}
        value={chosen}
        onChange={(v) => {
          setStudyId(v);
          setChecked(null);
        }}
        options={studies.map((s) => ({ value: s.id, label: s.code }))}
      />
      <SelectField
        label={t('importData.layout')}
        value={format}
        onChange={(v) => {
          setFormat(v as Format);
          setChecked(null);
        }}
        options={[
          { value: 'long', label: t('importData.layout.long') },
          { value: 'wide', label: t('importData.layout.wide') },
          { value: 'odm', label: t('importData.layout.odm') },
          { value: 'fhir', label: t('importData.layout.fhir') },
        ]}
      />
      {format !== 'long' && (
        <div className="field">
          <label htmlFor="import-mapping">
            {format === 'wide'
              ? t('importData.mapping.wide')
              : format === 'fhir'
                ? t('importData.mapping.fhir')
                : t('importData.mapping.odm')}
          </label>
          <textarea
            id="import-mapping"
            rows={6}
            value={mapping}
            onChange={(e) => {
              setMapping(e.target.value);
              setChecked(null);
            }}
          />
        </div>
      )}
      {(format === 'odm' || format === 'fhir') && (
        <label className="check">
          <input
            type="checkbox"
            checked={skipUnmapped}
            onChange={(e) => {
              setSkipUnmapped(e.target.checked);
              setChecked(null);
            }}
          />{' '}
          {format === 'fhir' ? t('importData.skip.fhir') : t('importData.skip.odm')}
        </label>
      )}
      <div className="field">
        <label htmlFor="import-file">{t('importData.file')}</label>
        <input
          id="import-file"
          type="file"
          accept=".csv,text/csv,.xml,application/xml,.json,application/fhir+json,application/json"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setReport(undefined);
            setChecked(null);
          }}
        />
      </div>
      <button type="submit" disabled={!file || !chosen || busy}>
        {t('importData.check')}
      </button>
      <TextField
        label={t('importData.reason')}
        value={reason}
        onChange={setReason}
        placeholder={t('importData.reasonPlaceholder')}
      />
      <button type="button" disabled={!checked || checked !== file || busy} onClick={() => void send(false)}>
        {t('importData.import')}
      </button>
      <ErrorBox error={error} />
      {report && <ImportResult report={report} />}
    </form>
  );
}

function ImportResult({ report }: { report: ShownReport }) {
  const shown = report.problems.slice(0, SHOWN);
  const skipped = (report.skipped ?? []).slice(0, SHOWN);
  const moreSkipped = (report.skipped?.length ?? 0) - skipped.length + (report.skippedNotListed ?? 0);
  const more = report.problems.length - shown.length + report.problemsNotListed;
  const a = report.accounting;
  const fhir = a?.observations !== undefined;
  const skippedLabel = fhir ? t('importData.skippedFhir') : t('importData.skippedItems');
  return (
    <section aria-label={t('importData.result')} aria-live="polite">
      {report.written ? (
        <p role="status">
          {t('importData.imported', {
            entered: report.entered,
            changed: report.changed,
            unchanged: report.unchanged,
            visits: report.visitsCreated,
            forms: report.formsCreated,
          })}
        </p>
      ) : report.invalidRows === 0 ? (
        <p role="status">{t('importData.clean', { rows: report.rows, values: report.values })}</p>
      ) : (
        <p role="alert">
          {t('importData.invalid', {
            invalid: report.invalidRows,
            rows: report.rows,
            kind: fhir ? 'fhir' : 'rows',
          })}
        </p>
      )}
      {fhir && a && (
        <p>
          {t('importData.accounting', {
            observations: a.observations ?? 0,
            imported: a.imported,
            withheld: a.withheld,
            skipped: a.skipped,
            refused: a.refused,
          })}
        </p>
      )}
      {shown.length > 0 && (
        <TableScroll label={t('importData.problems')}>
          <table aria-label={t('importData.problems')}>
            <thead>
              <tr>
                <th scope="col">{t('importData.col.row')}</th>
                <th scope="col">{t('importData.col.column')}</th>
                <th scope="col">{t('importData.col.rule')}</th>
                <th scope="col">{t('importData.col.problem')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((p) => (
                <tr key={`${p.row}-${p.column}-${p.rule}`}>
                  <td>{p.row}</td>
                  <td>{p.column}</td>
                  <td>{p.rule}</td>
                  <td>{p.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {more > 0 && <p>{t('importData.more', { count: more })}</p>}
      {skipped.length > 0 && (
        <TableScroll label={skippedLabel}>
          <table aria-label={skippedLabel}>
            <thead>
              <tr>
                <th scope="col">{t('importData.col.row')}</th>
                <th scope="col">{t('importData.col.column')}</th>
                <th scope="col">{t('importData.col.why')}</th>
              </tr>
            </thead>
            <tbody>
              {skipped.map((p) => (
                <tr key={`${p.row}-${p.column}`}>
                  <td>{p.row}</td>
                  <td>{p.column}</td>
                  <td>{p.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {moreSkipped > 0 && (
        <p>{t('importData.moreSkipped', { count: moreSkipped, kind: fhir ? 'fhir' : 'items' })}</p>
      )}
    </section>
  );
}
