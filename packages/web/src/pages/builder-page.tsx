// The form builder (issue #20 "Build without code"): an administrator adds, reorders and removes a
// study's forms and their items (type, label, help text, units, range, required, code list), edits
// the code lists the items reference, assigns each form to the schedule's visits and previews the
// form as a site will see it (the very CatalogForm of the visit page, resolved by core's
// itemFormsFor as entry resolves it). The draft is checked as it is edited by the validation the
// server runs (validateStudyDefinition), each problem shown at the control its path names; saving
// is a protocol amendment: the server's dry-run report first, then a new definition version applied
// with a reason (POST /api/studies/:studyId/definition/amendments).
import { itemFormsFor, showIfText } from '@msct/core/crf';
import {
  type CodeList,
  type DefinitionItem,
  type FormDefinition,
  formatDefinitionIssue,
  itemTypeSchema,
  missingDataCodeSchema,
  type PathProblem,
  parseProblem,
  problemsAt,
  type StudyDefinition,
  validateStudyDefinition,
} from '@msct/core/protocol';
import { useState } from 'react';
import { api } from '../api/client.js';
import { ApiError } from '../api/problem.js';
import type { Study } from '../api/types.js';
import { AmendmentReport, type AmendmentResult } from '../components/admin/amend-definition.js';
import { EditChecksEditor } from '../components/builder/edit-checks-editor.js';
import {
  type Edit,
  Errors,
  Field,
  ParsedField,
  parseNumber,
  parseUnits,
  TextFieldAt,
} from '../components/builder/fields.js';
import { CatalogForm } from '../components/catalog-form.js';
import { ErrorBox, LoadError } from '../components/error-box.js';
import { TextField } from '../components/text-field.js';
import { useLoad } from '../hooks/use-load.js';
import { useUnsavedWarning } from '../hooks/use-unsaved-warning.js';
import { t } from '../i18n/index.js';
import { Link } from '../router.js';
import { hasRole, useMe } from '../session.js';

export function BuilderPage({ studyId }: { studyId: string }) {
  const me = useMe();
  const admin = hasRole(me, 'admin', studyId);
  const study = useLoad(
    () => (admin ? api.get('/api/studies/:studyId', { params: { studyId } }) : Promise.resolve(undefined)),
    [studyId, admin],
  );
  const [saved, setSaved] = useState<AmendmentResult>();
  if (!admin)
    return (
      <section>
        <h1>{t('builder.titleBare')}</h1>
        <p role="alert">{t('builder.adminsOnly')}</p>
      </section>
    );
  if (study.error) return <LoadError error={study.error} what={t('builder.loadWhat')} />;
  if (!study.data) return <p className="loading">{t('common.loading')}</p>;
  const read = validateStudyDefinition(study.data.definition);
  return (
    <section>
      <h1>{t('builder.title', { study: study.data.code })}</h1>
      <p>
        <Link href={`/studies/${studyId}`}>{t('builder.back')}</Link>{' '}
        {t('builder.version', { version: study.data.definitionVersion })}
      </p>
      {saved && <p role="status">{t('builder.saved', { to: saved.toVersion, from: saved.fromVersion })}</p>}
      {read.ok ? (
        <Builder
          key={study.data.version}
          study={study.data}
          definition={read.value}
          onSaved={(r) => {
            setSaved(r);
            study.reload();
          }}
        />
      ) : (
        <p role="alert">{t('builder.noDefinition')}</p>
      )}
    </section>
  );
}

const TYPE_LABELS: Record<DefinitionItem['type'], () => string> = {
  boolean: () => t('builder.type.boolean'),
  integer: () => t('builder.type.integer'),
  decimal: () => t('builder.type.decimal'),
  text: () => t('builder.type.text'),
  date: () => t('builder.type.date'),
  code: () => t('builder.type.code'),
};

function move<T>(xs: T[], i: number, by: -1 | 1): void {
  const j = i + by;
  if (j < 0 || j >= xs.length) return;
  [xs[i], xs[j]] = [xs[j]!, xs[i]!];
}

