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
import { dateTimeText } from '../lib/dates.js';
import { Link } from '../router.js';
import { useMe } from '../session.js';

/** Admin: studies and their sites, definition amendments, users and their roles, imports. */
export function AdminPage() {
  const studies = useLoad(() => api.get('/api/studies'), []);
  const users = useLoad(() => api.get('/api/users'), []);
  const [sitesChanged, setSitesChanged] = useState(0);
  const me = useMe();
  if (studies.error) return <LoadError error={studies.error} what="admin page" />;
  if (users.error) return <LoadError error={users.error} what="admin page" />;
  const studyCode = new Map((studies.data ?? []).map((s) => [s.id, s.code]));
  return (
    <section>
      <h1>Administration</h1>
      <section aria-labelledby="adm-studies">
        <h2 id="adm-studies">Studies</h2>
        <ul>
          {studies.data?.map((s) => (
            <li key={s.id}>
              <Link href={`/studies/${s.id}`}>{s.code}</Link> — {s.title} (
              <Link href={`/studies/${s.id}/builder`}>form builder</Link>)
            </li>
          ))}
        </ul>
        <CreateStudy onCreated={studies.reload} />
        <h3>Create a study from a definition file</h3>
        <StudyFromFile onCreated={studies.reload} />
        <h3>Add a site</h3>
        <AddSite studies={studies.data ?? []} onAdded={() => setSitesChanged((n) => n + 1)} />
      </section>
      <section aria-labelledby="adm-users">
        <h2 id="adm-users">Users</h2>
        <TableScroll label="Users">
          <table aria-label="Users">
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Name</th>
                <th scope="col">Roles</th>
                <th scope="col">State</th>
                <th scope="col">Access</th>
              </tr>
            </thead>
            <tbody>
              {users.data?.map((u) => (
                <tr key={u.id}>
                  <td>{u.username}</td>
                  <td>{u.displayName}</td>
                  <td>
                    {u.roles
                      .map(
                        (r) =>
                          `${r.role}${r.studyId ? ` @ ${studyCode.get(r.studyId) ?? 'study'}` : ''}${r.siteId ? ' (one site)' : ''}`,
                      )
                      .join('; ') || '—'}
                  </td>
                  <td data-testid={`state-${u.username}`}>
                    {u.active
                      ? u.mustChangePassword
                        ? 'active (must change password)'
                        : 'active'
                      : `deactivated${u.deactivatedAt ? ` ${dateTimeText(u.deactivatedAt)}` : ''}`}
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
        <h3>Create a user</h3>
        <CreateUser onCreated={users.reload} />
        <h3>Assign a role</h3>
        <AssignRole
          users={users.data ?? []}
          studies={studies.data ?? []}
          sitesChanged={sitesChanged}
          onAssigned={users.reload}
        />
      </section>
      <section aria-labelledby="adm-amend">
        <h2 id="adm-amend">Study definition: versions and amendments</h2>
        <AmendDefinition studies={studies.data ?? []} onApplied={studies.reload} />
      </section>
      <section aria-labelledby="adm-import">
        <h2 id="adm-import">Import data</h2>
        <ImportData studies={studies.data ?? []} />
      </section>
    </section>
  );
}
