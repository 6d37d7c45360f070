import { mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStudy, type Db, migrateToLatest, openDatabase } from './index.js';
import { nodeWalSyncIo, WalSync, type WalSyncIo } from './wal-sync.js';

/** An io whose fsyncs finish only when the test says so. */
function heldIo(inode = 7) {
  const calls: string[] = [];
  const waiting: (() => void)[] = [];
  const io: WalSyncIo = {
    syncFile: (path) =>
      new Promise((resolve) => {
        calls.push(`file ${path}`);
        waiting.push(() => resolve(inode));
      }),
    syncDir: async (path) => {
      calls.push(`dir ${path}`);
    },
  };
  const finishOne = async () => {
    waiting.shift()?.();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  return { io, calls, finishOne, pending: () => waiting.length };
}

describe('WalSync', () => {
  it('syncs the -wal file, the directory once per inode, and serves callers arriving during a sync with the next one', async () => {
    const { io, calls, finishOne, pending } = heldIo();
    const sync = new WalSync('/data/msct.sqlite', io);
    const done: number[] = [];
    sync.sync().then(() => done.push(1));
    // These arrive while the first fsync runs: it may have started before their commits.
    for (let i = 2; i <= 6; i++) sync.sync().then(() => done.push(i));
    expect(pending()).toBe(1);
    await finishOne();
    expect(done).toEqual([1]);
    expect(pending()).toBe(1); // one more fsync for the five waiting callers, not five
    await finishOne();
    expect(done).toEqual([1, 2, 3, 4, 5, 6]);
    expect(calls).toEqual(['file /data/msct.sqlite-wal', 'dir /data', 'file /data/msct.sqlite-wal']);
    expect(sync.syncs).toBe(2);
  });

  it('after a failed fsync every later sync fails too, naming the file', async () => {
    const sync = new WalSync('/data/x.sqlite', {
      syncFile: async () => {
        throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
      },
      syncDir: async () => undefined,
    });
    await expect(sync.sync()).rejects.toThrow(/fsync of \/data\/x\.sqlite-wal failed \(EIO: i\/o error\)/);
    await expect(sync.sync()).rejects.toThrow(/restart the server/);
  });

  it('a missing WAL (nothing written since the last checkpoint removed it) has nothing to sync', async () => {
    const sync = new WalSync('/data/x.sqlite', {
      syncFile: async () => {
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      },
      syncDir: async () => undefined,
    });
    await expect(sync.sync()).resolves.toBeUndefined();
  });
});

describe('nodeWalSyncIo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'msct-walio-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** This process's open descriptors on `path` (Linux /proc). */
  const openOn = (path: string) =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith(path);
      } catch {
        return false; // the directory's own descriptor, closed by now
      }
    }).length;

  it('keeps one descriptor on the WAL across syncs and releases it on close', async () => {
    const wal = join(dir, 'a.sqlite-wal');
    writeFileSync(wal, 'frames');
    const io = nodeWalSyncIo();
    expect(await io.syncFile(wal)).toBe(statSync(wal).ino);
    expect(openOn(wal)).toBe(1);
    expect(await io.syncFile(wal)).toBe(statSync(wal).ino);
    expect(openOn(wal)).toBe(1);
    await io.close?.();
    expect(openOn(wal)).toBe(0);
  });

  it('syncs the new file when the WAL at the path was replaced, and reports a removed one as missing', async () => {
    const wal = join(dir, 'b.sqlite-wal');
    writeFileSync(wal, 'old');
    const io = nodeWalSyncIo();
    const first = await io.syncFile(wal);
    rmSync(wal);
    writeFileSync(wal, 'new');
    const second = statSync(wal).ino;
    expect(second).not.toBe(first); // the old inode is still held open, so it cannot be reused
    expect(await io.syncFile(wal)).toBe(second);
    expect(openOn(wal)).toBe(1); // the old file's descriptor was dropped (readlink says "(deleted)" for it)
    rmSync(wal);
    await expect(io.syncFile(wal)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(openOn(wal)).toBe(0);
    await io.close?.();
  });
});

describe('SQLite commits are acknowledged only once the WAL is synced', () => {
  const dir = mkdtempSync(join(tmpdir(), 'msct-walsync-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const system = { id: null, name: 'system' };

  it('a file database commits with synchronous=NORMAL and fsyncs the WAL off the event loop', async () => {
    const db = openDatabase(`sqlite:${join(dir, 'real.sqlite')}`);
    try {
      await migrateToLatest(db);
      expect(db.sqlite!.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      const before = db.walSync!.syncs;
      await createStudy(db, system, { code: 'W1', title: 'W1', definition: {} });
      expect(db.walSync!.syncs).toBeGreaterThan(before);
    } finally {
      await db.close();
    }
  });

  it('a write stays unanswered while its sync is held, and fails if the sync fails', async () => {
    const base = openDatabase(`sqlite:${join(dir, 'held.sqlite')}`);
    try {
      await migrateToLatest(base);
      let release!: () => void;
      let fail!: (e: Error) => void;
      const db: Db = {
        ...base,
        kysely: base.kysely.withoutPlugins(), // its own group committer (keyed by the Kysely instance)
        durable: () =>
          new Promise<void>((resolve, reject) => {
            release = resolve;
            fail = reject;
          }),
      };
      let answered = false;
      const write = createStudy(db, system, { code: 'W2', title: 'W2', definition: {} }).then((s) => {
        answered = true;
        return s;
      });
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      expect(answered).toBe(false);
      // Committed (visible on the connection) but not acknowledged.
      const seen = await base.kysely.selectFrom('studies').select('code').where('code', '=', 'W2').execute();
      expect(seen).toHaveLength(1);
      release();
      expect((await write).code).toBe('W2');

      const failing = createStudy(db, system, { code: 'W3', title: 'W3', definition: {} });
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      fail(new Error('fsync of the WAL failed'));
      await expect(failing).rejects.toThrow('fsync of the WAL failed');
    } finally {
      await base.close();
    }
  });
});
