import { useState } from 'react';
import { api } from '../api/client.js';
import type { BodyOf, Site, Subject } from '../api/types.js';
import { useSubmit } from '../hooks/use-submit.js';
import { t } from '../i18n/index.js';
import { ErrorBox } from './error-box.js';
import { SelectField, TextField } from './text-field.js';

/** Register a subject at one of the user's sites; the server assigns the subject code. */
export function EnrolForm({
  studyId,
  sites,
  onEnrolled,
}: {
  studyId: string;
  sites: Site[];
  onEnrolled(s: Subject): void;
}) {
  const [siteId, setSiteId] = useState(sites[0]?.id ?? '');
  const [sex, setSex] = useState('');
  const [birthDate, setBirthDate] = useState('');

  const { error, errs, submit } = useSubmit(async () => {
    const s = await api.post('/api/studies/:studyId/subjects', {
      params: { studyId },
      body: {
        siteId,
        sex: (sex || null) as BodyOf<'POST', '/api/studies/:studyId/subjects'>['sex'],
        birthDate: birthDate || null,
      },
    });
    setSex('');
    setBirthDate('');
    onEnrolled(s);
  });

  return (
    <form onSubmit={submit} aria-label={t('enrolForm.form')} className="inline-form">
      <SelectField
        label={t('enrolForm.site')}
        value={siteId}
        onChange={setSiteId}
        options={sites.map((s) => ({
          value: s.id,
          label: t('enrolForm.siteOption', { code: s.code, name: s.name }),
        }))}
        error={errs.siteId}
        required
      />
      <SelectField
        label={t('enrolForm.sex')}
        value={sex}
        onChange={setSex}
        options={[
          { value: '', label: t('enrolForm.sexNotRecorded') },
          { value: 'female', label: t('enrolForm.female') },
          { value: 'male', label: t('enrolForm.male') },
        ]}
        error={errs.sex}
      />
      <TextField
        label={t('enrolForm.birthDate')}
        type="date"
        value={birthDate}
        onChange={setBirthDate}
        error={errs.birthDate}
      />
      <button type="submit" disabled={!siteId}>
        {t('enrolForm.submit')}
      </button>
      <ErrorBox error={error} />
    </form>
  );
}