function Builder({
  study,
  definition,
  onSaved,
}: {
  study: Study;
  definition: StudyDefinition;
  onSaved(r: AmendmentResult): void;
}) {
  const [draft, setDraft] = useState<StudyDefinition>(definition);
  const [selected, setSelected] = useState(0);
  const [checked, setChecked] = useState<AmendmentResult>();
  const [serverProblems, setServerProblems] = useState<string[]>([]);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const dirty = draft !== definition;
  useUnsavedWarning(dirty);

  /** Every edit goes through here: a copy of the draft, changed; a report checked before is void. */
  const edit = (change: (d: StudyDefinition) => void) => {
    setDraft((d) => {
      const next = structuredClone(d);
      change(next);
      return next;
    });
    setChecked(undefined);
    setServerProblems([]);
  };

  const live = validateStudyDefinition(draft);
  const lines = [...(live.ok ? [] : live.issues.map(formatDefinitionIssue)), ...serverProblems];
  const problems = [...new Set(lines)].map(parseProblem);
  const forms = draft.forms;
  const form = forms[selected];

  const check = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await api.post('/api/studies/:studyId/definition/amendments', {
        params: { studyId: study.id },
        body: { definition: { ...draft }, version: study.version, dryRun: true },
      });
      setChecked(r);
    } catch (err) {
      const listed = err instanceof ApiError ? err.problem.problems : undefined;
      if (Array.isArray(listed)) setServerProblems(listed.map(String));
      else setError(err);
    } finally {
      setBusy(false);
    }
  };
  const apply = async () => {
    if (!checked) return;
    setBusy(true);
    setError(undefined);
    try {
      const r = await api.post('/api/studies/:studyId/definition/amendments', {
        params: { studyId: study.id },
        body: { definition: { ...draft }, version: checked.studyVersion, reason: reason.trim() },
      });
      onSaved(r);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="builder">
      {problems.length > 0 && (
        <section aria-label={t('builder.problems')}>
          <p role="alert">{t('builder.problemCount', { count: problems.length })}</p>
          <ul>
            {problems.map((p) => (
              <li key={p.line}>{p.line}</li>
            ))}
          </ul>
        </section>
      )}
      <div className="columns">
        <section aria-labelledby="builder-forms">
          <h2 id="builder-forms">{t('builder.forms')}</h2>
          <ol aria-label={t('builder.formsList')}>
            {forms.map((f, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a draft entry has no identity while edited (its code may be blank or repeated); its position is its path in the definition
              <li key={`${i}-${f.id}`}>
                <button type="button" aria-pressed={i === selected} onClick={() => setSelected(i)}>
                  {t('builder.formButton', {
                    title: f.title || t('builder.untitled'),
                    code: f.id || t('builder.noCode'),
                  })}
                </button>{' '}
                <button
                  type="button"
                  aria-label={t('builder.moveFormUp', { form: f.id })}
                  disabled={i === 0}
                  onClick={() => {
                    edit((d) => move(d.forms, i, -1));
                    if (selected === i) setSelected(i - 1);
                  }}
                >
                  {t('builder.arrowUp')}
                </button>
                <button
                  type="button"
                  aria-label={t('builder.moveFormDown', { form: f.id })}
                  disabled={i === forms.length - 1}
                  onClick={() => {
                    edit((d) => move(d.forms, i, 1));
                    if (selected === i) setSelected(i + 1);
                  }}
                >
                  {t('builder.arrowDown')}
                </button>
                <button
                  type="button"
                  aria-label={t('builder.removeForm', { form: f.id })}
                  onClick={() => {
                    edit((d) => {
                      d.forms.splice(i, 1);
                    });
                    setSelected(0);
                  }}
                >
                  {t('builder.remove')}
                </button>
                {problemsAt(problems, `forms[${i}]`, true).length > 0 && (
                  <span className="field-error"> {t('builder.hasProblems')}</span>
                )}
              </li>
            ))}
          </ol>
          <button
            type="button"
            onClick={() => {
              edit((d) => {
                d.forms.push({ id: '', title: '', visitCodes: [], items: [] });
              });
              setSelected(forms.length);
            }}
          >
            {t('builder.addForm')}
          </button>
          <CodeListsEditor codeLists={draft.codeLists ?? []} problems={problems} edit={edit} />
        </section>
        {form && (
          <FormEditor
            key={selected}
            index={selected}
            form={form}
            definition={draft}
            problems={problems}
            edit={edit}
          />
        )}
      </div>
      <section aria-labelledby="builder-save">
        <h2 id="builder-save">{t('builder.save')}</h2>
        <p>{t('builder.saveNote')}</p>
        <button type="button" disabled={!dirty || busy || !live.ok} onClick={() => void check()}>
          {t('builder.check')}
        </button>
        <ErrorBox error={error} />
        {checked && (
          <>
            <AmendmentReport result={checked} />
            <TextField label={t('amend.reason')} value={reason} onChange={setReason} />
            <button type="button" disabled={!reason.trim() || busy} onClick={() => void apply()}>
              {t('builder.saveAs', { version: checked.toVersion })}
            </button>
          </>
        )}
      </section>
    </div>
  );
}

