import { useState } from 'react';
import { api } from '../../api/client.js';
import { ROLES, type Role, type Site, type Study, type UserRow } from '../../api/types.js';
import { useLoad } from '../../hooks/use-load.js';
import { useSubmit } from '../../hooks/use-submit.js';
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
    <form onSubmit={submit} aria-label="Assign a role" className="inline-form">
      <SelectField
        label="User"
        value={chosenUser}
        onChange={setUserId}
        options={users.map((u) => ({ value: u.id, label: `${u.username} (${u.displayName})` }))}
      />
      <SelectField
        label="Role"
        value={role}
        onChange={setRole}
        options={ROLES.map((r) => ({ value: r, label: r }))}
      />
      {role !== 'admin' && (
        <>
          <SelectField
            label="Study of the role"
            value={chosenStudy}
            onChange={(v) => {
              setStudyId(v);
              setSiteId('');
            }}
            options={studies.map((s) => ({ value: s.id, label: s.code }))}
            error={errs.studyId}
          />
          <SelectField
            label="Site of the role"
            value={siteId}
            onChange={setSiteId}
            options={[
              { value: '', label: 'all sites' },
              ...(sites.data ?? []).map((s) => ({ value: s.id, label: `${s.code} — ${s.name}` })),
            ]}
            error={errs.siteId}
          />
        </>
      )}
      <button type="submit" disabled={!chosenUser}>
        Assign role
      </button>
      <ErrorBox error={error} />
    </form>
  );
}
