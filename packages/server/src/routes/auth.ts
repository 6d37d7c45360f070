import { type Role, routes } from '@msct/contract';
import {
  createSession,
  deleteSession,
  deleteUserSessions,
  findUserByUsername,
  getUser,
  listRoles,
  setPassword,
} from '@msct/store';
import { principalOf } from '../access/guard.js';
import { checkPasswordAttempt, refusedPassword } from '../auth/attempts.js';
import { assertPasswordPolicy, dummyPasswordHash, hashPassword, verifyPassword } from '../auth/password.js';
import { schemaOf } from '../http/contract.js';
import { HttpProblem } from '../http/problem.js';
import { csrfTokenFor, SESSION_COOKIE } from '../http/session.js';
import type { App, RouteContext } from '../http/types.js';

export function registerAuthRoutes(app: App, { db, config }: RouteContext) {
  async function me(userId: string, token: string) {
    const user = await getUser(db, userId);
    const roles = await listRoles(db, userId);
    return {
      user: { id: user.id, username: user.username, displayName: user.display_name },
      mustChangePassword: user.must_change_password === 1,
      roles: roles.map((r) => ({ id: r.id, role: r.role as Role, studyId: r.study_id, siteId: r.site_id })),
      csrfToken: csrfTokenFor(token),
    };
  }

  app.post(
    '/api/auth/login',
    {
      config: { rateLimit: { max: config.loginRateLimitPerMinute, timeWindow: '1 minute' } },
      schema: schemaOf(routes.login),
    },
    async (req, reply) => {
      const { username, password } = req.body;
      const user = await findUserByUsername(db, username);
      // One answer for every refusal — unknown name, wrong password, inactive or locked account —
      // and one password check's time for each, so neither the text nor the timing tells whether
      // a username exists or is locked (OWASP Authentication Cheat Sheet, "Authentication and
      // error messages"). The answer says that lockout exists, so a locked-out user knows to wait.
      const fail = () =>
        new HttpProblem(
          'MSCT_E_UNAUTHENTICATED',
          `wrong username or password (after ${config.lockoutAfter} failed logins an account is locked for ${config.lockoutMinutes} minutes)`,
        );
      if (!user) {
        await verifyPassword(await dummyPasswordHash(), password);
        throw fail();
      }
      // Locked, inactive, out of attempt slots or wrong: refused alike. The count is reserved
      // atomically before the password is checked (auth/attempts.ts), so a burst of concurrent
      // attempts checks at most lockoutAfter passwords, and a right one is refused once locked.
      if ((await checkPasswordAttempt(db, config, user, password, 'login')) !== 'ok') throw fail();
      // A new token at every login: a session id planted before login is never promoted (no fixation).
      const old = req.cookies[SESSION_COOKIE];
      if (old) await deleteSession(db, old);
      const { token } = await createSession(db, user.id, config.sessionTtlMinutes, config.sessionMaxHours);
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: config.secureCookies,
        path: '/',
      });
      return me(user.id, token);
    },
  );

  app.get(
    '/api/auth/me',
    {
      schema: schemaOf(routes.me),
    },
    async (req) => {
      const p = principalOf(req);
      return me(p.userId, req.sessionToken!);
    },
  );

  app.post('/api/auth/logout', { schema: schemaOf(routes.logout) }, async (req, reply) => {
    principalOf(req);
    await deleteSession(db, req.sessionToken!);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.post(
    '/api/auth/logout-everywhere',
    { schema: schemaOf(routes.logoutEverywhere) },
    async (req, reply) => {
      const p = principalOf(req);
      await deleteUserSessions(db, p.userId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/auth/password',
    {
      schema: schemaOf(routes.changePassword),
    },
    async (req, reply) => {
      const p = principalOf(req);
      const user = await getUser(db, p.userId);
      const outcome = await checkPasswordAttempt(
        db,
        config,
        user,
        req.body.currentPassword,
        'password change',
      );
      if (outcome !== 'ok')
        throw refusedPassword(outcome, 'body.currentPassword', config, 'the current password is wrong');
      assertPasswordPolicy(req.body.newPassword, user.username, 'newPassword');
      // A password someone else chose is replaced, not confirmed (issue 17).
      if (user.must_change_password === 1 && req.body.newPassword === req.body.currentPassword)
        throw new HttpProblem('MSCT_E_VALIDATION', 'newPassword must differ from the current password', {
          errors: [
            {
              field: 'body.newPassword',
              rule: 'unchanged',
              message: 'must differ from the current password',
            },
          ],
        });
      await setPassword(
        db,
        { id: user.id, name: user.username },
        user.id,
        user.version,
        await hashPassword(req.body.newPassword),
      );
      await deleteUserSessions(db, user.id);
      const { token } = await createSession(db, user.id, config.sessionTtlMinutes, config.sessionMaxHours);
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: config.secureCookies,
        path: '/',
      });
      return reply.status(204).send();
    },
  );
}