function FormEditor({
  index,
  form,
  definition,
  problems,
  edit,
}: {
  index: number;
  form: FormDefinition;
  definition: StudyDefinition;
  problems: readonly PathProblem[];
  edit: Edit;
}) {
  const at = `forms[${index}]`;
  const editForm = (change: (f: FormDefinition) => void) =>
    edit((d) => {
      change(d.forms[index]!);
    });
  const preview = itemFormsFor({ forms: [form], codeLists: definition.codeLists ?? [] }).get(form.id);
  const visitChoices = [
    ...definition.visits.map((v) => ({ code: v.code, label: v.label })),
    { code: 'UNSCHEDULED', label: t('builder.unscheduled') },
  ];
  return (
    <section aria-labelledby="builder-form" className="builder-form">
      <h2 id="builder-form">{t('builder.formTitle', { title: form.title || t('builder.untitled') })}</h2>
      <TextFieldAt
        label={t('builder.formCode')}
        value={form.id}
        onChange={(v) =>
          edit((d) => {
            const f = d.forms[index]!;
            // The form's edit checks follow its code.
            for (const c of d.editChecks ?? []) if (c.form === f.id) c.form = v;
            f.id = v;
          })
        }
        problems={problemsAt(problems, `${at}.id`)}
      />
      <TextFieldAt
        label={t('builder.formTitleField')}
        value={form.title}
        onChange={(v) =>
          editForm((f) => {
            f.title = v;
          })
        }
        problems={problemsAt(problems, `${at}.title`)}
      />
      <fieldset
        aria-describedby={
          problemsAt(problems, `${at}.visitCodes`, true).length ? 'visit-codes-err' : undefined
        }
      >
        <legend>{t('builder.visits')}</legend>
        {visitChoices.map((v) => (
          <label key={v.code} className="check">
            <input
              type="checkbox"
              checked={form.visitCodes.includes(v.code)}
              onChange={(e) =>
                editForm((f) => {
                  const chosen = new Set(f.visitCodes);
                  if (e.target.checked) chosen.add(v.code);
                  else chosen.delete(v.code);
                  // In the schedule's order.
                  f.visitCodes = visitChoices.map((c) => c.code).filter((c) => chosen.has(c));
                })
              }
            />{' '}
            {t('builder.visitOption', { code: v.code, label: v.label })}
          </label>
        ))}
        <Errors messages={problemsAt(problems, `${at}.visitCodes`, true)} id="visit-codes-err" />
      </fieldset>
      {form.items === undefined ? (
        <p>{t('builder.catalogForm')}</p>
      ) : (
        <>
          <h3>{t('builder.items')}</h3>
          {form.items.length === 0 && <p>{t('builder.noItems')}</p>}
          {form.items.map((item, j) => (
            <ItemEditor
              // biome-ignore lint/suspicious/noArrayIndexKey: a draft entry has no identity while edited (its code may be blank or repeated); its position is its path in the definition
              key={`${j}-${form.items!.length}`}
              at={`${at}.items[${j}]`}
              index={j}
              count={form.items!.length}
              item={item}
              codeLists={definition.codeLists ?? []}
              siblings={form.items!.map((x) => x.code).filter((c) => c && c !== item.code)}
              problems={problems}
              editItems={(change) =>
                editForm((f) => {
                  change(f.items!);
                })
              }
            />
          ))}
          <button
            type="button"
            onClick={() =>
              editForm((f) => {
                f.items!.push({ code: '', label: '', type: 'text' });
              })
            }
          >
            {t('builder.addItem')}
          </button>
        </>
      )}
      <EditChecksEditor
        form={form.id}
        items={(preview?.items ?? []).map((i) => ({ code: i.code, label: i.label, type: i.type }))}
        definition={definition}
        problems={problems}
        edit={edit}
      />
      <section aria-label={t('builder.preview')} className="preview">
        <h3>{t('builder.previewTitle')}</h3>
        {preview && preview.items.length > 0 ? (
          <CatalogForm
            def={preview}
            visitId=""
            readOnly={false}
            preview
            warningChecks={definition.editChecks ?? []}
            onSaved={() => {}}
            onReload={() => {}}
          />
        ) : (
          <p>{t('builder.nothingToPreview')}</p>
        )}
      </section>
    </section>
  );
}

