import { formChoicesAt } from '@msct/core/protocol';
import { api } from '../api/client.js';
import type { Query } from '../api/types.js';
import { AttachmentsPanel } from '../components/attachments-panel.js';
import { CatalogForm, type LabContext } from '../components/catalog-form.js';
import { DeleteRecord, formIsEmpty } from '../components/delete-record.js';
import { LoadError } from '../components/error-box.js';
import { type FormChoice, FormEditor } from '../components/form-editor.js';
import { FormPanel } from '../components/form-panel.js';
import { liveFor, uiFormFor } from '../components/live-panels.js';
import { LockBanner, useActiveLocks } from '../components/lock-banner.js';
import { MissedVisit } from '../components/missed-visit.js';
import { useNextForm } from '../components/next-form.js';
import { RecordQueries } from '../components/record-queries.js';
import { SignCeremony } from '../components/sign-ceremony.js';
import { SLEDAI_FORM_CODE, SledaiEditor } from '../components/sledai-editor.js';
import { recordedStatus, StatusBadge } from '../components/status-grid.js';
import { VerifyForms } from '../components/verify-forms.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { catalogForms, definitionOf, formsExpectedAt } from '../lib/definition.js';
import { Link, navigate } from '../router.js';
import { hasRole, useMe } from '../session.js';

