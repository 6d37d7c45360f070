import { useState } from 'react';
import { api } from '../api/client.js';
import { AddSite } from '../components/admin/add-site.js';
import { AmendDefinition } from '../components/admin/amend-definition.js';
import { AssignRole } from '../components/admin/assign-role.js';
import { CreateStudy } from '../components/admin/create-study.js';
import { CreateUser } from '../components/admin/create-user.js';
import { ImportData } from '../components/admin/import-data.js';
import { ResetPassword } from '../components/admin/reset-password.js';
import { StudyFromFile } from '../components/admin/study-from-file.js';
import { UserActive } from '../components/admin/user-active.js';
import { LoadError } from '../components/error-box.js';
import { TableScroll } from '../components/table-scroll.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { dateTimeText } from '../lib/dates.js';
import { Link } from '../router.js';
import { useMe } from '../session.js';

/** Admin: studies and their sites, definition amendments, users and their roles, imports. */
export function AdminPage() {
  const studies = useLoad(() => api.get('/api/studies'), []);
  const users = useLoad(() => api.get('/api/users'), []);
  const [sitesChanged, setSitesChanged] = useState(0);
  const me = useMe();
  if (studies.error) return <LoadError error={studies.error} what={t('adminPage.loadWhat')} />;
  if (users.error) return <LoadError error={users.error} what={t('adminPage.loadWhat')} />;
  const studyCode = new Map((studies.data ?? []).map((s) => [s.id, s.code]));
  return (
    <section>
      <h1>{t('adminPage.title')}</h1>
      <section aria-labelledby="adm-studies">
        <h2 id="adm-studies">{t('adminPage.studies')}</h2>
        <ul>
          {studies.data?.map((s) => (
            <li key={s.id}>
              <Link href={`/studies/${s.id}`}>{s.code}</Link> — {s.title} (
              <Link href={`/studies/${s.id}/builder`}>{t('adminPage.builderLink')}</Link>)
            </li>
          ))}
        </ul>
        <CreateStudy onCreated={studies.reload} />
        <h3>{t('adminPage.studyFromFile')}</h3>
        <StudyFromFile onCreated={studies.reload} />
        <h3>{t('adminPage.addSite')}</h3>
        <AddSite studies={studies.data ?? []} onAdded={() => setSitesChanged((n) => n + 1)} />
      </section>
      <section aria-labelledby="adm-users">
        <h2 id="adm-users">{t('adminPage.users')}</h2>
        <TableScroll label={t('adminPage.users')}>
          <table aria-label={t('adminPage.users')}>
            <thead>
              <tr>
                <th scope="col">{t('adminPage.col.username')}</th>
                <th scope="col">{t('adminPage.col.name')}</th>
                <th scope="col">{t('adminPage.col.roles')}</th>
                <th scope="col">{t('adminPage.col.state')}</th>
                <th scope="col">{t('adminPage.col.access')}</th>
              </tr>
            </thead>
            <tbody>
              {users.data?.map((u) => (
                <tr key={u.id}>
                  <td>{u.username}</td>
                  <td>{u.displayName}</td>
                  <td>
                    {u.roles
                      .map((r) =>
                        t('adminPage.roleGrant', {
                          role: t('adminRole.name', { role: r.role }),
                          scope: r.studyId ? 'study' : 'all',
                          study: r.studyId ? (studyCode.get(r.studyId) ?? t('adminPage.roleStudy')) : '',
                          site: r.siteId ? 'one' : 'all',
                        }),
                      )
                      .join(t('adminPage.roleJoin')) || '—'}
                  </td>
                  <td data-testid={`state-${u.username}`}>
                    {u.active
                      ? t('adminPage.stateActive', { mustChange: u.mustChangePassword ? 'yes' : 'no' })
                      : t('adminPage.stateDeactivated', {
                          at: u.deactivatedAt ? ` ${dateTimeText(u.deactivatedAt)}` : '',
                        })}
                  </td>
                  <td>
                    {u.id === me.user.id ? (
                      '—'
                    ) : (
                      <>
                        <UserActive user={u} onDone={users.reload} />
                        {u.active && <ResetPassword user={u} onDone={users.reload} />}
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
        <h3>{t('adminPage.createUser')}</h3>
        <CreateUser onCreated={users.reload} />
        <h3>{t('adminPage.assignRole')}</h3>
        <AssignRole
          users={users.data ?? []}
          studies={studies.data ?? []}
          sitesChanged={sitesChanged}
          onAssigned={users.reload}
        />
      </section>
      <section aria-labelledby="adm-amend">
        <h2 id="adm-amend">{t('adminPage.amend')}</h2>
        <AmendDefinition studies={studies.data ?? []} onApplied={studies.reload} />
      </section>
      <section aria-labelledby="adm-import">
        <h2 id="adm-import">{t('adminPage.import')}</h2>
        <ImportData studies={studies.data ?? []} />
      </section>
    </section>
  );
}
