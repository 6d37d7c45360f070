// The adverse event form: a new report, or a change to a reported event (every field, with a reason
// for change and the version read, so a concurrent change is a conflict, never lost). The SAE dates
// and narrative appear once a seriousness criterion is ticked.
import { AE_OUTCOMES, RELATEDNESS, SERIOUSNESS } from '@msct/contract';
import { useState } from 'react';
import { api } from '../api/client.js';
import type { BodyOf } from '../api/types.js';
import { useSubmit } from '../hooks/use-submit.js';
import { t } from '../i18n/index.js';
import { fromUtcInput, toUtcInput } from '../lib/dates.js';
import { ChangeReasonAndError } from './change-reason.js';
import { ErrorBox } from './error-box.js';
import { SelectField, TextField } from './text-field.js';

type NewAe = BodyOf<'POST', '/api/subjects/:subjectId/adverse-events'>;
export type AeRecord = Awaited<ReturnType<typeof listAes>>[number];
const listAes = (subjectId: string) =>
  api.get('/api/subjects/:subjectId/adverse-events', { params: { subjectId } });

/** A vocabulary code in words (its English is the code's words; a translation names each code in `code.words`). */
const label = (code: string) => t('code.words', { code, words: code.replaceAll('_', ' ') });
/** An instant as the value of a datetime-local input (UTC, minutes), and back. */
const toLocalInput = toUtcInput;
const fromLocalInput = fromUtcInput;

interface Props {
  subjectId: string;
  /** The event being changed; absent for a new report. */
  editing?: AeRecord;
  onSaved(): void;
  onCancel?(): void;
  onReload?(): void;
}

