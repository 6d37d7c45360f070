// A protocol amendment from the admin page (issue #20): upload a study definition (JSON), check it
// (a dry run: the validation problems by path, or the amendment report — what is added, removed,
// narrowed, and which stored values become invalid), give the reason, apply it as the next
// definition version. The versions of the study's definition are listed with who, when and why.
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.js';
import { ApiError } from '../../api/problem.js';
import type { Study } from '../../api/types.js';
import { useLoad } from '../../hooks/use-load.js';
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
      setProblems([`${file.name}: is not JSON (${err instanceof Error ? err.message : String(err)})`]);
      return;
    }
    if (!isRecord(parsed)) {
      setProblems([`${file.name}: a study definition is a JSON object`]);
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
    <form onSubmit={(e) => void check(e)} aria-label="Amend the study definition">
      <SelectField
        label="Study to amend"
        value={chosen}
        onChange={(v) => {
          setStudyId(v);
          reset();
        }}
        options={studies.map((s) => ({
          value: s.id,
          label: `${s.code} (definition version ${s.definitionVersion})`,
        }))}
      />
      <div className="field">
        <label htmlFor="amend-file">New definition (JSON file)</label>
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
        Check amendment
      </button>
      <ErrorBox error={error} />
      {problems && (
        <section aria-label="Problems in the definition" aria-live="polite">
          <p role="alert">
            The definition has {problems.length} problem{problems.length === 1 ? '' : 's'}; nothing was
            stored.
          </p>
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
          <TextField label="Reason for the amendment (audit trail)" value={reason} onChange={setReason} />
          <button
            type="button"
            disabled={!reason.trim() || busy}
            onClick={() => void run(false, definition, checked.studyVersion)}
          >
            Apply amendment
          </button>
        </>
      )}
      {applied && (
        <p role="status">
          Definition version {applied.toVersion} stored (was version {applied.fromVersion});{' '}
          {applied.report.invalidValuesTotal} stored value{applied.report.invalidValuesTotal === 1 ? '' : 's'}{' '}
          invalid under it, kept as entered.
        </p>
      )}
      <h4>Definition versions</h4>
      <ErrorBox error={versions.error} />
      <TableScroll label="Definition versions">
        <table aria-label="Definition versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Stored</th>
              <th scope="col">By</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {versions.data?.map((v) => (
              <tr key={v.version}>
                <td>
                  {v.version}
                  {v.current ? ' (current)' : ''}
                </td>
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
      <h4>
        {title} ({changes.length})
      </h4>
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
    <section aria-label="Amendment report" aria-live="polite">
      <p role="status">
        Checked: definition version {result.fromVersion} → {result.toVersion}. {r.valuesChecked} stored value
        {r.valuesChecked === 1 ? '' : 's'} checked, {r.invalidValuesTotal} would become invalid. Nothing is
        stored until you apply it.
      </p>
      {none && <p>The new definition changes nothing.</p>}
      <ChangeList title="Added" changes={r.added} />
      <ChangeList title="Removed" changes={r.removed} />
      <ChangeList title="Narrowed" changes={r.narrowed} />
      <ChangeList title="Changed" changes={r.changed} />
      {r.invalidValues.length > 0 && (
        <TableScroll label="Stored values that become invalid">
          <table aria-label="Stored values that become invalid">
            <thead>
              <tr>
                <th scope="col">Subject</th>
                <th scope="col">Visit</th>
                <th scope="col">Form</th>
                <th scope="col">Item</th>
                <th scope="col">Value</th>
                <th scope="col">Rule</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {r.invalidValues.map((v) => (
                <tr key={`${v.subjectCode}-${v.visitCode}-${v.cycle}-${v.formCode}-${v.itemCode}`}>
                  <td>{v.subjectCode}</td>
                  <td>
                    {v.visitCode}
                    {v.cycle > 1 ? ` (cycle ${v.cycle})` : ''}
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
      {more > 0 && <p>…and {more} more values not shown.</p>}
      {r.alreadyInvalid > 0 && (
        <p>{r.alreadyInvalid} stored values were already invalid under the current version.</p>
      )}
    </section>
  );
}
