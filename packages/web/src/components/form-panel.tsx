import type { HeldScreeningValue } from '@msct/core/crf';
import { useState } from 'react';
import { api } from '../api/client.js';
import type { Form, FormReview, PreviousAssessment, Query, VisitWithForms } from '../api/types.js';
import { t } from '../i18n/index.js';
import { formStatusText } from '../i18n/statuses.js';
import { catalogForms, type Definition, formTitleOf } from '../lib/definition.js';
import { AttachmentsPanel } from './attachments-panel.js';
import { CatalogForm, type LabContext } from './catalog-form.js';
import { DeleteRecord, formIsEmpty } from './delete-record.js';
import { ErrorBox } from './error-box.js';
import { FormEditor } from './form-editor.js';
import { FormReviewState } from './form-review.js';
import { ItemExtras } from './item-extras.js';
import { ItemSdvMarker } from './item-sdv-marker.js';
import { liveFor, uiFormFor } from './live-panels.js';
import { RecordQueries } from './record-queries.js';
import { RequestUnlock } from './request-unlock.js';
import { SignForm } from './sign-form.js';
import { SignatureNote } from './signature-note.js';
import { SLEDAI_FORM_CODE, SledaiEditor } from './sledai-editor.js';
import { UnlockForm } from './unlock-form.js';

export interface Permissions {
  enter: boolean;
  sign: boolean;
  raiseQuery: boolean;
  /** Mark forms source verified / reviewed (monitor). */
  review: boolean;
}

