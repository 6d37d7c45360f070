import { useState } from 'react';
import { api } from '../../api/client.js';
import { ROLES, type Role, type Site, type Study, type UserRow } from '../../api/types.js';
import { useLoad } from '../../hooks/use-load.js';
import { useSubmit } from '../../hooks/use-submit.js';
import { t } from '../../i18n/index.js';
import { ErrorBox } from '../error-box.js';
import { SelectField } from '../text-field.js';

export function AssignRole({
  users,
  studies,
  sitesChanged,
  onAssigned,
}: {
  users: UserRow[];
  studies: Study[];
  /** Changes whenever a site is added, so the site list is fetched again. */
  sitesChanged: number;
  onAssigned(): void;
}) {
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState('coordinator');
  const [studyId, setStudyId] = useState('');
  const [siteId, setSiteId] = useState('');
  const chosenStudy = role === 'admin' ? '' : studyId || studies[0]?.id || '';
  const sites = useLoad(
    () =>
      chosenStudy
        ? api.get('/api/studies/:studyId/sites', { params: { studyId: chosenStudy } })
        : Promise.resolve([] as Site[]),
    [chosenStudy, sitesChanged],
  );
  const chosenUser = userId || users[0]?.id || '';
  const { error, errs, submit } = useSubmit(async () => {
    await api.post('/api/users/:userId/roles', {
      params: { userId: chosenUser },
      body: {
        role: role as Role,
        studyId: chosenStudy || null,
        siteId: role === 'admin' ? null : siteId || null,
      },
    });
    onAssigned();
  });
  return (
    <form onSubmit={submit} aria-label={t('adminAssignRole.form')} className="inline-form">
      <SelectField
        label={t('adminAssignRole.user')}
        value={chosenUser}
        onChange={setUserId}
        options={users.map((u) => ({
          value: u.id,
          label: t('adminAssignRole.userOption', { user: u.username, name: u.displayName }),
        }))}
      />
      <SelectField
        label={t('adminAssignRole.role')}
        value={role}
        onChange={setRole}
        options={ROLES.map((r) => ({ value: r, label: t('adminRole.name', { role: r }) }))}
      />
      {role !== 'admin' && (
        <>
          <SelectField
            label={t('adminAssignRole.study')}
            value={chosenStudy}
            onChange={(v) => {
              setStudyId(v);
              setSiteId('');
            }}
            options={studies.map((s) => ({ value: s.id, label: s.code }))}
            error={errs.studyId}
          />
          <SelectField
            label={t('adminAssignRole.site')}
            value={siteId}
            onChange={setSiteId}
            options={[
              { value: '', label: t('adminAssignRole.allSites') },
              ...(sites.data ?? []).map((s) => ({
                value: s.id,
                label: t('adminAssignRole.siteOption', { code: s.code, name: s.name }),
              })),
            ]}
            error={errs.siteId}
          />
        </>
      )}
      <button type="submit" disabled={!chosenUser}>
        {t('adminAssignRole.submit')}
      </button>
      <ErrorBox error={error} />
    </form>
  );
}
