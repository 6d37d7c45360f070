// Screening and enrolment: the SCR visit's eligibility form rendered from the study's criteria, the
// checklist evaluated live (the same core engine the server's enrol route runs), a waiver per unmet
// criterion, and enrolment with day 0 — refused by the server, with its reasons, while a criterion
// is not met or missing.
import type { CriterionResult } from '@msct/core/protocol';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.js';
import { ApiError, fieldErrors } from '../api/problem.js';
import type { Subject } from '../api/types.js';
import { CatalogForm } from '../components/catalog-form.js';
import { ErrorBox, LoadError } from '../components/error-box.js';
import { liveFor, uiFormFor } from '../components/live-panels.js';
import { TextField } from '../components/text-field.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { subjectStatusText } from '../i18n/statuses.js';
import { definitionOf, todayIso } from '../lib/definition.js';
import { Link } from '../router.js';
import { hasRole, useMe } from '../session.js';

export function ScreeningPage({ subjectId }: { subjectId: string }) {
  const me = useMe();
  const data = useLoad(async () => {
    const subject = await api.get('/api/subjects/:subjectId', { params: { subjectId } });
    const [study, visits] = await Promise.all([
      api.get('/api/studies/:studyId', { params: { studyId: subject.studyId } }),
      api.get('/api/subjects/:subjectId/visits', { params: { subjectId } }),
    ]);
    const scr = visits.find((v) => v.visitCode === 'SCR' && v.cycle === 1);
    const definition = definitionOf(study);
    const [visit, eligibility] = scr
      ? await Promise.all([
          api.get('/api/visits/:visitId', { params: { visitId: scr.id } }),
          // The values the study already holds (age, screening scores, labs): not asked again.
          definition.eligibility
            ? api.get('/api/subjects/:subjectId/eligibility', { params: { subjectId } })
            : undefined,
        ])
      : [undefined, undefined];
    return { subject, definition, visit, held: eligibility?.held ?? [] };
  }, [subjectId]);
  if (data.error) return <LoadError error={data.error} what={t('screening.loadWhat')} />;
  if (!data.data) return <p className="loading">{t('app.loading')}</p>;
  const { subject, definition, visit, held } = data.data;
  const canEnter = hasRole(me, ['coordinator', 'investigator'], subject.studyId, subject.siteId);
  const def = uiFormFor('eligibility', definition);
  const form = visit?.forms.find((f) => f.formCode === 'eligibility');
  const locked = form?.status === 'signed' || form?.status === 'locked';

  return (
    <section>
      <p className="crumbs">
        <Link href={`/studies/${subject.studyId}`}>{t('screening.study')}</Link>
        {t('screening.crumbSeparator')}
        <Link href={`/subjects/${subject.id}`}>{subject.subjectCode}</Link>
      </p>
      <h1>{t('screening.title', { code: subject.subjectCode })}</h1>
      <p>
        {t('screening.status')}
        <strong data-testid="subject-status">{subjectStatusText(subject.status)}</strong>
        {subject.day0Date ? t('screening.day0', { date: subject.day0Date }) : ''}
      </p>
      {!def || !definition.eligibility ? (
        <p>{t('screening.noCriteria')}</p>
      ) : !visit ? (
        canEnter ? (
          <OpenScreeningVisit subjectId={subject.id} onOpened={data.reload} />
        ) : (
          <p>{t('screening.noVisit')}</p>
        )
      ) : (
        <>
          <p>
            {t('screening.visitBefore')}
            <Link href={`/visits/${visit.id}`}>SCR</Link>
            {t('screening.visitOn', { date: visit.visitDate ?? t('screening.noDate') })}
            {form ? t('screening.formStatus', { status: form.status }) : ''}
          </p>
          <section aria-label={t('screening.form')} className="form-panel">
            <h2>{t('screening.formTitle')}</h2>
            <CatalogForm
              key={form ? `${form.id}:${form.version}:${form.items.map((i) => i.version).join(',')}` : 'new'}
              def={def}
              visitId={visit.id}
              {...(form ? { form } : {})}
              readOnly={!canEnter || locked}
              onSaved={data.reload}
              onReload={data.reload}
              {...(liveFor('eligibility', visit, definition, { held }) ?? {})}
            />
          </section>
          {subject.status === 'screening' && canEnter && <Enrol subject={subject} onEnrolled={data.reload} />}
        </>
      )}
    </section>
  );
}

function OpenScreeningVisit({ subjectId, onOpened }: { subjectId: string; onOpened(): void }) {
  const [date, setDate] = useState(todayIso());
  const [error, setError] = useState<unknown>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api.post('/api/subjects/:subjectId/visits', {
        params: { subjectId },
        body: { visitCode: 'SCR', visitDate: date || null },
      });
      onOpened();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} aria-label={t('screening.open.form')} className="inline-form">
      <TextField label={t('screening.open.date')} type="date" value={date} onChange={setDate} required />
      <button type="submit">{t('screening.open.submit')}</button>
      <ErrorBox error={error} />
    </form>
  );
}

function Enrol({ subject, onEnrolled }: { subject: Subject; onEnrolled(): void }) {
  const [day0, setDay0] = useState('');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const r = await api.post('/api/subjects/:subjectId/enrol', {
        params: { subjectId: subject.id },
        body: {
          version: subject.version,
          day0Date: day0,
        },
      });
      setDone(r.reason);
      onEnrolled();
    } catch (err) {
      setError(err);
    }
  };
  const refused =
    error instanceof ApiError && error.code === 'MSCT_E_NOT_ELIGIBLE'
      ? ((error.problem.criteria as CriterionResult[] | undefined) ?? []).filter(
          (c) => c.status === 'not_met' || c.status === 'missing',
        )
      : undefined;
  return (
    <section aria-labelledby="enrol-h" className="form-panel">
      <h2 id="enrol-h">{t('screening.enrol.title')}</h2>
      <p className="hint">{t('screening.enrol.hint')}</p>
      <form onSubmit={submit} aria-label={t('screening.enrol.title')} className="inline-form">
        <TextField
          label={t('screening.enrol.day0')}
          type="date"
          value={day0}
          onChange={setDay0}
          required
          error={fieldErrors(error).day0Date}
        />
        <button type="submit" disabled={!day0}>
          {t('screening.enrol.submit')}
        </button>
      </form>
      {done && <p role="status">{done}</p>}
      {refused ? (
        <div role="alert" className="error" aria-label={t('screening.refused.label')}>
          <strong>{t('screening.refused.title')}</strong>
          {t('screening.refused.text')}
          <ul>
            {refused.map((c) => (
              <li key={c.id}>
                {t('screening.refused.criterion', { label: c.label, status: c.status, reason: c.reason })}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <ErrorBox error={error} onReload={onEnrolled} />
      )}
    </section>
  );
}
