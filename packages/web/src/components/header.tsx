import { useEffect, useState } from 'react';
import { Link, match, navigate, usePath } from '../router.js';
import { isAdmin, useMe, useSession } from '../session.js';
import { QuickFind } from './quick-find.js';

export function Header() {
  const me = useMe();
  const { logout } = useSession();
  const roles = [...new Set(me.roles.map((r) => r.role))].join(', ') || 'no role';
  // Inside a study (its home and its pages), a quick search for a subject.
  const path = usePath();
  const inStudy = (match('/studies/:studyId', path) ?? match('/studies/:studyId/:page', path))?.studyId;
  // On a subject's or a visit's page the search stays in the study last opened; the studies list ends it.
  const [studyId, setStudyId] = useState<string | undefined>(inStudy);
  useEffect(() => {
    if (inStudy) setStudyId(inStudy);
    else if (path === '/' || path === '/admin') setStudyId(undefined);
  }, [inStudy, path]);
  return (
    <header className="app-header">
      <nav aria-label="Main">
        <Link href="/" className="brand">
          msct
        </Link>
        <Link href="/">Studies</Link>
        {isAdmin(me) && <Link href="/admin">Admin</Link>}
      </nav>
      {studyId && <QuickFind studyId={studyId} />}
      <div className="who">
        <span data-testid="current-user">
          {me.user.displayName} ({me.user.username})
        </span>{' '}
        <span className="roles" data-testid="current-roles">
          {roles}
        </span>
        <button
          type="button"
          onClick={async () => {
            await logout();
            navigate('/');
          }}
        >
          Log out
        </button>
      </div>
    </header>
  );
}
