// Who is logged in, with which roles; login and logout.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { api, setCsrfToken } from './api/client.js';
import { ApiError } from './api/problem.js';
import type { Me, Role } from './api/types.js';
import { t } from './i18n/index.js';

interface SessionValue {
  me: Me | null;
  login(username: string, password: string): Promise<void>;
  /** Changes the own password; the server answers with a new session, whose CSRF token is read again. */
  changePassword(currentPassword: string, newPassword: string): Promise<void>;
  logout(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);

  useEffect(() => {
    api
      .get('/api/auth/me')
      .then((m) => {
        setCsrfToken(m.csrfToken);
        setMe(m);
      })
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 401) setMe(null);
        else setMe(null);
      });
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    const m = await api.post('/api/auth/login', { body: { username, password } });
    setCsrfToken(m.csrfToken);
    setMe(m);
  }, []);

  const changePassword = useCallback(async (currentPassword: string, newPassword: string) => {
    await api.post('/api/auth/password', { body: { currentPassword, newPassword } });
    const m = await api.get('/api/auth/me');
    setCsrfToken(m.csrfToken);
    setMe(m);
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.post('/api/auth/logout');
    } finally {
      setCsrfToken('');
      setMe(null);
    }
  }, []);

  if (me === undefined) return <p className="loading">{t('app.loading')}</p>;
  return (
    <SessionContext.Provider value={{ me, login, changePassword, logout }}>
      {children}
    </SessionContext.Provider>
  );
}

export function useSession(): SessionValue {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('not logged in');
  return me;
}

/**
 * Whether the user holds `role` for this study (and site, when given). A hint for what to show:
 * the server decides every access itself.
 */
export function hasRole(me: Me, roles: Role | readonly Role[], studyId?: string, siteId?: string): boolean {
  const wanted = typeof roles === 'string' ? [roles] : roles;
  return me.roles.some(
    (r) =>
      (r.role === 'admin' || wanted.includes(r.role)) &&
      (r.studyId === null || studyId === undefined || r.studyId === studyId) &&
      (r.siteId === null || siteId === undefined || r.siteId === siteId),
  );
}

export const isAdmin = (me: Me) => me.roles.some((r) => r.role === 'admin');
