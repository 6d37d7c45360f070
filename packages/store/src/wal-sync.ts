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
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface WalSyncIo {
  /** fdatasync the file at `path` (the -wal file); returns its inode. */
  syncFile(path: string): Promise<number>;
  /** fsync the directory at `path`. */
  syncDir(path: string): Promise<void>;
}

export const nodeWalSyncIo: WalSyncIo = {
  async syncFile(path) {
    const handle = await open(path, constants.O_RDONLY);
    try {
      await handle.datasync();
      return (await handle.stat()).ino;
    } finally {
      await handle.close();
    }
  },
  async syncDir(path) {
    const handle = await open(path, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

export class WalSync {
  private inFlight: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private failure: Error | undefined;
  private syncedInode: number | undefined;
  /** Completed fsyncs of the WAL, for tests and benchmarks (compare with the commits made). */
  syncs = 0;

  constructor(
    /** The database file; its WAL is `${databasePath}-wal`. */
    private readonly databasePath: string,
    private readonly io: WalSyncIo = nodeWalSyncIo,
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

  private startNext(): Promise<void> {
    this.next = undefined;
    return this.sync();
  }

  private async run(): Promise<void> {
    const wal = `${this.databasePath}-wal`;
    try {
      const inode = await this.io.syncFile(wal);
      if (inode !== this.syncedInode) {
        await this.io.syncDir(dirname(wal));
        this.syncedInode = inode;
      }
      this.syncs += 1;
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
