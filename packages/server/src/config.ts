import { DEFAULT_DATABASE_URL } from '@msct/store';
import { FILE_KINDS, type FileKind } from './attachments/file-kind.js';

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
  /** Attachments (issue 22): the largest file accepted, in bytes (MSCT_ATTACHMENT_MAX_BYTES, default 20 MiB). */
  attachmentMaxBytes?: number;
  /** The kinds of file accepted (MSCT_ATTACHMENT_TYPES, comma-separated; default all of FILE_KINDS). */
  attachmentKinds?: FileKind[];
  /** A virus scanner run as `command <file>` before an upload is accepted (MSCT_SCAN_COMMAND). */
  scanCommand?: string;
  /**
   * How long /endpoints and /analysis wait for a derivation running in the background before they
   * answer 202 "computing" (MSCT_DERIVATION_WAIT_MS, default 2 000 ms; issue 16).
   */
  derivationWaitMs: number;
}

/** MSCT_ATTACHMENT_TYPES: a comma-separated list of FILE_KINDS; an unknown kind is a start-up error. */
function attachmentKinds(raw: string | undefined): FileKind[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const kinds = raw
    .split(',')
    .map((k) => k.trim().toLowerCase())
    .filter(Boolean);
  for (const k of kinds)
    if (!(FILE_KINDS as readonly string[]).includes(k))
      throw new Error(`MSCT_ATTACHMENT_TYPES: "${k}" is not one of ${FILE_KINDS.join(', ')}`);
  return kinds as FileKind[];
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
    derivationWaitMs: int('MSCT_DERIVATION_WAIT_MS', 2_000),
    ...(env.MSCT_DATA_DIR ? { dataDir: env.MSCT_DATA_DIR } : {}),
    ...(env.MSCT_ATTACHMENT_MAX_BYTES ? { attachmentMaxBytes: int('MSCT_ATTACHMENT_MAX_BYTES', 0) } : {}),
    ...(attachmentKinds(env.MSCT_ATTACHMENT_TYPES)
      ? { attachmentKinds: attachmentKinds(env.MSCT_ATTACHMENT_TYPES) }
      : {}),
    ...(env.MSCT_SCAN_COMMAND ? { scanCommand: env.MSCT_SCAN_COMMAND } : {}),
  };
}
