import { useState } from 'react';
import { api } from '../../api/client.js';
import type { Study } from '../../api/types.js';
import { useSubmit } from '../../hooks/use-submit.js';
import { t } from '../../i18n/index.js';
import { ErrorBox } from '../error-box.js';
import { SelectField, TextField } from '../text-field.js';

export function AddSite({ studies, onAdded }: { studies: Study[]; onAdded(): void }) {
  const [studyId, setStudyId] = useState('');
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const chosen = studyId || studies[0]?.id || '';
  const { error, errs, submit } = useSubmit(async () => {
    await api.post('/api/studies/:studyId/sites', { params: { studyId: chosen }, body: { code, name } });
    setCode('');
    setName('');
    onAdded();
  });
  return (
    <form onSubmit={submit} aria-label={t('adminAddSite.form')} className="inline-form">
      <SelectField
        label={t('adminAddSite.study')}
        value={chosen}
        onChange={setStudyId}
        options={studies.map((s) => ({ value: s.id, label: s.code }))}
      />
      <TextField label={t('adminAddSite.code')} value={code} onChange={setCode} required error={errs.code} />
      <TextField label={t('adminAddSite.name')} value={name} onChange={setName} required error={errs.name} />
      <button type="submit" disabled={!chosen}>
        {t('adminAddSite.submit')}
      </button>
      <ErrorBox error={error} />
    </form>
  );
}