/** One CRF of a visit: its status (signed forms are locked), its items, and what the user may do. */
export function FormPanel({
  visit,
  visitId,
  subjectId,
  studyId,
  form,
  queries,
  can,
  reload,
  reloadQueries,
  definition = {},
  previousBilag2004,
  held,
  review,
  reloadReviews,
  labs,
  onSaveAndNext,
}: {
  /** "Save and go to the next form" after this one (components/next-form.tsx). */
  onSaveAndNext?: ((formCode: string) => void) | undefined;
  /** What picks the lab reference ranges of the visit's subject (issue #22). */
  labs?: LabContext | undefined;
  /** The form's review and source verification (absent for roles that do not see it). */
  review?: FormReview | undefined;
  reloadReviews(): void;
  definition?: Definition;
  /** The BILAG-2004 assessment before this visit, for the renal change rules. */
  previousBilag2004?: PreviousAssessment | undefined;
  /** Screening values the study already holds (the SCR visit's eligibility form shows them). */
  held?: readonly HeldScreeningValue[];
  visit: VisitWithForms;
  visitId: string;
  subjectId: string;
  studyId: string;
  form: Form;
  queries: Query[];
  can: Permissions;
  reload(): void;
  reloadQueries(): void;
}) {
  const [error, setError] = useState<unknown>();
  const [filesOpen, setFilesOpen] = useState(false);
  const locked = form.status === 'signed' || form.status === 'locked';
  const isSledai = form.formCode === SLEDAI_FORM_CODE;
  // A repeating form (several records per visit): each record is its own panel, named by its number.
  const repeating = definition.forms?.find((f) => f.id === form.formCode)?.repeating === true;
  const catalog = isSledai ? undefined : uiFormFor(form.formCode, definition);
  const live = catalog
    ? liveFor(form.formCode, visit, definition, { previousBilag2004, ...(held ? { held } : {}) })
    : undefined;
  // The form by its title from the definition (issue 22: labels, not codes); its code on hover.
  const title = formTitleOf(definition)(form.formCode);
  const labelOf = (code: string) =>
    catalogForms(definition)
      .get(form.formCode)
      ?.items.find((i) => i.code === code)?.label ?? code;
  const markComplete = async () => {
    setError(undefined);
    try {
      await api.post('/api/forms/:formId/status', {
        params: { formId: form.id },
        body: { version: form.version, status: 'complete' },
      });
      reload();
    } catch (err) {
      setError(err);
    }
  };
  const editor = (
    <FormEditor
      visitId={visitId}
      form={form}
      readOnly={locked || !can.enter || isSledai || !!catalog}
      onSaved={reload}
      onReload={reload}
      renderExtras={(item) => (
        <>
          {!catalog && <ItemSdvMarker review={review} itemCode={item.itemCode} />}
          <ItemExtras
            item={item}
            formCode={form.formCode}
            subjectId={subjectId}
            studyId={studyId}
            queries={queries}
            canRaise={can.raiseQuery}
            onQueriesChanged={reloadQueries}
            showQueries={!catalog}
            itemDefinition={catalog?.items.find((d) => d.code === item.itemCode)}
          />
        </>
      )}
    />
  );
  const savedItems = new Map(form.items.map((i) => [i.itemCode, i]));
  // A catalog form shows each item's queries beside its field (the marker, the threads, "raise").
  const itemQueries = (code: string) => {
    const item = savedItems.get(code);
    if (!item) return null;
    return (
      <>
        <ItemSdvMarker review={review} itemCode={code} />
        <RecordQueries
          subjectId={subjectId}
          studyId={studyId}
          entityType="item"
          entityId={item.id}
          field={`${form.formCode}.${code}`}
          label={labelOf(code)}
          queries={queries}
          canRaise={can.raiseQuery}
          onChanged={reloadQueries}
        />
      </>
    );
  };
  return (
    <section
      aria-label={
        repeating
          ? t('formPanel.regionRecord', { title, record: form.record })
          : t('formPanel.region', { title })
      }
      className={`form-panel${locked ? ' locked' : ''}`}
      data-form-code={form.formCode}
    >
      <h3>
        {/* The form's title; its code on hover only (issue 22: labels, not codes). */}
        <span title={t('formPanel.codeHint', { code: form.formCode })}>{title}</span>{' '}
        {repeating && <span className="record">{t('formPanel.record', { record: form.record })}</span>}{' '}
        <span className={`badge status-${form.status}`} data-testid={`form-status-${form.formCode}`}>
          {formStatusText(form.status)}
          {locked && form.status !== 'locked' ? t('formPanel.lockedSuffix') : ''}
        </span>
      </h3>
      {form.signature && <SignatureNote signature={form.signature} />}
      <div className="actions">
        {can.enter && form.status === 'incomplete' && (
          <button type="button" onClick={markComplete}>
            {t('formPanel.markComplete', { title })}
          </button>
        )}
        {can.sign && !locked && <SignForm form={form} meaning={visit.signatureMeaning} onDone={reload} />}
        {can.sign && locked && <UnlockForm form={form} onDone={reload} />}
        {!can.sign && can.enter && locked && (
          <RequestUnlock targetType="form" targetId={form.id} what={title} />
        )}
        {can.enter && formIsEmpty(form) && (
          <DeleteRecord
            kind="form"
            id={form.id}
            version={form.version}
            what={t('formPanel.formWhat', { title })}
            onDone={reload}
          />
        )}
      </div>
      <ErrorBox error={error} onReload={reload} />
      {review && (
        <FormReviewState
          form={form}
          review={review}
          canReview={can.review}
          onDone={reloadReviews}
          labelOf={labelOf}
        />
      )}
      <RecordQueries
        subjectId={subjectId}
        studyId={studyId}
        entityType="form"
        entityId={form.id}
        field={null}
        label={t('formPanel.formWhat', { title })}
        queries={queries}
        canRaise={can.raiseQuery}
        onChanged={reloadQueries}
      />
      {isSledai && (
        <SledaiEditor
          visit={visit}
          form={form}
          readOnly={locked || !can.enter}
          onSaved={reload}
          onReload={reload}
        />
      )}
      {catalog && (
        <CatalogForm
          def={catalog}
          visitId={visitId}
          form={form}
          readOnly={locked || !can.enter}
          onSaved={reload}
          onReload={reload}
          renderItemExtras={itemQueries}
          warningChecks={definition.editChecks ?? []}
          labs={labs}
          onSaveAndNext={onSaveAndNext && (() => onSaveAndNext(form.formCode))}
          {...(live ?? {})}
        />
      )}
      {/* Loaded when opened: a visit of many forms makes no request per form until asked. */}
      <details className="form-files-details" onToggle={(e) => setFilesOpen(e.currentTarget.open)}>
        <summary>{t('formPanel.files')}</summary>
        {filesOpen && (
          <AttachmentsPanel subjectId={subjectId} visitId={visitId} form={{ id: form.id, title, locked }} />
        )}
      </details>
      {isSledai || catalog ? (
        <details>
          <summary>{t('formPanel.itemsHistoryQueries')}</summary>
          {editor}
        </details>
      ) : (
        editor
      )}
    </section>
  );
}
