// The session cookie and its CSRF token: shared by the app's CSRF guard (app.ts) and the login
// routes (routes/auth.ts), in a module of their own so neither imports the other.
import { createHash } from 'node:crypto';

export const SESSION_COOKIE = 'msct_session';

/** The CSRF token of a session: derived from the session token, so it needs no storage. */
export const csrfTokenFor = (sessionToken: string) =>
  createHash('sha256').update(`csrf:${sessionToken}`).digest('base64url');
