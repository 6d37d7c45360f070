import { useState } from 'react';
import { api } from '../../api/client.js';
import type { Study } from '../../api/types.js';
import { useSubmit } from '../../hooks/use-submit.js';
import { t } from '../../i18n/index.js';
import { ErrorBox } from '../error-box.js';
import { TextField } from '../text-field.js';

export function CreateStudy({ onCreated }: { onCreated(s: Study): void }) {
  const [code, setCode] = useState('');
  const [title, setTitle] = useState('');
  const { error, errs, submit } = useSubmit(async () => {
    const s = await api.post('/api/studies', { body: { code, title } });
    setCode('');
    setTitle('');
    onCreated(s);
  });
  return (
    <form onSubmit={submit} aria-label={t('adminCreateStudy.form')} className="inline-form">
      <TextField
        label={t('adminCreateStudy.code')}
        value={code}
        onChange={setCode}
        required
        error={errs.code}
      />
      <TextField
        label={t('adminCreateStudy.title')}
        value={title}
        onChange={setTitle}
        required
        error={errs.title}
      />
      <button type="submit">{t('adminCreateStudy.submit')}</button>
      <ErrorBox error={error} />
    </form>
  );
}
