// Every check of a user's password goes through here: login, the e-signature (form signing) and the
// password change. They share one failure count and one lockout (21 CFR 11.300(d): attempts at
// unauthorized use are detected and stopped, whichever door they come through), and the count is
// decided atomically in the database (store: reservePasswordAttempt), so a burst of concurrent
// attempts cannot check more than the policy's number of passwords (issue 17).
import {
  type Db,
  recordRightPassword,
  recordWrongPassword,
  reservePasswordAttempt,
  type User,
} from '@msct/store';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../access/policy.js';
import type { ServerConfig } from '../config.js';
import { HttpProblem } from '../http/problem.js';
import { verifyPassword } from './password.js';

/** ok: the right password; wrong: counted; locked: refused unchecked (locked, inactive, or no slot free). */
export type AttemptOutcome = 'ok' | 'wrong' | 'locked';

export type AttemptVia = 'login' | 'e-signature' | 'password change';

export async function checkPasswordAttempt(
  db: Db,
  config: Pick<ServerConfig, 'lockoutAfter' | 'lockoutMinutes'>,
  user: Pick<User, 'id' | 'password_hash'>,
  password: string,
  via: AttemptVia,
): Promise<AttemptOutcome> {
  const slot = await reservePasswordAttempt(db, user.id, config.lockoutAfter);
  if (slot === undefined) {
    // Refused without looking at the answer, but after the same work, so the time does not tell.
    await verifyPassword(user.password_hash, password);
    return 'locked';
  }
  if (!(await verifyPassword(user.password_hash, password))) {
    await recordWrongPassword(db, user.id, config.lockoutAfter, config.lockoutMinutes, via);
    return 'wrong';
  }
  return (await recordRightPassword(db, user.id)) ? 'ok' : 'locked';
}

/** The problem for a refused re-entered password (signing, password change) of a logged-in user. */
export function refusedPassword(
  outcome: Exclude<AttemptOutcome, 'ok'>,
  field: string,
  config: Pick<ServerConfig, 'lockoutAfter' | 'lockoutMinutes'>,
  /** The answer's detail for a wrong password. */
  wrongDetail: string,
): HttpProblem {
  const message =
    outcome === 'locked'
      ? `your account is locked after ${config.lockoutAfter} wrong passwords: try again in ${config.lockoutMinutes} minutes`
      : 'wrong or missing password';
  return new HttpProblem('MSCT_E_UNAUTHENTICATED', outcome === 'locked' ? message : wrongDetail, {
    errors: [{ field, rule: outcome === 'locked' ? 'lockout' : 'signature', message }],
  });
}

// A session whose password was set by someone else may only do this until the password is changed.
const ALLOWED_WHILE_PASSWORD_CHANGE_REQUIRED = new Set([
  'GET /api/auth/me',
  'POST /api/auth/password',
  'POST /api/auth/logout',
  'POST /api/auth/logout-everywhere',
  'POST /api/auth/login',
  'GET /api/health',
]);

/** Throws 403 MSCT_E_PASSWORD_CHANGE_REQUIRED for any other request of such a session. */
export function enforcePasswordChange(req: FastifyRequest, principal: Principal): void {
  if (!principal.mustChangePassword) return;
  const path = req.url.split('?')[0];
  if (ALLOWED_WHILE_PASSWORD_CHANGE_REQUIRED.has(`${req.method} ${path}`)) return;
  throw new HttpProblem(
    'MSCT_E_PASSWORD_CHANGE_REQUIRED',
    'your password was set by someone else: choose a new one (POST /api/auth/password) before anything else',
  );
}
