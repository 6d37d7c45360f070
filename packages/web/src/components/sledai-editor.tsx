// The SLEDAI-2K CRF: 24 descriptors with their definitions as help text, each with its own
// attribution control ("present but not due to SLE", never pre-ticked; endpoints.md Clarification 5),
// the score and its trace computed live by the same core function the server and the analysis use
// (@msct/core/crf), from the ticked descriptors, the labs and the temperature already entered at this
// visit (lab- and measurement-derived descriptors, fever from the temperature).
import {
  deriveVisitScores,
  explain,
  SLEDAI2K_DESCRIPTOR_ITEMS,
  SLEDAI2K_FORM,
  type VisitItems,
} from '@msct/core/crf';
import { type Sledai2kDescriptorId, sledai2kAttributionItemCode } from '@msct/core/instruments';
import { type FormEvent, useId, useState } from 'react';
import { api } from '../api/client.js';
import { fieldErrors } from '../api/problem.js';
import type { Form, VisitWithForms } from '../api/types.js';
import { useUnsavedWarning } from '../hooks/use-unsaved-warning.js';
import { t } from '../i18n/index.js';
import { ChangeReasonAndError } from './change-reason.js';

export const SLEDAI_FORM_CODE = SLEDAI2K_FORM.formCode;

/**
 * Per item: '1' ticked, '0' stored absent (e.g. an import or the demo: 0 means absent), null not
 * recorded. Descriptor items and their attribution items `<id>_not_sle` alike.
 */
type Entry = '1' | '0' | null;
const attributionCode = (code: string) => sledai2kAttributionItemCode(code as Sledai2kDescriptorId);
const ATTRIBUTION_CODES = new Set(SLEDAI2K_DESCRIPTOR_ITEMS.map((d) => attributionCode(d.code)));
function visitItems(visit: VisitWithForms, sledai: Record<string, Entry>): VisitItems {
  const out: Record<string, Record<string, { value: string | null; unit: string | null }>> = {};
  for (const f of visit.forms)
    out[f.formCode] = Object.fromEntries(f.items.map((i) => [i.itemCode, { value: i.value, unit: i.unit }]));
  out[SLEDAI_FORM_CODE] = Object.fromEntries(
    SLEDAI2K_FORM.items.map((d) => [d.code, { value: sledai[d.code] ?? null, unit: null }]),
  );
  return out;
}

export function SledaiEditor({
  visit,
  form,
  readOnly,
  onSaved,
  onReload,
}: {
  visit: VisitWithForms;
  form?: Form;
  readOnly: boolean;
  onSaved(): void;
  onReload(): void;
}) {
  const saved = Object.fromEntries((form?.items ?? []).map((i) => [i.itemCode, i]));
  const savedEntry = (code: string): Entry => {
    const v = saved[code]?.value?.trim();
    return v === '1' || v === '0' ? v : null;
  };
  const [entries, setEntries] = useState<Record<string, Entry>>(() =>
    Object.fromEntries(SLEDAI2K_FORM.items.map((d) => [d.code, savedEntry(d.code)])),
  );
  // Unticking gives back what was stored when that meant absent (0), so it is not a change.
  const set = (code: string, ticked: boolean) =>
    setEntries({ ...entries, [code]: ticked ? '1' : savedEntry(code) === '0' ? '0' : null });
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const formId = useId();

  // First entry records every descriptor (null = not present) and the attributions ticked; later
  // saves send what changed.
  const changed = SLEDAI2K_FORM.items.filter((d) =>
    form
      ? savedEntry(d.code) !== (entries[d.code] ?? null)
      : !ATTRIBUTION_CODES.has(d.code) || entries[d.code] !== null,
  );
  const needsReason = changed.some((d) => savedEntry(d.code) !== null);
  useUnsavedWarning(!!form && changed.length > 0);

  const sledai = deriveVisitScores(visitItems(visit, entries), { trace: true }).sledai;
  const trace = explain(sledai);
  // Descriptors a lab or measurement rule makes positive at this visit (shown beside the descriptor).
  const derived = new Set(
    sledai?.ok
      ? sledai.trace.filter((t) => t.source === 'derived' || t.source === 'excluded').map((t) => t.item)
      : [],
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api.put('/api/visits/:visitId/forms/:formCode', {
        params: { visitId: visit.id, formCode: SLEDAI_FORM_CODE },
        body: {
          items: changed.map((d) => ({
            itemCode: d.code,
            value: entries[d.code] ?? null,
            ...(saved[d.code] ? { version: saved[d.code]!.version } : {}),
          })),
          ...(needsReason && reason.trim() ? { reason } : {}),
        },
      });
      setReason('');
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  const errs = fieldErrors(error);

  return (
    <div className="sledai">
      <form id={formId} onSubmit={submit} noValidate />
      <div className="score-box" role="status" aria-live="polite">
        {sledai?.ok ? (
          <>
            <span className="score" data-testid="sledai-score">
              {t('sledaiEditor.score', { score: sledai.value.score })}
            </span>{' '}
            <span>
              {t('sledaiEditor.clinical', {
                clinical: sledai.value.clinicalScore,
                days: sledai.value.windowDays,
              })}
            </span>
          </>
        ) : (
          <span>{t('sledaiEditor.notYet')}</span>
        )}
        <ul className="trace" aria-label={t('sledaiEditor.trace')}>
          {trace.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </div>
      <fieldset className="descriptors" disabled={readOnly}>
        <legend>{t('sledaiEditor.legend')}</legend>
        {SLEDAI2K_DESCRIPTOR_ITEMS.map((d) => {
          const not = attributionCode(d.code);
          return (
            <div key={d.code} className="descriptor">
              <label>
                <input
                  type="checkbox"
                  form={formId}
                  checked={entries[d.code] === '1'}
                  aria-describedby={`${formId}-${d.code}-help`}
                  onChange={(e) => set(d.code, e.target.checked)}
                />{' '}
                {d.label}
              </label>
              {derived.has(d.code) && entries[d.code] !== '1' && (
                <span className="derived-note">{t('sledaiEditor.derived')}</span>
              )}
              <label className="not-sle">
                <input
                  type="checkbox"
                  form={formId}
                  checked={entries[not] === '1'}
                  onChange={(e) => set(not, e.target.checked)}
                />{' '}
                {t('sledaiEditor.notSle', { label: d.label.replace(/^\d+\. /, '').replace(/ \(\d+\)$/, '') })}
              </label>
              <small id={`${formId}-${d.code}-help`} className="help">
                {d.help}
              </small>
              {errs[d.code] && <span className="field-error">{errs[d.code]}</span>}
              {errs[not] && <span className="field-error">{errs[not]}</span>}
            </div>
          );
        })}
      </fieldset>
      <ChangeReasonAndError
        formId={formId}
        show={needsReason && !readOnly}
        reason={reason}
        onReason={setReason}
        reasonError={errs.reason}
        error={error}
        onReload={onReload}
      />
      {!readOnly && (
        <button type="submit" form={formId} disabled={changed.length === 0}>
          {t('sledaiEditor.save')}
        </button>
      )}
    </div>
  );
}
