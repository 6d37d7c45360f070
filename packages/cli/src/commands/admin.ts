import { configFromEnv, hashPassword, passwordProblems } from '@msct/server';
import {
  assignRole,
  backupDatabase,
  createUser,
  findStudyByCode,
  listSites,
  migrateToLatest,
  openDatabase,
  ROLES,
  type Role,
  restoreDatabase,
  revertMigration,
  verifyAuditChain,
} from '@msct/store';

export async function migrateCommand(opts: { revert?: string } = {}): Promise<void> {
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    if (opts.revert) {
      const back = await revertMigration(db, opts.revert);
      if (back.error) throw new Error(`revert failed: ${back.error}`);
      console.log(`reverted: ${back.applied.join(', ')}`);
      return;
    }
    const r = await migrateToLatest(db);
    if (r.error) throw new Error(`migration failed: ${r.error}`);
    console.log(r.applied.length ? `applied: ${r.applied.join(', ')}` : 'the schema is up to date');
  } finally {
    await db.close();
  }
}

export interface UserAddOptions {
  name?: string;
  role?: string;
  study?: string;
  site?: string;
}

/** `msct user add USERNAME`: the password is read from MSCT_NEW_PASSWORD or standard input, never an argument. */
export async function userAddCommand(
  username: string,
  opts: UserAddOptions,
  readPassword: () => Promise<string>,
): Promise<void> {
  const password = process.env.MSCT_NEW_PASSWORD ?? (await readPassword());
  const problems = passwordProblems(password, username);
  if (problems.length > 0) throw new Error(`password ${problems.join('; ')}`);
  if (opts.role && !ROLES.includes(opts.role as Role))
    throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const r = await migrateToLatest(db);
    if (r.error) throw new Error(`migration failed: ${r.error}`);
    const actor = { id: null, name: 'cli' };
    let studyId: string | null = null;
    let siteId: string | null = null;
    if (opts.study) {
      const study = await findStudyByCode(db, opts.study);
      if (!study) throw new Error(`--study: no study with code "${opts.study}"`);
      studyId = study.id;
      if (opts.site) {
        const site = (await listSites(db, study.id)).find((s) => s.code === opts.site);
        if (!site) throw new Error(`--site: no site "${opts.site}" in study ${opts.study}`);
        siteId = site.id;
      }
    }
    if (opts.role && opts.role !== 'admin' && !studyId)
      throw new Error('--study is required for every role but admin');
    const user = await createUser(db, actor, {
      username,
      displayName: opts.name ?? username,
      passwordHash: await hashPassword(password),
      // Set by whoever ran the command: the user chooses their own at the first login (issue 17).
      mustChangePassword: true,
    });
    if (opts.role)
      await assignRole(db, actor, {
        userId: user.id,
        role: opts.role as Role,
        studyId: opts.role === 'admin' ? null : studyId,
        siteId: opts.role === 'admin' ? null : siteId,
      });
    console.log(
      `created user ${username}${opts.role ? ` (${opts.role}${opts.site ? ` at ${opts.site}` : ''})` : ''}; the password must be changed at the first login`,
    );
  } finally {
    await db.close();
  }
}

export async function auditVerifyCommand(): Promise<number> {
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const r = await verifyAuditChain(db);
    if (r.ok) {
      console.log(`audit chain intact: ${r.eventsChecked} events verified`);
      return 0;
    }
    console.error(
      `audit chain BROKEN at event ${r.firstBreak?.seq}: ${r.firstBreak?.problem} (${r.eventsChecked} events before it verified)`,
    );
    return 1;
  } finally {
    await db.close();
  }
}

export async function backupCommand(file: string | undefined): Promise<void> {
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const out =
      file ??
      `./backups/msct-${new Date().toISOString().replaceAll(':', '-').slice(0, 19)}.${db.dialect === 'sqlite' ? 'sqlite' : 'pgdump'}`;
    const r = await backupDatabase(db, out);
    console.log(
      `backup written to ${r.file} (${r.bytes} bytes${r.auditEvents >= 0 ? `, audit chain of ${r.auditEvents} events verified` : ''})`,
    );
  } finally {
    await db.close();
  }
}

export async function restoreCommand(file: string, opts: { force?: boolean }): Promise<void> {
  const r = await restoreDatabase(configFromEnv().databaseUrl, file, opts);
  console.log(`restored ${file}; audit chain of ${r.auditEvents} events verified`);
}
