// Who holds the database (issue 17, finding 8). `msct restore --force` used to replace the database
// under a running server, which went on acknowledging writes into a file or schema that was then
// gone. A running server now holds a lock for its lifetime, and a restore takes the same lock
// exclusively, so it refuses while a server runs (and a server refuses to start during a restore).
//   SQLite: a lock file beside the database (`<file>.lock`, mode 0600) naming the holder's pid; a
//   holder whose process is gone (a crash, SIGKILL) is stale and replaced.
//   PostgreSQL: a session advisory lock on a connection of its own, shared by servers (several may
//   serve one database) and exclusive for a restore; the database releases it when the holder's
//   session ends, however it ends.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import pg from 'pg';
import { parseDatabaseUrl } from './database.js';

export type LockHolder = 'server' | 'restore';

export interface DatabaseLock {
  /** Where the lock lives (the lock file, or the advisory lock key). */
  readonly where: string;
  release(): Promise<void>;
}

/** Advisory lock key (two int4): 'msct' and 1, scoped by PostgreSQL to the current database. */
const PG_LOCK_KEY = [0x6d736374, 1] as const;

export class DatabaseInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseInUseError';
  }
}

/** The lock file of a SQLite database. */
export const sqliteLockFile = (target: string) => `${resolve(target)}.lock`;

interface LockFileContent {
  holder: LockHolder;
  pid: number;
  host: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLockFile(file: string): LockFileContent | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockFileContent;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Unreadable or half-written: treat as held by nobody we can name, but held.
    return { holder: 'server', pid: -1, host: hostname(), since: '?' };
  }
}

function inUseMessage(holder: LockHolder, other: LockFileContent | null, where: string): string {
  const who =
    other === null
      ? 'an msct server'
      : other.holder === 'restore'
        ? `a restore${other.pid > 0 ? ` (pid ${other.pid}, since ${other.since})` : ''}`
        : `an msct server${other.pid > 0 ? ` (pid ${other.pid}${other.host !== hostname() ? ` on ${other.host}` : ''}, since ${other.since})` : ''}`;
  return holder === 'restore'
    ? `the database is in use by ${who}: stop the server first (Ctrl-C, or kill -TERM ${other?.pid ?? 'its pid'}), then restore; writes it acknowledged after a restore would be lost (lock: ${where})`
    : `the database is held by ${who}: wait for it to finish or stop it before starting a server (lock: ${where})`;
}

/**
 * Takes the database for a server (shared on PostgreSQL) or a restore (exclusive). Throws
 * DatabaseInUseError, saying what to do, when another holder has it.
 */
export async function lockDatabase(
  url: string,
  holder: LockHolder,
  opts: { onLost?: (why: Error) => void } = {},
): Promise<DatabaseLock> {
  const { dialect, target } = parseDatabaseUrl(url);
  if (dialect === 'sqlite') return lockSqlite(target, holder);
  return lockPostgres(target, holder, opts.onLost);
}

function lockSqlite(target: string, holder: LockHolder): DatabaseLock {
  if (target === ':memory:') return { where: 'memory', release: async () => undefined };
  const file = sqliteLockFile(target);
  // On a fresh install the data directory does not exist yet (README quick start: ./data/msct.sqlite);
  // the lock is taken before the database is opened, so it makes the directory, 0700 as openDatabase does.
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const mine: LockFileContent = {
    holder,
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // 'wx': created only if absent, atomically; 0600 like the database itself.
      writeFileSync(file, `${JSON.stringify(mine)}\n`, { flag: 'wx', mode: 0o600 });
      return {
        where: file,
        release: async () => {
          const now = readLockFile(file);
          if (now && now.pid === mine.pid && now.since === mine.since) rmSync(file, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const other = readLockFile(file);
    if (!other) continue;
    // A holder on this machine whose process is gone left a stale lock (crash, SIGKILL): take it over.
    if (other.host === hostname() && other.pid > 0 && !alive(other.pid)) {
      rmSync(file, { force: true });
      continue;
    }
    throw new DatabaseInUseError(
      `${inUseMessage(holder, other, file)}${other.pid > 0 ? '' : '; if no msct process uses the database, delete the lock file'}`,
    );
  }
  throw new DatabaseInUseError(inUseMessage(holder, null, file));
}

async function takePgLock(target: string, holder: LockHolder, where: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: target,
    application_name: `msct ${holder} (pid ${process.pid} on ${hostname()})`.slice(0, 63),
  });
  await client.connect();
  // The lock lives as long as this session; an error on an idle connection must not end the process.
  client.on('error', () => undefined);
  const fn = holder === 'server' ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
  const r = await client.query<{ ok: boolean }>(`select ${fn}($1, $2) as ok`, [...PG_LOCK_KEY]);
  if (!r.rows[0]?.ok) {
    // Name the holders: their sessions carry the holder's pid and host in application_name.
    const holders = await client
      .query<{ application_name: string }>(
        `select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid
         where l.locktype = 'advisory' and l.classid = $1 and l.objid = $2 and l.granted
           and l.database = (select oid from pg_database where datname = current_database())`,
        [...PG_LOCK_KEY],
      )
      .then((q) => q.rows.map((h) => h.application_name).join(', '))
      .catch(() => '');
    await client.end().catch(() => undefined);
    // Only a restore's exclusive lock keeps a server out; a restore is kept out by servers.
    const other: LockFileContent | null =
      holder === 'server' ? { holder: 'restore', pid: -1, host: hostname(), since: '' } : null;
    throw new DatabaseInUseError(
      `${inUseMessage(holder, other, where)}${holders ? `; held by: ${holders}` : ''}`,
    );
  }
  return client;
}

/**
 * A server's lock lives on one session: if that session ends (the database restarted, the
 * connection was cut), the lock is taken again at once; if a restore got it meanwhile, `onLost` is
 * called (the server must stop: its database is being replaced).
 */
async function lockPostgres(
  target: string,
  holder: LockHolder,
  onLost?: (why: Error) => void,
): Promise<DatabaseLock> {
  const where = `PostgreSQL advisory lock (${PG_LOCK_KEY.join(', ')})`;
  let client = await takePgLock(target, holder, where);
  let released = false;
  let retry: NodeJS.Timeout | undefined;
  const watch = (c: pg.Client) =>
    c.once('end', () => {
      if (released) return;
      const again = () => {
        retry = undefined;
        if (released) return;
        takePgLock(target, holder, where).then(
          (next) => {
            if (released) return void next.end().catch(() => undefined);
            client = next;
            watch(next);
          },
          (e: Error) => {
            if (e instanceof DatabaseInUseError) onLost?.(e);
            else retry = setTimeout(again, 1000);
          },
        );
      };
      again();
    });
  watch(client);
  return {
    where,
    release: async () => {
      released = true;
      if (retry) clearTimeout(retry);
      await client.end().catch(() => undefined);
    },
  };
}
