import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { hashPassword, passwordProblems } from '@msct/server';
import { assignRole, countUsers, createUser, type Db, migrateToLatest } from '@msct/store';

export interface BootstrapResult {
  migrationsApplied: string[];
  admin?: { username: string; passwordSource: 'environment' | 'file'; passwordFile?: string };
}

/**
 * Migrates, then creates the first admin if there are no users. The password comes from
 * MSCT_ADMIN_PASSWORD or MSCT_ADMIN_PASSWORD_FILE; otherwise a random one is generated and written to
 * a file readable only by its owner, whose path is printed — never a hard-coded password. Either way
 * the first login may only change it (issue 17).
 */
export async function bootstrap(db: Db, env: NodeJS.ProcessEnv, dataDir: string): Promise<BootstrapResult> {
  const report = await migrateToLatest(db);
  if (report.error) throw new Error(`database migration failed: ${report.error}`);
  if ((await countUsers(db)) > 0) return { migrationsApplied: report.applied };

  const username = env.MSCT_ADMIN_USERNAME || 'admin';
  let password = env.MSCT_ADMIN_PASSWORD;
  let passwordSource: 'environment' | 'file' = 'environment';
  let passwordFile: string | undefined;
  if (!password && env.MSCT_ADMIN_PASSWORD_FILE)
    password = readFileSync(env.MSCT_ADMIN_PASSWORD_FILE, 'utf8').trim();
  if (password) {
    const problems = passwordProblems(password, username);
    if (problems.length > 0) throw new Error(`MSCT_ADMIN_PASSWORD ${problems.join('; ')}`);
  } else {
    password = randomBytes(18).toString('base64url');
    passwordSource = 'file';
    passwordFile = resolve(dataDir, 'initial-admin-password.txt');
    mkdirSync(dirname(passwordFile), { recursive: true, mode: 0o700 });
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    chmodSync(passwordFile, 0o600);
  }
  const system = { id: null, name: 'system' };
  const admin = await createUser(db, system, {
    username,
    displayName: 'Administrator',
    passwordHash: await hashPassword(password),
    // Generated or handed over through the environment: the admin chooses their own at the first login.
    mustChangePassword: true,
  });
  await assignRole(db, system, { userId: admin.id, role: 'admin', studyId: null, siteId: null });
  return {
    migrationsApplied: report.applied,
    admin: { username, passwordSource, ...(passwordFile ? { passwordFile } : {}) },
  };
}

/** Where the data directory is: beside the SQLite file, or ./data for PostgreSQL. */
export function dataDirFor(location: string, dialect: 'sqlite' | 'postgres'): string {
  return dialect === 'sqlite' && location.startsWith('/') ? dirname(location) : resolve('data');
}