export function AeForm({ subjectId, editing, onSaved, onCancel, onReload }: Props) {
  const e = editing;
  const [term, setTerm] = useState(e?.term ?? '');
  const [onsetDate, setOnsetDate] = useState(e?.onsetDate ?? '');
  const [resolutionDate, setResolutionDate] = useState(e?.resolutionDate ?? '');
  const [grade, setGrade] = useState(e?.ctcaeGrade ? String(e.ctcaeGrade) : '');
  const [relatedness, setRelatedness] = useState(e?.relatedness ?? 'not_related');
  const [outcome, setOutcome] = useState(e?.outcome ?? '');
  const [actionTaken, setActionTaken] = useState(e?.actionTaken ?? '');
  const [seriousness, setSeriousness] = useState<string[]>(e?.seriousness ?? []);
  const [seriousDate, setSeriousDate] = useState(e?.seriousDate ?? '');
  const [siteAwareAt, setSiteAwareAt] = useState(toLocalInput(e?.siteAwareAt ?? null));
  const [sponsorNotifiedAt, setSponsorNotifiedAt] = useState(toLocalInput(e?.sponsorNotifiedAt ?? null));
  const [narrative, setNarrative] = useState(e?.narrative ?? '');
  const [reason, setReason] = useState('');
  const serious = seriousness.length > 0;
  const fields = {
    term,
    onsetDate,
    resolutionDate: resolutionDate || null,
    ctcaeGrade: grade ? Number(grade) : null,
    relatedness: relatedness as NewAe['relatedness'],
    outcome: (outcome || null) as NewAe['outcome'],
    actionTaken: actionTaken || null,
    seriousness: seriousness as NewAe['seriousness'],
    // The SAE detail is sent only while the event is serious (unticking every criterion keeps it).
    ...(serious
      ? {
          seriousDate: seriousDate || null,
          // An instant is shown to the minute: sent only when changed, so a stored second is kept.
          ...(siteAwareAt !== toLocalInput(e?.siteAwareAt ?? null)
            ? { siteAwareAt: fromLocalInput(siteAwareAt) }
            : {}),
          ...(sponsorNotifiedAt !== toLocalInput(e?.sponsorNotifiedAt ?? null)
            ? { sponsorNotifiedAt: fromLocalInput(sponsorNotifiedAt) }
            : {}),
          narrative: narrative || null,
        }
      : {}),
  };
  const { error, errs, submit, busy } = useSubmit(async () => {
    if (e)
      await api.patch('/api/adverse-events/:aeId', {
        params: { aeId: e.id },
        body: { ...fields, version: e.version, reason },
      });
    else await api.post('/api/subjects/:subjectId/adverse-events', { params: { subjectId }, body: fields });
    onSaved();
  });
  const formId = e ? `ae-edit-${e.id}` : 'ae-new';
  const name = e ? t('aeForm.change', { term: e.term }) : t('aeForm.report');
  return (
    <form id={formId} onSubmit={submit} aria-label={name} className="inline-form ae-form">
      {e && <h3 className="full">{t('aeForm.changeTitle', { term: e.term })}</h3>}
      <TextField label={t('aeForm.term')} value={term} onChange={setTerm} required error={errs.term} />
      <TextField
        label={t('aeForm.onset')}
        type="date"
        value={onsetDate}
        onChange={setOnsetDate}
        required
        error={errs.onsetDate}
      />
      <TextField
        label={t('aeForm.resolution')}
        type="date"
        value={resolutionDate}
        onChange={setResolutionDate}
        error={errs.resolutionDate}
      />
      <SelectField
        label={t('aeForm.grade')}
        value={grade}
        onChange={setGrade}
        options={['', '1', '2', '3', '4', '5'].map((g) => ({ value: g, label: g || t('aeForm.notGraded') }))}
        error={errs.ctcaeGrade}
      />
      <SelectField
        label={t('aeForm.relatedness')}
        value={relatedness}
        onChange={setRelatedness}
        options={RELATEDNESS.map((r) => ({ value: r, label: label(r) }))}
        error={errs.relatedness}
      />
      <SelectField
        label={t('aeForm.outcome')}
        value={outcome}
        onChange={setOutcome}
        options={['', ...AE_OUTCOMES].map((o) => ({
          value: o,
          label: o ? label(o) : t('aeForm.outcomeUnknown'),
        }))}
        error={errs.outcome}
      />
      <TextField
        label={t('aeForm.action')}
        value={actionTaken}
        onChange={setActionTaken}
        error={errs.actionTaken}
      />
      <fieldset>
        <legend>{t('aeForm.seriousness')}</legend>
        {SERIOUSNESS.map((s) => (
          <label key={s} className="check">
            <input
              type="checkbox"
              checked={seriousness.includes(s)}
              onChange={(ev) =>
                setSeriousness(ev.target.checked ? [...seriousness, s] : seriousness.filter((x) => x !== s))
              }
            />{' '}
            {label(s)}
          </label>
        ))}
      </fieldset>
      {serious && (
        <fieldset className="full">
          <legend>{t('aeForm.sae')}</legend>
          <TextField
            label={t('aeForm.seriousDate')}
            type="date"
            value={seriousDate}
            onChange={setSeriousDate}
            error={errs.seriousDate}
          />
          <TextField
            label={t('aeForm.siteAware')}
            type="datetime-local"
            value={siteAwareAt}
            onChange={setSiteAwareAt}
            error={errs.siteAwareAt}
          />
          <TextField
            label={t('aeForm.sponsorNotified')}
            type="datetime-local"
            value={sponsorNotifiedAt}
            onChange={setSponsorNotifiedAt}
            error={errs.sponsorNotifiedAt}
          />
          <div className="field">
            <label htmlFor={`${formId}-narrative`}>{t('aeForm.narrative')}</label>
            <textarea
              id={`${formId}-narrative`}
              rows={4}
              value={narrative}
              onChange={(ev) => setNarrative(ev.target.value)}
            />
            {errs.narrative && <span className="field-error">{errs.narrative}</span>}
          </div>
        </fieldset>
      )}
      {e ? (
        <ChangeReasonAndError
          formId={formId}
          show
          reason={reason}
          onReason={setReason}
          reasonError={errs.reason}
          error={error}
          onReload={() => onReload?.()}
        />
      ) : (
        <ErrorBox error={error} atFields />
      )}
      <button type="submit" disabled={busy}>
        {e ? t('aeForm.save') : t('aeForm.submit')}
      </button>
      {onCancel && (
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      )}
    </form>
  );
}
