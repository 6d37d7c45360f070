// Durability of SQLite commits without blocking the event loop.
//
// better-sqlite3 is synchronous: with synchronous=FULL every COMMIT waits for fsync of the WAL on the
// event loop, and nothing else runs meanwhile (a profile of the load bench showed ~28 % of the loop
// inside COMMIT). Instead the connection runs with synchronous=NORMAL, where a commit only write()s its
// WAL frames, and the writer (audit/writer.ts) acknowledges a commit only after `sync()` below has
// fdatasync'd the WAL file on libuv's thread pool. Why this keeps an acknowledged commit across a
// power loss (https://www.sqlite.org/pragma.html#pragma_synchronous, https://www.sqlite.org/wal.html):
// - A commit is a run of frames appended to the -wal file, the last one marked as a commit frame with
//   a checksum chained over all frames since the header; recovery replays every frame up to the last
//   valid commit frame. fdatasync of the file (any descriptor of the same inode) after the COMMIT has
//   returned puts all of those frames on disk, so recovery replays that commit.
// - With synchronous=NORMAL SQLite itself syncs the WAL before each checkpoint, the database file
//   after it, and the WAL header when the WAL is reused from its start; the only thing NORMAL gives up
//   is the sync at each commit, which is the one this module does before acknowledging.
// - The -wal file is created on the first write after the database is opened; its directory entry is
//   synced once per new inode (SQLite does that at its first sync, which NORMAL defers).
// - One fsync covers every commit written before it started: callers arriving while a sync is under
//   way wait for the next one, which then serves all of them (group commit on the sync).
// - After a failed fsync the kernel may have dropped the dirty pages, so a later "successful" fsync
//   proves nothing (PostgreSQL's 2018 fsync finding): every later sync fails too, until a restart.
// Readers on the same connection can see a commit before it is durable; its writer has not been
// answered yet, and a write that depends on it commits after it in the WAL, so its acknowledgement
// (a later sync) covers both.
import { constants } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface WalSyncIo {
  /** fdatasync the file at `path` (the -wal file); returns its inode. */
  syncFile(path: string): Promise<number>;
  /** fsync the directory at `path`. */
  syncDir(path: string): Promise<void>;
  /** Releases whatever the io holds open. */
  close?(): Promise<void>;
}

/**
 * Node's file system, keeping the WAL open between syncs. Each step of a sync is a job on libuv's
 * thread pool whose continuation waits for a free turn of the event loop; under load a turn takes
 * a millisecond or more (a batch of saves runs in one), so open + fdatasync + fstat + close per sync
 * took 4–5 ms where the fdatasync itself takes ~0.5 ms (strace), and every acknowledgement waited for
 * that. Now a sync is one fdatasync on the held descriptor with a stat of the path beside it (both
 * jobs run at once): if the path still names the held inode, that fdatasync covered every commit
 * written before it. If the WAL was replaced or removed, the descriptor is dropped and the file now
 * at the path is opened and synced (or, if there is none, there is nothing to sync). An inode cannot
 * be reused by another file while it is held open, so equal inode numbers mean the same file. Holding
 * the descriptor is also safe with SQLite's locks: in WAL mode they are on the database and -shm
 * files, never on the -wal file (https://www.sqlite.org/walformat.html). WalSync runs one sync at a
 * time, so the descriptor is never used by two at once.
 */
export function nodeWalSyncIo(): WalSyncIo {
  let held: { handle: FileHandle; ino: number } | undefined;
  const drop = async () => {
    const h = held;
    held = undefined;
    await h?.handle.close();
  };
  const syncFile = async (path: string): Promise<number> => {
    if (!held) {
      const handle = await open(path, constants.O_RDONLY);
      try {
        held = { handle, ino: (await handle.stat()).ino };
      } catch (error) {
        await handle.close();
        throw error;
      }
    }
    const { handle, ino } = held;
    const [synced, current] = await Promise.allSettled([handle.datasync(), stat(path)]);
    if (synced.status === 'rejected') throw synced.reason;
    if (current.status === 'fulfilled' && current.value.ino === ino) return ino;
    await drop();
    if (current.status === 'rejected') throw current.reason;
    return syncFile(path);
  };
  return {
    syncFile,
    async syncDir(path) {
      const handle = await open(path, constants.O_RDONLY);
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
    close: drop,
  };
}

export class WalSync {
  private inFlight: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private failure: Error | undefined;
  private syncedInode: number | undefined;
  /** Completed fsyncs of the WAL, for tests and benchmarks (compare with the commits made). */
  syncs = 0;
  /** Wall-clock milliseconds the completed syncs took, from start to the event loop seeing the end. */
  syncMillis = 0;

  constructor(
    /** The database file; its WAL is `${databasePath}-wal`. */
    private readonly databasePath: string,
    private readonly io: WalSyncIo = nodeWalSyncIo(),
  ) {}

  /** Resolves once every commit that returned before this call is on disk. */
  sync(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.inFlight) {
      this.inFlight = this.run().finally(() => {
        this.inFlight = undefined;
      });
      return this.inFlight;
    }
    // The sync under way may have started before the caller's commit: wait for the one after it.
    this.next ??= this.inFlight.then(
      () => this.startNext(),
      () => this.startNext(),
    );
    return this.next;
  }

  /** Waits for the syncs under way, then releases the io's descriptor (the database is closing). */
  async close(): Promise<void> {
    await (this.next ?? this.inFlight)?.catch(() => undefined);
    await this.io.close?.();
  }

  private startNext(): Promise<void> {
    this.next = undefined;
    return this.sync();
  }

  private async run(): Promise<void> {
    const wal = `${this.databasePath}-wal`;
    const started = performance.now();
    try {
      const inode = await this.io.syncFile(wal);
      if (inode !== this.syncedInode) {
        await this.io.syncDir(dirname(wal));
        this.syncedInode = inode;
      }
      this.syncs += 1;
      this.syncMillis += performance.now() - started;
    } catch (error) {
      // No WAL file means nothing was written since the last checkpoint removed it: nothing to sync.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.failure = new Error(
        `fsync of ${wal} failed (${(error as Error).message}); writes since the last sync may not be on disk, restart the server`,
      );
      throw this.failure;
    }
  }
}
