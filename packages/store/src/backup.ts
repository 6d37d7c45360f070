// Backup and restore. SQLite: the online backup API (consistent while the server runs) and a
// verified copy back. PostgreSQL: pg_dump / pg_restore in custom format, when the client tools exist.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import SQLite from 'better-sqlite3';
import { verifyAuditChain } from './audit/verify.js';
import { type Db, openDatabase, parseDatabaseUrl } from './database.js';

const run = promisify(execFile);

export interface BackupReport {
  file: string;
  bytes: number;
  auditEvents: number;
}

/** Writes a consistent backup of the live database to `file` and checks the copy. */
export async function backupDatabase(db: Db, file: string): Promise<BackupReport> {
  const out = resolve(file);
  mkdirSync(dirname(out), { recursive: true });
  if (existsSync(out)) throw new Error(`${out} exists: choose a new backup file name`);
  if (db.dialect === 'sqlite') {
    if (!db.sqlite) throw new Error('no SQLite handle');
    await db.sqlite.backup(out);
  } else {
    await run('pg_dump', ['--format=custom', '--no-owner', `--file=${out}`, db.url]).catch((e: Error) => {
      throw new Error(`pg_dump failed (is the PostgreSQL client installed?): ${e.message}`);
    });
  }
  const check = await verifyBackup(db.dialect, out);
  return { file: out, bytes: statSync(out).size, auditEvents: check.auditEvents };
}

async function verifyBackup(dialect: Db['dialect'], file: string): Promise<{ auditEvents: number }> {
  if (dialect === 'postgres') {
    await run('pg_restore', ['--list', file]);
    return { auditEvents: -1 };
  }
  const raw = new SQLite(file, { readonly: true });
  try {
    const integrity = raw.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`the backup fails SQLite's integrity check: ${integrity}`);
  } finally {
    raw.close();
  }
  const copy = openDatabase(`sqlite:${file}`);
  try {
    const chain = await verifyAuditChain(copy);
    if (!chain.ok) throw new Error(`the backup's audit chain is broken at event ${chain.firstBreak?.seq}`);
    return { auditEvents: chain.eventsChecked };
  } finally {
    await copy.close();
  }
}

/**
 * Restores a backup into the database named by `url`. The target must be empty (or `force`): a
 * restore never silently replaces data. The server must be stopped. The restored audit chain is verified.
 */
export async function restoreDatabase(
  url: string,
  file: string,
  opts: { force?: boolean } = {},
): Promise<{ auditEvents: number }> {
  const src = resolve(file);
  if (!existsSync(src)) throw new Error(`${src} does not exist`);
  const { dialect, target } = parseDatabaseUrl(url);
  if (dialect === 'sqlite') {
    await verifyBackup('sqlite', src);
    const dest = resolve(target);
    if (existsSync(dest) && !opts.force)
      throw new Error(`${dest} exists: pass --force to replace it (make a backup of it first)`);
    mkdirSync(dirname(dest), { recursive: true });
    // Copy beside the target, then rename: the target is never half-written.
    const tmp = `${dest}.restoring`;
    copyFileSync(src, tmp);
    for (const suffix of ['-wal', '-shm']) rmSync(`${dest}${suffix}`, { force: true });
    renameSync(tmp, dest);
  } else {
    const db = openDatabase(url);
    try {
      const tables = await db.kysely.introspection.getTables();
      if (tables.some((t) => t.name === 'audit_events') && !opts.force)
        throw new Error('the target database already holds msct tables: pass --force to replace them');
    } finally {
      await db.close();
    }
    await run('pg_restore', ['--clean', '--if-exists', '--no-owner', `--dbname=${target}`, src]);
  }
  const db = openDatabase(url);
  try {
    const chain = await verifyAuditChain(db);
    if (!chain.ok) throw new Error(`the restored audit chain is broken at event ${chain.firstBreak?.seq}`);
    return { auditEvents: chain.eventsChecked };
  } finally {
    await db.close();
  }
}