/** A visit: each form with its item values, queries, history and signature; and a new form. */
export function VisitPage({ visitId }: { visitId: string }) {
  const me = useMe();
  const data = useLoad(async () => {
    const [visit, scores] = await Promise.all([
      api.get('/api/visits/:visitId', { params: { visitId } }),
      api.get('/api/visits/:visitId/scores', { params: { visitId } }),
    ]);
    const subject = await api.get('/api/subjects/:subjectId', { params: { subjectId: visit.subjectId } });
    const [study, sites] = await Promise.all([
      api.get('/api/studies/:studyId', { params: { studyId: subject.studyId } }),
      api.get('/api/studies/:studyId/sites', { params: { studyId: subject.studyId } }),
    ]);
    const definition = definitionOf(study);
    // The screening visit's eligibility form shows the values the study already holds (age, scores,
    // labs, eGFR) as the screening page does, and does not ask for them again (issue #20).
    const held =
      visit.visitCode === 'SCR' && visit.cycle === 1 && definition.eligibility
        ? (await api.get('/api/subjects/:subjectId/eligibility', { params: { subjectId: subject.id } })).held
        : [];
    return {
      visit,
      subject,
      held,
      // Reference ranges are picked by the site (its code is the definition's centre id) and sex.
      siteCode: sites.find((s) => s.id === subject.siteId)?.code ?? null,
      definition,
      previousBilag2004: scores.previousBilag2004 ?? undefined,
    };
  }, [visitId]);
  const subject = data.data?.subject;
  const queries = useLoad(
    () =>
      subject && hasRole(me, ['monitor', 'coordinator', 'investigator', 'safety'], subject.studyId)
        ? api
            .get('/api/studies/:studyId/queries', {
              params: { studyId: subject.studyId },
              // One subject's queries: the largest page the list gives (issue 16).
              query: { subjectId: subject.id, limit: 1000 },
            })
            .then((r) => r.queries)
        : Promise.resolve([] as Query[]),
    [subject?.id],
  );
  const locks = useActiveLocks(subject);
  // Review state follows every save (a change clears a verification): keyed on the forms' versions.
  const stamp = data.data?.visit.forms
    .map((f) => `${f.id}:${f.version}:${f.items.map((i) => i.version).join(',')}`)
    .join('|');
  // "Save and go to the next form": the definition's forms at this visit in its order.
  const nextForm = useNextForm({
    order: data.data ? formChoicesAt(data.data.definition, data.data.visit.visitCode) : [],
    forms: data.data?.visit.forms ?? [],
    titleOf: (code) => data.data?.definition.forms?.find((f) => f.id === code)?.title ?? code,
  });
  const reviews = useLoad(
    () =>
      subject && hasRole(me, ['monitor', 'coordinator', 'investigator', 'safety'], subject.studyId)
        ? api.get('/api/visits/:visitId/reviews', { params: { visitId } })
        : Promise.resolve([]),
    [visitId, subject?.id, stamp],
  );
  if (data.error) return <LoadError error={data.error} what={t('visitPage.loadWhat')} />;
  if (!data.data || !subject) return <p className="loading">{t('common.loading')}</p>;
  const { visit, definition, previousBilag2004, siteCode, held } = data.data;
  const labs: LabContext | undefined = definition.labReferenceRanges
    ? {
        ranges: definition.labReferenceRanges,
        centre: siteCode,
        sex: subject.sex,
        visitDate: visit.visitDate,
      }
    : undefined;
  const present = new Set(visit.forms.map((f) => f.formCode));
  // A repeating form collected at this visit that has records: the next record can be added.
  const nextRecords = (definition.forms ?? [])
    .filter((f) => f.repeating && f.visitCodes.includes(visit.visitCode) && present.has(f.id))
    .map((f) => ({
      formCode: f.id,
      title: f.title,
      record: Math.max(...visit.forms.filter((x) => x.formCode === f.id).map((x) => x.record)) + 1,
    }));
  const toEnter = formsExpectedAt(definition, visit.visitCode).filter(
    (f) => !present.has(f.formCode) && f.formCode !== SLEDAI_FORM_CODE,
  );
  // A defined study's new form: only the forms its definition collects at this visit that have no
  // panel of their own above (the server refuses the others, core protocol/entry-rules.ts).
  const defined = (definition.forms ?? []).length > 0;
  const catalog = catalogForms(definition);
  const newFormChoices: FormChoice[] | undefined = defined
    ? formChoicesAt(definition, visit.visitCode)
        .filter(
          (code) =>
            !present.has(code) && code !== SLEDAI_FORM_CODE && !toEnter.some((f) => f.formCode === code),
        )
        .map((code) => {
          const items = catalog.get(code)?.items;
          return {
            code,
            title: definition.forms?.find((f) => f.id === code)?.title ?? code,
            ...(items ? { items: items.map((i) => ({ code: i.code, label: i.label })) } : {}),
          };
        })
    : undefined;
  // Under a freeze or lock no data can change (the server refuses it); a freeze still takes signatures.
  const frozen = locks.active.length > 0;
  const signable = locks.active.every((l) => l.kind === 'freeze');
  const can = {
    enter: !frozen && hasRole(me, ['coordinator', 'investigator'], subject.studyId, subject.siteId),
    sign: signable && hasRole(me, 'investigator', subject.studyId, subject.siteId),
    raiseQuery: hasRole(me, 'monitor', subject.studyId, subject.siteId),
    review: hasRole(me, 'monitor', subject.studyId, subject.siteId),
  };
  // The whole visit is signed in one ceremony once every unsigned form of it is complete.
  const unsigned = visit.forms.filter((f) => f.status !== 'signed' && f.status !== 'locked');
  const notComplete = unsigned.filter((f) => f.status !== 'complete');
  // The visit's status in the grid's words (core/protocol record-status.ts).
  const visitState = recordedStatus(visit, definition);
  const visitLabel = t('visitPage.label', { code: visit.visitCode, cycle: String(visit.cycle) });
  // A visit declared missed takes no data (the server refuses it), so no entry forms are offered.
  const missed = visit.status === 'missed';
  const canEnterData = can.enter && !missed;
  // A save may raise or close automatic queries (the definition's edit checks): reload both.
  const reloadAfterSave = () => {
    data.reload();
    queries.reload();
  };
  return (
    <section>
      <p className="crumbs">
        <Link href={`/studies/${subject.studyId}`}>{t('visitPage.study')}</Link> ›{' '}
        <Link href={`/subjects/${subject.id}`}>{subject.subjectCode}</Link>
      </p>
      <h1>{t('visitPage.title', { visit: visitLabel, subject: subject.subjectCode })}</h1>
      <p className="visit-status">
        {t('visitPage.date', { date: visit.visitDate ?? t('visitPage.notRecorded') })}{' '}
        <StatusBadge cell={visitState} /> <span className="muted">{visitState.reason}</span>
      </p>
      {nextForm.notice}
      <LockBanner locks={locks.active} />
      <RecordQueries
        subjectId={subject.id}
        studyId={subject.studyId}
        entityType="visit"
        entityId={visit.id}
        field={null}
        label={t('visitPage.visitQueries', { code: visit.visitCode })}
        queries={queries.data ?? []}
        canRaise={can.raiseQuery}
        onChanged={queries.reload}
      />
      {can.enter && (missed || (!visit.visitDate && visit.forms.length === 0)) && (
        <MissedVisit visit={visit} onDone={data.reload} />
      )}
      {can.enter && visit.forms.every(formIsEmpty) && (
        <DeleteRecord
          kind="visit"
          id={visit.id}
          version={visit.version}
          what={t('visitPage.deleteWhat', { visit: visitLabel })}
          onDone={() => navigate(`/subjects/${subject.id}`)}
        />
      )}
      {missed && <p>{t('visitPage.missed')}</p>}
      {visit.visitCode === 'SCR' && definition.eligibility && (
        <p>
          <Link href={`/subjects/${subject.id}/screening`}>{t('visitPage.screening')}</Link>
        </p>
      )}
      {can.sign && unsigned.length > 0 && (
        <section aria-label={t('visitPage.signature')} className="sign-visit">
          {notComplete.length > 0 ? (
            <p className="hint">
              {t('visitPage.notComplete', { forms: notComplete.map((f) => f.formCode).join(', ') })}
            </p>
          ) : (
            <SignCeremony
              subjectId={subject.id}
              visitId={visit.id}
              label={t('visitPage.sign', { visit: visitLabel })}
              meaning={visit.signatureMeaning}
              forms={unsigned.map((f) => ({
                formId: f.id,
                formCode: f.formCode,
                version: f.version,
                visitLabel,
              }))}
              onDone={data.reload}
            />
          )}
        </section>
      )}
      {can.review && reviews.data && reviews.data.length > 0 && (
        <VerifyForms
          subjectId={subject.id}
          visitId={visit.id}
          label={t('visitPage.verify', { visit: visitLabel })}
          reviews={reviews.data}
          formLabels={
            new Map(
              visit.forms.map((f) => [f.id, catalogForms(definition).get(f.formCode)?.title ?? f.formCode]),
            )
          }
          onDone={reviews.reload}
        />
      )}
      {visit.forms.length === 0 && !missed && <p>{t('visitPage.noForms')}</p>}
      {visit.forms.map((f) => (
        <FormPanel
          key={`${f.id}:${f.version}:${f.items.map((i) => i.version).join(',')}`}
          visit={visit}
          visitId={visit.id}
          subjectId={subject.id}
          studyId={subject.studyId}
          form={f}
          definition={definition}
          previousBilag2004={previousBilag2004}
          held={held}
          labs={labs}
          queries={queries.data ?? []}
          can={can}
          reload={reloadAfterSave}
          reloadQueries={queries.reload}
          review={reviews.data?.find((r) => r.formId === f.id)}
          reloadReviews={reviews.reload}
          onSaveAndNext={nextForm.goNext}
        />
      ))}
      {canEnterData && !visit.forms.some((f) => f.formCode === SLEDAI_FORM_CODE) && (
        <section
          aria-label={t('visitPage.newSledai')}
          className="form-panel"
          data-form-code={SLEDAI_FORM_CODE}
        >
          <h2>{t('visitPage.sledai')}</h2>
          <SledaiEditor visit={visit} readOnly={false} onSaved={reloadAfterSave} onReload={data.reload} />
        </section>
      )}
      {canEnterData &&
        toEnter.map((f) => {
          const def = uiFormFor(f.formCode, definition) ?? f;
          return (
            <details key={f.formCode} className="form-panel new-form" data-form-code={f.formCode}>
              <summary>{t('visitPage.enter', { title: f.title })}</summary>
              <section aria-label={t('visitPage.new', { title: f.title })}>
                <CatalogForm
                  def={def}
                  visitId={visit.id}
                  readOnly={false}
                  onSaved={reloadAfterSave}
                  onReload={data.reload}
                  warningChecks={definition.editChecks ?? []}
                  labs={labs}
                  onSaveAndNext={() => nextForm.goNext(f.formCode)}
                  {...(liveFor(f.formCode, visit, definition, { previousBilag2004, held }) ?? {})}
                />
              </section>
            </details>
          );
        })}
      {canEnterData &&
        nextRecords.map((r) => {
          const def = uiFormFor(r.formCode, definition);
          if (!def) return null;
          return (
            <details key={`${r.formCode}#${r.record}`} className="form-panel new-form">
              <summary>{t('visitPage.addRecord', { title: r.title, record: r.record })}</summary>
              <section aria-label={t('visitPage.newRecord', { title: r.title, record: r.record })}>
                <CatalogForm
                  def={def}
                  visitId={visit.id}
                  record={r.record}
                  readOnly={false}
                  onSaved={reloadAfterSave}
                  onReload={data.reload}
                  warningChecks={definition.editChecks ?? []}
                  labs={labs}
                />
              </section>
            </details>
          );
        })}
      {canEnterData && (!newFormChoices || newFormChoices.length > 0) && (
        <section aria-labelledby="new-form-h" className="form-panel">
          <h2 id="new-form-h">{t('visitPage.newForm')}</h2>
          <FormEditor
            key={newFormChoices?.map((f) => f.code).join(',') ?? ''}
            visitId={visit.id}
            readOnly={false}
            onSaved={reloadAfterSave}
            onReload={data.reload}
            {...(newFormChoices ? { formChoices: newFormChoices } : {})}
          />
        </section>
      )}
      <AttachmentsPanel subjectId={subject.id} visitId={visit.id} />
    </section>
  );
}
