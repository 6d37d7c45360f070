// A protocol amendment from the admin page (issue #20): upload a study definition (JSON), check it
// (a dry run: the validation problems by path, or the amendment report — what is added, removed,
// narrowed, and which stored values become invalid), give the reason, apply it as the next
// definition version. The versions of the study's definition are listed with who, when and why.
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.js';
import { ApiError } from '../../api/problem.js';
import type { Study } from '../../api/types.js';
import { useLoad } from '../../hooks/use-load.js';
import { t } from '../../i18n/index.js';
import { dateTimeText } from '../../lib/dates.js';
import { ErrorBox } from '../error-box.js';
import { TableScroll } from '../table-scroll.js';
import { SelectField, TextField } from '../text-field.js';

type Result = Awaited<ReturnType<typeof checkOrApply>>;
export type AmendmentResult = Result;
type Report = Result['report'];
type Change = Report['added'][number];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkOrApply(
  studyId: string,
  body: { definition: Record<string, unknown>; version: number; reason?: string; dryRun?: boolean },
) {
  return api.post('/api/studies/:studyId/definition/amendments', { params: { studyId }, body });
}

export function AmendDefinition({ studies, onApplied }: { studies: Study[]; onApplied(): void }) {
  const [studyId, setStudyId] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [definition, setDefinition] = useState<Record<string, unknown>>();
  const [checked, setChecked] = useState<Result>();
  const [applied, setApplied] = useState<Result>();
  const [problems, setProblems] = useState<string[]>();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const chosen = studyId || studies[0]?.id || '';
  const versions = useLoad(
    () =>
      chosen
        ? api.get('/api/studies/:studyId/definition/versions', { params: { studyId: chosen } })
        : Promise.resolve([]),
    [chosen],
  );

  const reset = () => {
    setChecked(undefined);
    setApplied(undefined);
    setProblems(undefined);
    setError(undefined);
  };

  const run = async (dryRun: boolean, def: Record<string, unknown>, version: number) => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await checkOrApply(
        chosen,
        dryRun ? { definition: def, version, dryRun } : { definition: def, version, reason: reason.trim() },
      );
      if (dryRun) setChecked(r);
      else {
        setApplied(r);
        setChecked(undefined);
        setReason('');
        versions.reload();
        onApplied();
      }
    } catch (err) {
      const listed = err instanceof ApiError ? err.problem.problems : undefined;
      if (Array.isArray(listed)) setProblems(listed.map(String));
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  const check = async (e: FormEvent) => {
    e.preventDefault();
    reset();
    if (!file) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await file.text());
    } catch (err) {
      setProblems([
        t('studyFromFile.notJson', {
          file: file.name,
          why: err instanceof Error ? err.message : String(err),
        }),
      ]);
      return;
    }
    if (!isRecord(parsed)) {
      setProblems([t('amend.notObject', { file: file.name })]);
      return;
    }
    setDefinition(parsed);
    // The study's version now, so a change made meanwhile by someone else is refused (409), not overwritten.
    const study = await api
      .get('/api/studies/:studyId', { params: { studyId: chosen } })
      .catch((err: unknown) => {
        setError(err);
        return undefined;
      });
    if (study) await run(true, parsed, study.version);
  };

  return (
    <form onSubmit={(e) => void check(e)} aria-label={t('amend.form')}>
      <SelectField
        label={t('amend.study')}
        value={chosen}
        onChange={(v) => {
          setStudyId(v);
          reset();
        }}
        options={studies.map((s) => ({
          value: s.id,
          label: t('amend.studyOption', { study: s.code, version: s.definitionVersion }),
        }))}
      />
      <div className="field">
        <label htmlFor="amend-file">{t('amend.file')}</label>
        <input
          id="amend-file"
          type="file"
          accept=".json,application/json"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            reset();
          }}
        />
      </div>
      <button type="submit" disabled={!file || !chosen || busy}>
        {t('amend.check')}
      </button>
      <ErrorBox error={error} />
      {problems && (
        <section aria-label={t('amend.problems')} aria-live="polite">
          <p role="alert">{t('amend.problemCount', { count: problems.length })}</p>
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </section>
      )}
      {checked && definition && (
        <>
          <AmendmentReport result={checked} />
          <TextField label={t('amend.reason')} value={reason} onChange={setReason} />
          <button
            type="button"
            disabled={!reason.trim() || busy}
            onClick={() => void run(false, definition, checked.studyVersion)}
          >
            {t('amend.apply')}
          </button>
        </>
      )}
      {applied && (
        <p role="status">
          {t('amend.applied', {
            to: applied.toVersion,
            from: applied.fromVersion,
            count: applied.report.invalidValuesTotal,
          })}
        </p>
      )}
      <h4>{t('amend.versions')}</h4>
      <ErrorBox error={versions.error} />
      <TableScroll label={t('amend.versions')}>
        <table aria-label={t('amend.versions')}>
          <thead>
            <tr>
              <th scope="col">{t('amend.col.version')}</th>
              <th scope="col">{t('amend.col.stored')}</th>
              <th scope="col">{t('amend.col.by')}</th>
              <th scope="col">{t('amend.col.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {versions.data?.map((v) => (
              <tr key={v.version}>
                <td>{t('amend.version', { version: v.version, current: v.current ? 'yes' : 'no' })}</td>
                <td>{dateTimeText(v.createdAt)}</td>
                <td>{v.createdByName}</td>
                <td>{v.reason ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </form>
  );
}

function ChangeList({ title, changes }: { title: string; changes: Change[] }) {
  if (changes.length === 0) return null;
  return (
    <>
      <h4>{t('amend.changeTitle', { title, count: changes.length })}</h4>
      <ul aria-label={title}>
        {changes.map((c) => (
          <li key={`${c.kind}-${c.message}`}>{c.message}</li>
        ))}
      </ul>
    </>
  );
}

export function AmendmentReport({ result }: { result: Result }) {
  const r = result.report;
  const more = r.invalidValuesTotal - r.invalidValues.length;
  const none = r.added.length + r.removed.length + r.narrowed.length + r.changed.length === 0;
  return (
    <section aria-label={t('amend.report')} aria-live="polite">
      <p role="status">
        {t('amend.checked', {
          from: result.fromVersion,
          to: result.toVersion,
          checked: r.valuesChecked,
          invalid: r.invalidValuesTotal,
        })}
      </p>
      {none && <p>{t('amend.nothing')}</p>}
      <ChangeList title={t('amend.added')} changes={r.added} />
      <ChangeList title={t('amend.removed')} changes={r.removed} />
      <ChangeList title={t('amend.narrowed')} changes={r.narrowed} />
      <ChangeList title={t('amend.changed')} changes={r.changed} />
      {r.invalidValues.length > 0 && (
        <TableScroll label={t('amend.invalid')}>
          <table aria-label={t('amend.invalid')}>
            <thead>
              <tr>
                <th scope="col">{t('amend.col.subject')}</th>
                <th scope="col">{t('amend.col.visit')}</th>
                <th scope="col">{t('amend.col.form')}</th>
                <th scope="col">{t('amend.col.item')}</th>
                <th scope="col">{t('amend.col.value')}</th>
                <th scope="col">{t('amend.col.rule')}</th>
                <th scope="col">{t('amend.col.why')}</th>
              </tr>
            </thead>
            <tbody>
              {r.invalidValues.map((v) => (
                <tr key={`${v.subjectCode}-${v.visitCode}-${v.cycle}-${v.formCode}-${v.itemCode}`}>
                  <td>{v.subjectCode}</td>
                  <td>
                    {v.cycle > 1
                      ? t('amend.visitCycle', { visit: v.visitCode, cycle: v.cycle })
                      : v.visitCode}
                  </td>
                  <td>{v.formCode}</td>
                  <td>{v.itemCode}</td>
                  <td>
                    {v.value ?? '—'}
                    {v.unit ? ` ${v.unit}` : ''}
                  </td>
                  <td>{v.rule}</td>
                  <td>{v.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {more > 0 && <p>{t('amend.more', { count: more })}</p>}
      {r.alreadyInvalid > 0 && <p>{t('amend.alreadyInvalid', { count: r.alreadyInvalid })}</p>}
    </section>
  );
}
