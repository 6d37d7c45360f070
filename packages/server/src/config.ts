import { DEFAULT_DATABASE_URL } from '@msct/store';

export interface ServerConfig {
  databaseUrl: string;
  host: string;
  port: number;
  /** Idle session lifetime. */
  sessionTtlMinutes: number;
  /** Absolute session lifetime from login, however active the session (issue 17). */
  sessionMaxHours: number;
  /** Set the Secure flag on cookies (behind HTTPS). */
  secureCookies: boolean;
  /** Failed logins before an account is locked, and for how long. */
  lockoutAfter: number;
  lockoutMinutes: number;
  /** Login attempts per IP per minute. */
  loginRateLimitPerMinute: number;
  /** Directory of the built web app; undefined = do not serve it. */
  webRoot?: string;
  bodyLimitBytes: number;
  /**
   * The data directory (export files live in its `exports/`): `msct start` sets it beside the
   * SQLite file (or ./data); MSCT_DATA_DIR overrides. Undefined: a temporary directory, removed
   * when the server closes (tests).
   */
  dataDir?: string;
}

/** Reads configuration from the environment; secrets come only from there (never from code or logs). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const int = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
    return n;
  };
  return {
    databaseUrl: env.MSCT_DATABASE_URL || DEFAULT_DATABASE_URL,
    host: env.MSCT_HOST || '127.0.0.1',
    port: int('MSCT_PORT', 3000),
    sessionTtlMinutes: int('MSCT_SESSION_TTL_MINUTES', 30),
    sessionMaxHours: int('MSCT_SESSION_MAX_HOURS', 12),
    secureCookies: env.MSCT_SECURE_COOKIES === '1',
    lockoutAfter: int('MSCT_LOCKOUT_AFTER', 5),
    lockoutMinutes: int('MSCT_LOCKOUT_MINUTES', 15),
    loginRateLimitPerMinute: int('MSCT_LOGIN_RATE_LIMIT', 20),
    bodyLimitBytes: int('MSCT_BODY_LIMIT_BYTES', 1_048_576),
    ...(env.MSCT_DATA_DIR ? { dataDir: env.MSCT_DATA_DIR } : {}),
  };
}
