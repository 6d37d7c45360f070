import { useId, useState } from 'react';
import { api } from '../api/client.js';
import type { BodyOf } from '../api/types.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import type { Definition } from '../lib/definition.js';
import { ErrorBox, LoadError } from './error-box.js';

type Plan = BodyOf<'PUT', '/api/studies/:studyId/sdv-plan'>['plan'];
type Rule = { formCode: string; visitCode?: string };

/**
 * The study's SDV plan (admin): 100 % source data verification, or a risk-based subset of forms,
 * each at every visit or at one. The monitor's worklist and each form's review state follow it.
 */
export function SdvPlanEditor({ studyId, definition }: { studyId: string; definition: Definition }) {
  const loaded = useLoad(() => api.get('/api/studies/:studyId/sdv-plan', { params: { studyId } }), [studyId]);
  // Kept here: the form is remounted with the saved plan's new version.
  const [saved, setSaved] = useState(false);
  if (loaded.error) return <LoadError error={loaded.error} what={t('sdvPlan.loadWhat')} />;
  if (!loaded.data) return null;
  return (
    <PlanForm
      key={loaded.data.version}
      studyId={studyId}
      definition={definition}
      plan={loaded.data.plan}
      version={loaded.data.version}
      saved={saved}
      onSaved={() => {
        setSaved(true);
        loaded.reload();
      }}
      onReload={loaded.reload}
    />
  );
}

function PlanForm({
  studyId,
  definition,
  plan,
  version,
  saved,
  onSaved,
  onReload,
}: {
  studyId: string;
  definition: Definition;
  plan: Plan;
  version: number;
  saved: boolean;
  onSaved(): void;
  onReload(): void;
}) {
  const [mode, setMode] = useState<Plan['mode']>(plan.mode);
  const [rules, setRules] = useState<Rule[]>(plan.mode === 'subset' ? plan.rules : []);
  const [formCode, setFormCode] = useState('');
  const [visitCode, setVisitCode] = useState('');
  const [error, setError] = useState<unknown>();
  const ids = { form: useId(), visit: useId() };
  const forms = (definition.forms ?? []).map((f) => f.id);
  const visits = (definition.visits ?? []).map((v) => v.code);
  const save = async () => {
    setError(undefined);
    try {
      await api.put('/api/studies/:studyId/sdv-plan', {
        params: { studyId },
        body: { plan: mode === 'all' ? { mode: 'all' } : { mode: 'subset', rules }, version },
      });
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form
      aria-label={t('sdvPlan.form')}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label>
        <input type="radio" name="sdv-mode" checked={mode === 'all'} onChange={() => setMode('all')} />{' '}
        {t('sdvPlan.all')}
      </label>{' '}
      <label>
        <input type="radio" name="sdv-mode" checked={mode === 'subset'} onChange={() => setMode('subset')} />{' '}
        {t('sdvPlan.subset')}
      </label>
      {mode === 'subset' && (
        <div>
          <ul aria-label={t('sdvPlan.rules')}>
            {rules.map((r, i) => (
              <li key={`${r.formCode}|${r.visitCode ?? ''}`}>
                {t('sdvPlan.rule', {
                  form: r.formCode,
                  visit: r.visitCode ?? '',
                  at: r.visitCode ? 'visit' : 'every',
                })}{' '}
                <button type="button" onClick={() => setRules(rules.filter((_, j) => j !== i))}>
                  {t('sdvPlan.remove', { form: r.formCode })}
                </button>
              </li>
            ))}
          </ul>
          <label htmlFor={ids.form}>{t('sdvPlan.formField')}</label>{' '}
          <input
            id={ids.form}
            list={`${ids.form}-list`}
            value={formCode}
            onChange={(e) => setFormCode(e.target.value)}
          />
          <datalist id={`${ids.form}-list`}>
            {forms.map((f) => (
              <option key={f} value={f} />
            ))}
          </datalist>{' '}
          <label htmlFor={ids.visit}>{t('sdvPlan.visitField')}</label>{' '}
          <input
            id={ids.visit}
            list={`${ids.visit}-list`}
            value={visitCode}
            onChange={(e) => setVisitCode(e.target.value)}
          />
          <datalist id={`${ids.visit}-list`}>
            {visits.map((v) => (
              <option key={v} value={v} />
            ))}
          </datalist>{' '}
          <button
            type="button"
            disabled={!formCode.trim()}
            onClick={() => {
              const rule: Rule = {
                formCode: formCode.trim(),
                ...(visitCode.trim() ? { visitCode: visitCode.trim() } : {}),
              };
              if (!rules.some((r) => r.formCode === rule.formCode && r.visitCode === rule.visitCode))
                setRules([...rules, rule]);
              setFormCode('');
              setVisitCode('');
            }}
          >
            {t('sdvPlan.add')}
          </button>
        </div>
      )}
      <button type="submit">{t('sdvPlan.save')}</button>
      {saved && <span role="status"> {t('sdvPlan.saved')}</span>}
      <ErrorBox error={error} onReload={onReload} />
    </form>
  );
}