function ItemEditor({
  at,
  index,
  count,
  item,
  codeLists,
  siblings,
  problems,
  editItems,
}: {
  at: string;
  index: number;
  count: number;
  item: DefinitionItem;
  codeLists: readonly CodeList[];
  /** The other items of the form, which branching logic may read. */
  siblings: readonly string[];
  problems: readonly PathProblem[];
  editItems(change: (items: DefinitionItem[]) => void): void;
}) {
  const set = (patch: Partial<DefinitionItem>) =>
    editItems((items) => {
      const next: DefinitionItem = { ...items[index]!, ...patch };
      // An absent field is left out, not stored as undefined (the definition is JSON).
      for (const k of Object.keys(next) as (keyof DefinitionItem)[])
        if (next[k] === undefined) delete next[k];
      items[index] = next;
    });
  const name = item.code || t('builder.itemN', { n: index + 1 });
  return (
    <fieldset className="builder-item" data-item={item.code}>
      <legend>
        {item.code
          ? t('builder.itemLegendCode', { n: index + 1, code: item.code })
          : t('builder.itemLegend', { n: index + 1 })}
      </legend>
      <Errors messages={problemsAt(problems, at)} id={`${at}-err`} />
      <TextFieldAt
        label={t('builder.itemCode')}
        value={item.code}
        onChange={(v) => set({ code: v })}
        problems={problemsAt(problems, `${at}.code`)}
      />
      <TextFieldAt
        label={t('builder.label')}
        value={item.label}
        onChange={(v) => set({ label: v })}
        problems={problemsAt(problems, `${at}.label`)}
      />
      <Field label={t('builder.type')} problems={problemsAt(problems, `${at}.type`)}>
        {(p) => (
          <select
            {...p}
            value={item.type}
            onChange={(e) => {
              const type = itemTypeSchema.parse(e.target.value);
              set({ type, ...(type === 'code' ? {} : { codeList: undefined }) });
            }}
          >
            {itemTypeSchema.options.map((type) => (
              <option key={type} value={type}>
                {TYPE_LABELS[type]()}
              </option>
            ))}
          </select>
        )}
      </Field>
      {item.type === 'code' && (
        <Field label={t('builder.codeList')} problems={problemsAt(problems, `${at}.codeList`)}>
          {(p) => (
            <select
              {...p}
              value={item.codeList ?? ''}
              onChange={(e) => set({ codeList: e.target.value || undefined })}
            >
              <option value="">{t('builder.chooseCodeList')}</option>
              {codeLists.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.label ? t('builder.codeListOption', { label: l.label, id: l.id }) : l.id}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <TextFieldAt
        label={t('builder.help')}
        value={item.help ?? ''}
        onChange={(v) => set({ help: v === '' ? undefined : v })}
        problems={problemsAt(problems, `${at}.help`)}
      />
      {(item.type === 'integer' || item.type === 'decimal') && (
        <>
          <ParsedField
            label={t('builder.units')}
            value={item.units}
            format={(u) => (u ?? []).join(', ')}
            parse={parseUnits}
            onChange={(units) => set({ units })}
            problems={problemsAt(problems, `${at}.units`, true)}
          />
          <ParsedField
            label={t('builder.min')}
            inputMode="decimal"
            value={item.min}
            format={(n) => (n === undefined ? '' : String(n))}
            parse={parseNumber}
            onChange={(min) => set({ min })}
            problems={problemsAt(problems, `${at}.min`)}
          />
          <ParsedField
            label={t('builder.max')}
            inputMode="decimal"
            value={item.max}
            format={(n) => (n === undefined ? '' : String(n))}
            parse={parseNumber}
            onChange={(max) => set({ max })}
            problems={problemsAt(problems, `${at}.max`)}
          />
        </>
      )}
      <label className="check">
        <input
          type="checkbox"
          checked={item.required === true}
          onChange={(e) => set({ required: e.target.checked ? true : undefined })}
        />{' '}
        {t('builder.required')}
      </label>
      <fieldset className="builder-missing">
        <legend>{t('builder.missingCodes', { name })}</legend>
        {missingDataCodeSchema.options.map((code) => (
          <label className="check" key={code}>
            <input
              type="checkbox"
              checked={item.missingCodes?.includes(code) === true}
              onChange={(e) => {
                const next = missingDataCodeSchema.options.filter((c) =>
                  c === code ? e.target.checked : item.missingCodes?.includes(c),
                );
                set({ missingCodes: next.length ? next : undefined });
              }}
            />{' '}
            {t('builder.missingCode', { code })}
          </label>
        ))}
        <Errors messages={problemsAt(problems, `${at}.missingCodes`, true)} id={`${at}-missing-err`} />
      </fieldset>
      <ShowIfEditor
        name={name}
        at={`${at}.showIf`}
        showIf={item.showIf}
        siblings={siblings}
        problems={problems}
        onChange={(showIf) => set({ showIf })}
      />
      <div className="actions">
        <button
          type="button"
          aria-label={t('builder.moveItemUp', { name })}
          disabled={index === 0}
          onClick={() => editItems((items) => move(items, index, -1))}
        >
          {t('builder.up')}
        </button>
        <button
          type="button"
          aria-label={t('builder.moveItemDown', { name })}
          disabled={index === count - 1}
          onClick={() => editItems((items) => move(items, index, 1))}
        >
          {t('builder.down')}
        </button>
        <button
          type="button"
          aria-label={t('builder.removeItem', { name })}
          onClick={() => editItems((items) => void items.splice(index, 1))}
        >
          {t('builder.remove')}
        </button>
      </div>
    </fieldset>
  );
}

/**
 * Branching logic of one item: shown only while another item of the form has a value (`is`, the
 * form REDCap's `[field] = 'value'` maps to). A condition of another shape (imported: and/or, "is
 * not") is shown in words and can be removed, not edited here.
 */
function ShowIfEditor({
  name,
  at,
  showIf,
  siblings,
  problems,
  onChange,
}: {
  name: string;
  at: string;
  showIf: DefinitionItem['showIf'];
  siblings: readonly string[];
  problems: readonly PathProblem[];
  onChange(showIf: DefinitionItem['showIf']): void;
}) {
  const simple = showIf === undefined || showIf.op === 'is';
  const item = showIf?.op === 'is' ? showIf.item : '';
  const value = showIf?.op === 'is' ? showIf.value : '';
  return (
    <fieldset className="builder-showif">
      <legend>{t('builder.branching', { name })}</legend>
      {simple ? (
        <>
          <Field label={t('builder.askWhen', { name })} problems={problemsAt(problems, `${at}.item`)}>
            {(p) => (
              <select
                {...p}
                value={item}
                onChange={(e) =>
                  onChange(e.target.value ? { op: 'is', item: e.target.value, value } : undefined)
                }
              >
                <option value="">{t('builder.alwaysAsked')}</option>
                {[...new Set(item && !siblings.includes(item) ? [item, ...siblings] : siblings)].map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {item && (
            <TextFieldAt
              label={t('builder.hasValue', { name })}
              value={value}
              onChange={(v) => onChange({ op: 'is', item, value: v })}
              problems={problemsAt(problems, `${at}.value`)}
            />
          )}
        </>
      ) : (
        <p>
          {t('builder.askedOnlyWhen', { condition: showIfText(showIf) })}{' '}
          <button type="button" onClick={() => onChange(undefined)}>
            {t('builder.removeCondition', { name })}
          </button>
        </p>
      )}
      <Errors messages={problemsAt(problems, at, !simple)} id={`${at}-err`} />
    </fieldset>
  );
}

function CodeListsEditor({
  codeLists,
  problems,
  edit,
}: {
  codeLists: readonly CodeList[];
  problems: readonly PathProblem[];
  edit: Edit;
}) {
  const editList = (
    k: number,
    change: (l: { id: string; label?: string; codes: { code: string; label: string }[] }) => void,
  ) =>
    edit((d) => {
      const l = d.codeLists![k]!;
      const codes = [...l.codes];
      const copy = { ...l, codes };
      change(copy);
      if (copy.label === undefined || copy.label === '') delete copy.label;
      d.codeLists![k] = copy;
    });
  return (
    <section aria-labelledby="builder-codelists">
      <h2 id="builder-codelists">{t('builder.codeLists')}</h2>
      {codeLists.map((l, k) => {
        const at = `codeLists[${k}]`;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: a draft entry has no identity while edited (its code may be blank or repeated); its position is its path in the definition
          <fieldset key={`${k}-${codeLists.length}`} className="builder-codelist">
            <legend>{t('builder.codeListLegend', { list: l.id || k + 1 })}</legend>
            <Errors messages={problemsAt(problems, at)} id={`${at}-err`} />
            <TextFieldAt
              label={t('builder.codeListId')}
              value={l.id}
              onChange={(v) =>
                editList(k, (x) => {
                  x.id = v;
                })
              }
              problems={problemsAt(problems, `${at}.id`)}
            />
            <TextFieldAt
              label={t('builder.codeListLabel')}
              value={l.label ?? ''}
              onChange={(v) =>
                editList(k, (x) => {
                  x.label = v;
                })
              }
              problems={problemsAt(problems, `${at}.label`)}
            />
            <Errors messages={problemsAt(problems, `${at}.codes`)} id={`${at}-codes-err`} />
            {l.codes.map((c, m) => (
              <fieldset
                // biome-ignore lint/suspicious/noArrayIndexKey: a draft entry has no identity while edited (its code may be blank or repeated); its position is its path in the definition
                key={`${m}-${l.codes.length}`}
                className="code-row"
              >
                <legend>{t('builder.codeLegend', { n: m + 1, list: l.id || t('builder.theList') })}</legend>
                <TextFieldAt
                  label={t('builder.code')}
                  value={c.code}
                  onChange={(v) =>
                    editList(k, (x) => {
                      x.codes[m] = { ...x.codes[m]!, code: v };
                    })
                  }
                  problems={problemsAt(problems, `${at}.codes[${m}].code`)}
                />
                <TextFieldAt
                  label={t('builder.codeLabel')}
                  value={c.label}
                  onChange={(v) =>
                    editList(k, (x) => {
                      x.codes[m] = { ...x.codes[m]!, label: v };
                    })
                  }
                  problems={problemsAt(problems, `${at}.codes[${m}].label`)}
                />
                <button
                  type="button"
                  aria-label={t('builder.removeCode', { code: c.code || m + 1 })}
                  onClick={() => editList(k, (x) => void x.codes.splice(m, 1))}
                >
                  {t('builder.remove')}
                </button>
              </fieldset>
            ))}
            <button
              type="button"
              onClick={() => editList(k, (x) => void x.codes.push({ code: '', label: '' }))}
            >
              {t('builder.addCode', { list: l.id || t('builder.theList') })}
            </button>{' '}
            <button
              type="button"
              onClick={() =>
                edit((d) => {
                  d.codeLists!.splice(k, 1);
                  if (d.codeLists!.length === 0) delete d.codeLists;
                })
              }
            >
              {t('builder.removeCodeList', { list: l.id || k + 1 })}
            </button>
          </fieldset>
        );
      })}
      <button
        type="button"
        onClick={() =>
          edit((d) => {
            d.codeLists = [...(d.codeLists ?? []), { id: '', codes: [{ code: '', label: '' }] }];
          })
        }
      >
        {t('builder.addCodeList')}
      </button>
    </section>
  );
}
