import { useState } from 'react';
import { api } from '../../api/client.js';
import type { Study } from '../../api/types.js';
import { useSubmit } from '../../hooks/use-submit.js';
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
    <form onSubmit={submit} aria-label="Add a site" className="inline-form">
      <SelectField
        label="Study of the site"
        value={chosen}
        onChange={setStudyId}
        options={studies.map((s) => ({ value: s.id, label: s.code }))}
      />
      <TextField label="Site code" value={code} onChange={setCode} required error={errs.code} />
      <TextField label="Site name" value={name} onChange={setName} required error={errs.name} />
      <button type="submit" disabled={!chosen}>
        Add site
      </button>
      <ErrorBox error={error} />
    </form>
  );
}
