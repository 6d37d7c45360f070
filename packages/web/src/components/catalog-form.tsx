// A CRF rendered from its item definitions (@msct/core/crf): each item with its label, unit(s),
// plausible range and help; values checked as they are typed by the same checkItemValue the server
// runs, and the server's own messages shown at the field after a save. A live panel (score, trace,
// checklist) can be rendered from the draft by the caller.
import {
  checkItemValue,
  type FormDefinitionItems,
  formatReferenceRange,
  type ItemDefinition,
  isMissingCode,
  isOutOfRange,
  type LabValueFlag,
  labFlagsOfForm,
  labSampleDate,
  type RawItem,
  showIfHolds,
} from '@msct/core/crf';
import { type EditCheck, evaluateEditCheck, type LabReferenceRange } from '@msct/core/protocol';
import {
  type FormEvent,
  Fragment,
  type KeyboardEvent,
  type ReactNode,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';
import { api } from '../api/client.js';
import { fieldErrors } from '../api/problem.js';
import type { Form, Item } from '../api/types.js';
import { useUnsavedWarning } from '../hooks/use-unsaved-warning.js';
import { t } from '../i18n/index.js';
import { DATE_PATTERN } from '../lib/dates.js';
import { ChangeReasonAndError } from './change-reason.js';
import { isNextFormShortcut, SaveAndNextButton } from './next-form.js';

/** A field as typed: its value and unit, or a missing-data code (ND/NK/NA, '' for none) in their place. */
type Edit = { value: string; unit: string; missing: string };
export type Draft = Record<string, RawItem>;

/** What picks the reference ranges of a lab form's values: the definition's ranges, site, sex, visit date. */
export interface LabContext {
  ranges: readonly LabReferenceRange[];
  centre: string | null;
  sex: string | null;
  visitDate: string | null;
}

/** A group of items shown as its own fieldset (e.g. one BILAG-2004 system), with a legend. */
export interface ItemGroup {
  id: string;
  legend: string;
  codes: readonly string[];
}

const initial = (def: ItemDefinition, saved: Item | undefined): Edit => ({
  value: saved?.value ?? '',
  unit: saved?.unit ?? def.units?.[0] ?? '',
  missing: saved?.missingCode ?? '',
});

/** A reference-limit item (the testing lab's lower / upper limit of normal of the item before it). */
const isRefLimit = (code: string) => /_(lln|uln)$/.test(code);

export function CatalogForm({
  def,
  visitId,
  form,
  readOnly,
  onSaved,
  onReload,
  renderLive,
  hideItem,
  groups,
  renderGroup,
  renderItemExtras,
  preview,
  warningChecks,
  labs,
  record,
  onSaveAndNext,
}: {
  /** A repeating form's record this form saves (default: the saved form's, else 1). */
  record?: number | undefined;
  /** "Save and go to the next form" (button and Alt+Shift+N): called after a successful save. */
  onSaveAndNext?: (() => void) | undefined;
  /** Lab reference ranges: each value's flag is shown beside it as it is typed (issue #22). */
  labs?: LabContext | undefined;
  def: FormDefinitionItems;
  visitId: string;
  /** The saved form; undefined while nothing is saved yet. */
  form?: Form;
  readOnly: boolean;
  onSaved(): void;
  onReload(): void;
  /** Rendered above the items from the current draft (saved values with the user's edits). */
  renderLive?(draft: Draft, setValue: (code: string, value: string) => void, readOnly: boolean): ReactNode;
  /** Items entered elsewhere (e.g. in the live panel) rather than in the item list. */
  hideItem?(code: string): boolean;
  /** Items shown in a fieldset per group, in the groups' order; items in no group follow. */
  groups?: readonly ItemGroup[];
  /** Rendered at the top of a group's fieldset from the current draft (e.g. the group's live grade). */
  renderGroup?(groupId: string, draft: Draft): ReactNode;
  /** Rendered beside an item's field (its queries: the marker and the threads). */
  renderItemExtras?(code: string): ReactNode;
  /** A preview (the form builder): values are checked as typed, nothing is saved. */
  preview?: boolean;
  /**
   * The definition's edit checks of severity `warning` on this form: evaluated on the draft as it is
   * typed and shown at their item as a warning, which never blocks a save (a `query` check raises a
   * system query on save instead, store/repositories/edit-check-queries.ts).
   */
  warningChecks?: readonly EditCheck[];
}) {
  const saved = new Map((form?.items ?? []).map((i) => [i.itemCode, i]));
  const [edits, setEdits] = useState<Record<string, Edit>>({});
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const formId = useId();
  // Set by the "Save and go to the next form" button or shortcut just before the form is submitted.
  const nextAfterSave = useRef(false);

  const current = (d: ItemDefinition): Edit => edits[d.code] ?? initial(d, saved.get(d.code));
  const set = (d: ItemDefinition, patch: Partial<Edit>) =>
    setEdits((all) => ({
      ...all,
      [d.code]: { ...(all[d.code] ?? initial(d, saved.get(d.code))), ...patch },
    }));
  const setValue = (code: string, value: string) => {
    const d = def.items.find((i) => i.code === code);
    if (d) set(d, { value });
  };

  const changed = def.items.filter((d) => {
    const e = edits[d.code];
    if (!e) return false;
    const s = saved.get(d.code);
    const before = initial(d, s);
    if (e.value !== before.value || e.missing !== before.missing) return true;
    // A unit change matters only when there is a value to qualify.
    return e.value !== '' && e.unit !== before.unit;
  });
  const needsReason = changed.some((d) => {
    const s = saved.get(d.code);
    return (s?.value ?? null) !== null || (s?.missingCode ?? null) !== null;
  });
  useUnsavedWarning(!preview && changed.length > 0);

  const sent = changed.map((d) => {
    const e = edits[d.code]!;
    const s = saved.get(d.code);
    // A missing-data code stands in place of the value: neither value nor unit is sent with it.
    const missingCode = isMissingCode(e.missing) ? e.missing : null;
    return {
      itemCode: d.code,
      value: missingCode || e.value.trim() === '' ? null : e.value.trim(),
      unit: !missingCode && d.units && d.units.length > 0 && e.value.trim() !== '' ? e.unit || null : null,
      ...(missingCode ? { missingCode } : {}),
      ...(s ? { version: s.version } : {}),
    };
  });

  const draft: Draft = Object.fromEntries(
    def.items.map((d) => {
      const e = current(d);
      // An item marked ND/NK/NA is missing to every score and check (never zero).
      if (e.missing) return [d.code, { value: null, unit: null }];
      return [
        d.code,
        { value: e.value.trim() === '' ? null : e.value.trim(), unit: e.value ? e.unit || null : null },
      ];
    }),
  );

  const errs = fieldErrors(error);
  const fieldError = (d: ItemDefinition): string | undefined => {
    const idx = sent.findIndex((s) => s.itemCode === d.code);
    const server = Object.entries(errs)
      .filter(([k]) => k === d.code || (idx >= 0 && k.startsWith(`items.${idx}.`)))
      .map(([, m]) => m);
    if (server.length) return server.join('; ');
    const e = current(d);
    if (e.missing || e.value.trim() === '') return undefined;
    return checkItemValue(def, d.code, e.value.trim(), d.units?.length ? e.unit || null : null)?.message;
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const next = nextAfterSave.current;
    nextAfterSave.current = false;
    if (preview) return;
    if (sent.length === 0) {
      // Nothing to save: "save and next" just moves on.
      if (next) onSaveAndNext?.();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const saveRecord = record ?? form?.record ?? 1;
      await api.put('/api/visits/:visitId/forms/:formCode', {
        params: { visitId, formCode: def.formCode },
        // A repeating form's record after the first (issues #20, #23); the server refuses it elsewhere.
        ...(saveRecord > 1 ? { query: { record: saveRecord } } : {}),
        body: {
          items: sent,
          ...(needsReason && reason.trim() ? { reason } : {}),
        },
      });
      setEdits({});
      setReason('');
      onSaved();
      if (next) onSaveAndNext?.();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  // Branching logic (the definition's showIf, core crf/show-if.ts): an item is shown while its
  // condition holds on the draft; one that still holds a value is shown so that it can be cleared
  // (the server refuses a value for a hidden item).
  const draftValues = new Map(Object.entries(draft).map(([code, v]) => [code, v.value]));
  const visible = (d: ItemDefinition) => {
    if (!d.showIf || showIfHolds(d.showIf, draftValues)) return true;
    const e = current(d);
    return e.value.trim() !== '' || e.missing !== '';
  };
  // Each lab value's flag against the range in force (site, sex, sample date), live from the draft;
  // a clinical-significance item is asked beside its lab while the value is out of range (or answered).
  const draftItems = Object.entries(draft).map(([itemCode, r]) => ({ itemCode, ...r }));
  const flags = new Map<string, LabValueFlag>(
    labs
      ? labFlagsOfForm(def, labs.ranges, draftItems, {
          centre: labs.centre,
          sex: labs.sex,
          date: labSampleDate(draftItems, labs.visitDate),
        }).map((f) => [f.itemCode, f])
      : [],
  );
  const significanceOf = new Map(def.items.flatMap((d) => (d.significanceOf ? [[d.significanceOf, d]] : [])));
  const outOfRange = (labCode: string) => {
    const f = flags.get(labCode);
    return f !== undefined && isOutOfRange(f.flag);
  };
  const asked = (d: ItemDefinition) => {
    if (!d.significanceOf) return true;
    const e = current(d);
    return outOfRange(d.significanceOf) || e.value !== '' || e.missing !== '';
  };
  // Significance items follow their lab, wherever the definition lists them.
  const ordered = def.items.flatMap((d) => {
    if (d.significanceOf && def.items.some((x) => x.code === d.significanceOf)) return [];
    const s = significanceOf.get(d.code);
    return s ? [d, s] : [d];
  });
  const shown = ordered.filter((d) => !hideItem?.(d.code) && visible(d) && asked(d));
  const grouped = new Set((groups ?? []).flatMap((g) => g.codes));
  // Warning checks on the draft (cross-visit ones need another visit's values: left to the server).
  const warningAt = new Map<string, string[]>();
  for (const c of warningChecks ?? []) {
    if (c.severity !== 'warning' || c.form !== def.formCode || c.rule.kind === 'cross-visit') continue;
    const o = evaluateEditCheck(c, draft);
    if (o.status !== 'fail') continue;
    warningAt.set(o.item, [...(warningAt.get(o.item) ?? []), `${c.message} (${o.detail})`]);
  }
  const input = (d: ItemDefinition) => (
    <ItemInput
      key={d.code}
      def={d}
      formId={formId}
      edit={current(d)}
      warning={warningAt.get(d.code)?.join('; ')}
      error={fieldError(d)}
      onChange={(patch) => set(d, patch)}
      extras={renderItemExtras?.(d.code)}
      readOnly={readOnly}
      flag={flags.get(d.code)}
      requiredNow={
        d.significanceOf !== undefined &&
        outOfRange(d.significanceOf) &&
        current(d).value === '' &&
        current(d).missing === ''
      }
    />
  );

  // After a refused save, focus goes to the first field that says what is wrong (keyboard users
  // and screen readers land on the message, issue 22).
  useEffect(() => {
    if (!error) return;
    const first = document.querySelector<HTMLElement>(`[form="${formId}"][aria-invalid="true"]`);
    first?.focus();
  }, [error, formId]);
  // Ctrl+S (Cmd+S on a Mac) saves this form while focus is in it, instead of the browser's "save page".
  const saveShortcut = (e: KeyboardEvent) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 's') {
      e.preventDefault();
      if (!readOnly && !preview) (document.getElementById(formId) as HTMLFormElement | null)?.requestSubmit();
    } else if (onSaveAndNext && isNextFormShortcut(e)) {
      e.preventDefault();
      if (readOnly || preview || busy) return;
      nextAfterSave.current = true;
      (document.getElementById(formId) as HTMLFormElement | null)?.requestSubmit();
    }
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: catches Ctrl+S bubbling from the form's own inputs; no role of its own
    <div className="catalog-form" onKeyDown={saveShortcut}>
      <form
        id={formId}
        onSubmit={submit}
        noValidate
        aria-label={t('catalogForm.entry', { title: def.title })}
      />
      {renderLive?.(draft, setValue, readOnly)}
      {/* Each input is disabled when read-only, not the fieldset: the query buttons beside a field stay usable. */}
      <fieldset aria-label={t('catalogForm.items', { title: def.title })}>
        <legend>{def.title}</legend>
        {groups?.map((g) => {
          const codes = new Set(g.codes);
          return (
            <fieldset key={g.id} className="item-group" data-group={g.id}>
              <legend>{g.legend}</legend>
              {renderGroup?.(g.id, draft)}
              {shown.filter((d) => codes.has(d.code)).map(input)}
            </fieldset>
          );
        })}
        {shown.filter((d) => !grouped.has(d.code)).map(input)}
      </fieldset>
      <ChangeReasonAndError
        formId={formId}
        show={needsReason && !readOnly}
        reason={reason}
        onReason={setReason}
        reasonError={errs.reason}
        error={error}
        onReload={onReload}
        atFields
      />
      {!readOnly && !preview && (
        <button type="submit" form={formId} disabled={busy || sent.length === 0}>
          {t('catalogForm.save', { title: def.title })}
        </button>
      )}
      {!readOnly && !preview && onSaveAndNext && (
        <SaveAndNextButton formId={formId} disabled={busy} onClick={() => (nextAfterSave.current = true)} />
      )}
      {!readOnly && !preview && (
        <p className="field-hint">
          <kbd>{t('catalogForm.keyCtrl')}</kbd>+<kbd>{t('catalogForm.keyS')}</kbd> {t('catalogForm.ctrlS')}
        </p>
      )}
    </div>
  );
}

function rangeText(d: ItemDefinition): string | undefined {
  // A lower bound alone (0 for counts and doses) says nothing worth the space.
  if (d.max === undefined) return undefined;
  const unit = d.units?.[0] ? ` ${d.units[0]}` : '';
  return t('catalogForm.plausible', { min: d.min ?? '…', max: d.max ?? '…', unit });
}

function ItemInput({
  def,
  formId,
  edit,
  error,
  warning,
  onChange,
  extras,
  readOnly,
  flag,
  requiredNow,
}: {
  /** The value's flag against its reference range, when it has one. */
  flag?: LabValueFlag | undefined;
  /** A clinical-significance answer the out-of-range value still needs. */
  requiredNow?: boolean;
  def: ItemDefinition;
  formId: string;
  edit: Edit;
  error: string | undefined;
  /** A warning-severity edit check that fails on the draft: said, never blocking. */
  warning?: string | undefined;
  onChange(patch: Partial<Edit>): void;
  extras?: ReactNode;
  readOnly: boolean;
}) {
  const id = useId();
  // Each part its own text (a catalogue message, the definition's help, the range), joined by ' · '.
  const helpParts = [requiredNow ? t('catalogForm.requiredNow') : undefined, def.help, rangeText(def)].filter(
    (p): p is string => Boolean(p),
  );
  const help = helpParts.length > 0;
  const describedBy =
    [help ? `${id}-help` : '', error ? `${id}-err` : '', warning ? `${id}-warn` : '']
      .filter(Boolean)
      .join(' ') || undefined;
  const common = {
    id,
    form: formId,
    // A field marked not done / not known / not applicable holds no value.
    disabled: readOnly || edit.missing !== '',
    'aria-describedby': describedBy,
    'aria-invalid': error ? true : undefined,
  } as const;
  let input: ReactNode;
  switch (def.type) {
    case 'boolean':
      input = (
        <select {...common} value={edit.value} onChange={(e) => onChange({ value: e.target.value })}>
          <option value="">{t('catalogForm.notRecorded')}</option>
          <option value="1">{t('catalogForm.yes')}</option>
          <option value="0">{t('catalogForm.no')}</option>
        </select>
      );
      break;
    case 'code':
      input = (
        <select {...common} value={edit.value} onChange={(e) => onChange({ value: e.target.value })}>
          <option value="">{t('catalogForm.notRecorded')}</option>
          {def.codes?.map((c) => (
            <option key={c.code} value={c.code}>
              {c.label}
            </option>
          ))}
        </select>
      );
      break;
    case 'date':
      input = (
        // Written YYYY-MM-DD whatever the browser's language (lib/dates.ts); the server checks it.
        <input
          {...common}
          type="text"
          pattern={DATE_PATTERN}
          placeholder={t('field.hintDate')}
          size={11}
          autoComplete="off"
          value={edit.value}
          onChange={(e) => onChange({ value: e.target.value })}
        />
      );
      break;
    case 'text':
      input = (
        <input
          {...common}
          type="text"
          size={40}
          value={edit.value}
          onChange={(e) => onChange({ value: e.target.value })}
        />
      );
      break;
    default:
      input = (
        <input
          {...common}
          type="text"
          inputMode={def.type === 'integer' ? 'numeric' : 'decimal'}
          size={8}
          value={edit.value}
          onChange={(e) => onChange({ value: e.target.value })}
        />
      );
  }
  const units = def.units ?? [];
  return (
    <div className={`item-row${isRefLimit(def.code) ? ' ref-limit' : ''}`} data-item={def.code}>
      <label htmlFor={id}>{def.label}</label>
      <div className="item-input">
        {input}
        {units.length > 1 ? (
          <select
            form={formId}
            disabled={readOnly}
            aria-label={t('catalogForm.unitOf', { label: def.label })}
            value={edit.unit}
            onChange={(e) => onChange({ unit: e.target.value })}
          >
            {units.map((u) => (
              <option key={u} value={u}>
                {u}
              </option>
            ))}
          </select>
        ) : units.length === 1 ? (
          <span className="unit">{units[0]}</span>
        ) : null}
        {flag && (
          <span className="lab-flag-note" data-testid={`lab-flag-${def.code}`}>
            <span className={`lab-flag flag-${flag.flag}`}>
              {t('catalogForm.flagLetter', { flag: flag.flag })}
            </span>{' '}
            {t('catalogForm.flagWords', { flag: flag.flag })}{' '}
            {t('catalogForm.reference', { range: formatReferenceRange(flag.range) })}
            {flag.range.centre ? ` ${t('catalogForm.siteLab')}` : ''}
            {flag.valueInRangeUnit !== undefined &&
              ` · ${flag.value} ${flag.unit ?? ''} = ${flag.valueInRangeUnit} ${flag.range.unit}`}
          </span>
        )}
        {def.missingCodes && def.missingCodes.length > 0 && (
          <select
            form={formId}
            className="missing-code"
            disabled={readOnly}
            aria-label={t('catalogForm.missingOf', { label: def.label })}
            value={edit.missing}
            onChange={(e) => onChange({ missing: e.target.value })}
          >
            <option value="">{t('catalogForm.value')}</option>
            {def.missingCodes.map((c) => (
              <option key={c} value={c}>
                {t('catalogForm.missingCode', { code: c })}
              </option>
            ))}
          </select>
        )}
        {error && (
          <span id={`${id}-err`} className="field-error" role="alert">
            {error}
          </span>
        )}
        {warning && !error && (
          <span id={`${id}-warn`} className="field-warning" role="status">
            {t('catalogForm.warning', { warning })}
          </span>
        )}
      </div>
      {help && (
        <small id={`${id}-help`} className="help">
          {helpParts.map((p, i) => (
            <Fragment key={p}>
              {i > 0 && ' · '}
              {p}
            </Fragment>
          ))}
        </small>
      )}
      {extras}
    </div>
  );
}
