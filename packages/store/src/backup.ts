// Backup and restore. SQLite: the online backup API (consistent while the server runs) and a
// verified copy back. PostgreSQL: pg_dump / pg_restore in custom format, when the client tools exist.
// A backup is verified like the live database (audit/verify-database.ts: the hash chain and the data
// the trail must explain): a SQLite copy directly, a PostgreSQL dump by restoring it into a scratch
// database on the same server. A restore refuses while a server holds the database (server-lock.ts)
// and verifies the backup before it replaces anything.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { AuditAnchor } from './audit/anchor.js';
import { type DatabaseVerifyReport, describeProblems, verifyDatabase } from './audit/verify-database.js';
import { type Db, type Dialect, openDatabase, parseDatabaseUrl } from './database.js';
import { lockDatabase } from './server-lock.js';

const run = promisify(execFile);

export interface BackupReport {
  file: string;
  bytes: number;
  auditEvents: number;
  /** Audited rows the verification compared with the trail. */
  rowsChecked: number;
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
  const check = await verifyBackupFile(out, { pgUrl: db.dialect === 'postgres' ? db.url : undefined });
  if (!check.ok)
    throw new Error(
      `the backup written to ${out} does not verify:\n  ${describeProblems(check).join('\n  ')}`,
    );
  return {
    file: out,
    bytes: statSync(out).size,
    auditEvents: check.chain.eventsChecked,
    rowsChecked: rowsOf(check),
  };
}

const rowsOf = (r: DatabaseVerifyReport) => Object.values(r.data.rowsChecked).reduce((a, b) => a + b, 0);

/** Which kind of backup a file is, from its first bytes. */
export function backupDialect(file: string): Dialect {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(16);
    readSync(fd, head, 0, 16, 0);
    if (head.toString('latin1') === 'SQLite format 3\0') return 'sqlite';
    if (head.subarray(0, 5).toString('latin1') === 'PGDMP') return 'postgres';
  } finally {
    closeSync(fd);
  }
  throw new Error(`${file} is neither a SQLite database nor a pg_dump custom-format archive`);
}

export interface BackupVerifyReport extends DatabaseVerifyReport {
  dialect: Dialect;
  file: string;
}

/**
 * Verifies a backup file as `msct audit verify` verifies a database: SQLite's integrity check, the
 * hash chain, the data against the trail and, if given, an anchor. A PostgreSQL dump is restored into
 * a scratch database on the server of `pgUrl` (the role needs CREATEDB), checked there and dropped.
 */
export async function verifyBackupFile(
  file: string,
  opts: { pgUrl?: string; anchor?: AuditAnchor } = {},
): Promise<BackupVerifyReport> {
  const src = resolve(file);
  if (!existsSync(src)) throw new Error(`${src} does not exist`);
  const dialect = backupDialect(src);
  // The same checks on whichever copy the dialect gives: the SQLite file itself, or the scratch restore.
  const verifyCopy = async (url: string): Promise<BackupVerifyReport> => {
    const copy = openDatabase(url);
    try {
      return {
        ...(await verifyDatabase(copy, { anchor: opts.anchor, maxFindings: 1000 })),
        dialect,
        file: src,
      };
    } finally {
      await copy.close();
    }
  };
  if (dialect === 'sqlite') {
    const raw = new SQLite(src, { readonly: true });
    try {
      const integrity = raw.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') throw new Error(`the backup fails SQLite's integrity check: ${integrity}`);
    } finally {
      raw.close();
    }
    return verifyCopy(`sqlite:${src}`);
  }
  if (!opts.pgUrl || parseDatabaseUrl(opts.pgUrl).dialect !== 'postgres')
    throw new Error(
      `${src} is a PostgreSQL dump: verifying it needs a PostgreSQL server (set MSCT_DATABASE_URL to postgres://…)`,
    );
  return withScratchDatabase(opts.pgUrl, async (url) => {
    await run('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${url}`, src]).catch((e: Error) => {
      throw new Error(`pg_restore of ${src} into a scratch database failed: ${e.message}`);
    });
    return verifyCopy(url);
  });
}

async function withScratchDatabase<T>(serverUrl: string, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `msct_verify_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`).catch((e: Error) => {
      throw new Error(
        `cannot create a scratch database to verify the dump (${e.message}): the database role needs CREATEDB`,
      );
    });
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    try {
      return await fn(url.toString());
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
}

export interface RestoreReport {
  auditEvents: number;
  rowsChecked: number;
}

/**
 * Restores a backup into the database named by `url`. Refused while a server holds the database
 * (stop it first), and refused, before anything is replaced, when the backup does not verify. The
 * target must be empty (or `force`): a restore never silently replaces data. The restored database
 * is verified again.
 */
export async function restoreDatabase(
  url: string,
  file: string,
  opts: { force?: boolean; anchor?: AuditAnchor } = {},
): Promise<RestoreReport> {
  const src = resolve(file);
  if (!existsSync(src)) throw new Error(`${src} does not exist`);
  const { dialect, target } = parseDatabaseUrl(url);
  if (dialect === 'sqlite') mkdirSync(dirname(resolve(target)), { recursive: true });
  const lock = await lockDatabase(url, 'restore');
  try {
    if (backupDialect(src) !== dialect)
      throw new Error(`${src} is a ${backupDialect(src)} backup but the target database is ${dialect}`);
    if (dialect === 'sqlite') {
      const dest = resolve(target);
      if (existsSync(dest) && !opts.force)
        throw new Error(`${dest} exists: pass --force to replace it (make a backup of it first)`);
    } else {
      const db = openDatabase(url);
      try {
        const tables = await db.kysely.introspection.getTables();
        if (tables.some((t) => t.name === 'audit_events') && !opts.force)
          throw new Error('the target database already holds msct tables: pass --force to replace them');
      } finally {
        await db.close();
      }
    }
    // Checked before anything is replaced: a backup that does not verify never becomes the database.
    const check = await verifyBackupFile(src, {
      pgUrl: dialect === 'postgres' ? url : undefined,
      anchor: opts.anchor,
    });
    if (!check.ok)
      throw new Error(
        `the backup ${src} does not verify; nothing was replaced:\n  ${describeProblems(check).join('\n  ')}`,
      );
    if (dialect === 'sqlite') {
      const dest = resolve(target);
      // Copy beside the target, then rename: the target is never half-written.
      const tmp = `${dest}.restoring`;
      copyFileSync(src, tmp);
      for (const suffix of ['-wal', '-shm']) rmSync(`${dest}${suffix}`, { force: true });
      renameSync(tmp, dest);
    } else {
      await run('pg_restore', ['--clean', '--if-exists', '--no-owner', `--dbname=${target}`, src]);
    }
    const db = openDatabase(url);
    try {
      const after = await verifyDatabase(db, { anchor: opts.anchor, maxFindings: 1000 });
      if (!after.ok)
        throw new Error(`the restored database does not verify:\n  ${describeProblems(after).join('\n  ')}`);
      return { auditEvents: after.chain.eventsChecked, rowsChecked: rowsOf(after) };
    } finally {
      await db.close();
    }
  } finally {
    await lock.release();
  }
}
