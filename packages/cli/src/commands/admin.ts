import { readFileSync, writeFileSync } from 'node:fs';
import { configFromEnv, hashPassword, passwordProblems } from '@msct/server';
import {
  assignRole,
  backupDatabase,
  createUser,
  type DatabaseVerifyReport,
  findStudyByCode,
  formatFinding,
  listSites,
  migrateToLatest,
  openDatabase,
  parseAuditAnchor,
  parseDatabaseUrl,
  ROLES,
  type Role,
  readAuditAnchor,
  restoreDatabase,
  revertMigration,
  verifyBackupFile,
  verifyDatabase,
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

export interface AuditVerifyOptions {
  json?: boolean;
  anchor?: string;
  backup?: string;
}

/**
 * `msct audit verify`: the hash chain, every audited row against the trail (issue 17) and, with
 * --anchor, an exported head. Each finding is printed as it is found; exit 1 if there is any.
 * --backup FILE checks a backup file (SQLite copy or pg_dump archive) the same way.
 */
export async function auditVerifyCommand(opts: AuditVerifyOptions = {}): Promise<number> {
  const anchor = opts.anchor ? parseAuditAnchor(readFileSync(opts.anchor, 'utf8')) : undefined;
  const print = (line: string) => {
    if (!opts.json) console.log(line);
  };
  let report: DatabaseVerifyReport;
  let subject: string;
  if (opts.backup) {
    const url = configFromEnv().databaseUrl;
    report = await verifyBackupFile(opts.backup, {
      pgUrl: parseDatabaseUrl(url).dialect === 'postgres' ? url : undefined,
      anchor,
    });
    subject = `backup ${opts.backup}`;
    if (!opts.json) for (const f of report.data.findings) print(`FINDING ${formatFinding(f)}`);
  } else {
    const db = openDatabase(configFromEnv().databaseUrl);
    try {
      report = await verifyDatabase(db, { anchor, onFinding: (f) => print(`FINDING ${formatFinding(f)}`) });
      subject = `database ${db.location}`;
    } finally {
      await db.close();
    }
  }
  if (opts.json) {
    console.log(JSON.stringify({ subject, ...report }, null, 2));
    return report.ok ? 0 : 1;
  }
  const c = report.chain;
  if (c.ok) print(`audit chain intact: ${c.eventsChecked} events verified`);
  else
    console.error(
      `audit chain BROKEN at event ${c.firstBreak?.seq}: ${c.firstBreak?.problem} (${c.eventsChecked} events before it verified)`,
    );
  if (report.anchor)
    if (report.anchor.ok) print(`anchor ${opts.anchor}: event ${anchor?.seq} is in the chain with its hash`);
    else console.error(`anchor ${opts.anchor} FAILED: ${report.anchor.problem}`);
  const rows = Object.values(report.data.rowsChecked).reduce((a, b) => a + b, 0);
  const unprovable = Object.entries(report.data.unprovable);
  if (report.data.ok)
    print(
      `data: all ${rows} audited rows explained by the trail (${Object.entries(report.data.rowsChecked)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ')})`,
    );
  else
    console.error(
      `data: ${report.data.findingsTotal} finding${report.data.findingsTotal === 1 ? '' : 's'}: rows the audit trail does not explain (of ${rows} checked)`,
    );
  if (unprovable.length > 0)
    print(
      `not provable (recorded before creation events carried them): ${unprovable.map(([k, n]) => `${k} ${n}`).join(', ')}`,
    );
  print(`${subject}: verified in ${report.ms} ms — ${report.ok ? 'OK' : 'FAILED'}`);
  return report.ok ? 0 : 1;
}

/** `msct audit head`: the chain head to keep outside the database (an anchor for `audit verify --anchor`). */
export async function auditHeadCommand(opts: { out?: string }): Promise<void> {
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const anchor = await readAuditAnchor(db);
    const text = `${JSON.stringify(anchor, null, 2)}\n`;
    if (opts.out) {
      // A new file only (never overwrite an earlier anchor), readable by its owner alone.
      writeFileSync(opts.out, text, { flag: 'wx', mode: 0o600 });
      console.log(
        `audit head: event ${anchor.seq} (${anchor.at ?? 'empty chain'}), hash ${anchor.hash}; anchor written to ${opts.out}: keep it outside the database server`,
      );
    } else process.stdout.write(text);
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
      `backup written to ${r.file} (${r.bytes} bytes, audit chain of ${r.auditEvents} events and ${r.rowsChecked} audited rows verified)`,
    );
  } finally {
    await db.close();
  }
}

export async function restoreCommand(
  file: string,
  opts: { force?: boolean; anchor?: string },
): Promise<void> {
  const anchor = opts.anchor ? parseAuditAnchor(readFileSync(opts.anchor, 'utf8')) : undefined;
  const r = await restoreDatabase(configFromEnv().databaseUrl, file, { force: opts.force, anchor });
  console.log(
    `restored ${file}; audit chain of ${r.auditEvents} events and ${r.rowsChecked} audited rows verified (before and after)`,
  );
}
