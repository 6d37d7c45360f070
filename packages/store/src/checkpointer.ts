// WAL checkpoints off the event loop, for the long-running server.
//
// SQLite moves committed pages from the WAL into the database file in a checkpoint. By default the
// connection that commits runs it inside COMMIT once the WAL passes 1000 pages, with two fsyncs (WAL,
// then database file): on better-sqlite3 that stalls every request of the server for milliseconds
// (it is the tail of the save latency in `npm run bench -- api-load`). Here the server's connection
// has `wal_autocheckpoint=0` and a worker thread with its own connection runs PASSIVE checkpoints on
// a timer. PASSIVE never waits for or blocks the writer or readers (https://www.sqlite.org/c3ref/wal_checkpoint_v2.html);
// a checkpoint with nothing new to copy does no I/O.
// The WAL starts again from its beginning only when a write begins after a checkpoint has copied all
// of it; under sustained writes the worker never quite catches up (new commits land while it copies),
// so the WAL would grow without end (280 MB in a 10 s load run). So once the WAL is past
// `restartFrames` and the worker has copied all it saw, the writer itself, right after a commit,
// checkpoints the few frames written since (`afterCommit`): its next write then restarts the WAL.
// Crash safety is SQLite's own: a checkpoint interrupted at any point is redone from the WAL on the
// next open. The worker's code is a string (eval worker) so that it runs the same under tsx, vitest
// and plain node, none of which need to compile a file for it.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
let stopped = false;
let last = -1;
function tick() {
  if (stopped) return;
  try {
    const r = checkpoint.get();
    if (r && r.checkpointed !== last) parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed });
    last = r ? r.checkpointed : -1;
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message || e) });
  }
  setTimeout(tick, workerData.intervalMs);
}
parentPort.on('message', (m) => {
  if (m === 'stop') { stopped = true; db.close(); parentPort.postMessage('stopped'); }
});
tick();
`;

export interface CheckpointerStats {
  /** Checkpoints that copied frames into the database file. */
  runs: number;
  /** Frames in the WAL at the worker's last checkpoint, and how many of them it had copied. */
  lastLog: number;
  lastCheckpointed: number;
  /** Checkpoints the writer finished itself so that the WAL could restart. */
  finishedByWriter: number;
  lastError?: string;
}

export class Checkpointer {
  private readonly worker: Worker;
  private exited = false;
  readonly stats: CheckpointerStats = { runs: 0, lastLog: 0, lastCheckpointed: 0, finishedByWriter: 0 };
  private readonly finish: SQLite.Statement;

  /**
   * Switches off the automatic checkpoint of `connection` and starts the worker on `path`.
   * `intervalMs`: how often the worker checkpoints (the WAL grows by at most what is written meanwhile).
   */
  constructor(
    connection: SQLite.Database,
    path: string,
    intervalMs = 100,
    /** SQLite's own default checkpoint size (https://www.sqlite.org/pragma.html#pragma_wal_autocheckpoint). */
    private readonly restartFrames = 1000,
  ) {
    connection.pragma('wal_autocheckpoint = 0');
    this.finish = connection.prepare('PRAGMA wal_checkpoint(PASSIVE)');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path, intervalMs, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    });
    this.worker.on('message', (m: { log?: number; checkpointed?: number; error?: string } | string) => {
      if (typeof m !== 'object') return;
      if (m.error) this.stats.lastError = m.error;
      else {
        this.stats.runs += 1;
        this.stats.lastLog = m.log ?? 0;
        this.stats.lastCheckpointed = m.checkpointed ?? 0;
      }
    });
    // A worker that fails to start (or dies) leaves the server running; without checkpoints the WAL
    // only grows, so the connection goes back to checkpointing itself.
    this.worker.on('error', (e) => {
      this.stats.lastError = e.message;
      connection.pragma('wal_autocheckpoint = 1000');
    });
    this.worker.once('exit', () => {
      this.exited = true;
    });
    this.worker.unref();
  }

  /**
   * Called by the writer on its connection after a commit. When the WAL is large and the worker has
   * copied all it saw, copies what was committed since (a few frames; two fsyncs) so that the next
   * write restarts the WAL from its beginning.
   */
  afterCommit(): void {
    const { lastLog, lastCheckpointed } = this.stats;
    if (lastLog < this.restartFrames || lastCheckpointed < lastLog) return;
    try {
      this.finish.get();
      this.stats.finishedByWriter += 1;
      this.stats.lastLog = 0;
    } catch (e) {
      // Busy (another process is reading or checkpointing): the worker's next report brings it here again.
      this.stats.lastError = (e as Error).message;
    }
  }

  /** Stops the worker and closes its connection (before the main connection closes). */
  async stop(): Promise<void> {
    if (this.exited) return;
    const stopped = new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
      this.worker.on('message', (m) => {
        if (m === 'stopped') void this.worker.terminate();
      });
    });
    this.worker.postMessage('stop');
    await stopped;
  }
}
