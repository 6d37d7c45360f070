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
// `restartFrames` and the worker has copied all it saw, the writer, right after a commit, holds its
// next commit while the worker checkpoints the few frames written since (`afterCommit`): the
// checkpoint then reaches the end of the WAL and the next write restarts it. The event loop is not
// blocked meanwhile (requests are read and queued); doing that last checkpoint on the writer's own
// connection instead cost ~2.8 ms of blocked event loop (its two fsyncs) about eight times a second
// under load, ~6 µs of every save.
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
  if (m === 'catch-up' && !stopped) {
    let r;
    try { r = checkpoint.get(); } catch (e) { r = { error: String(e && e.message || e) }; }
    parentPort.postMessage({ caughtUp: true, ...r });
  }
});
tick();
`;

export interface CheckpointerStats {
  /** Checkpoints that copied frames into the database file. */
  runs: number;
  /** Frames in the WAL at the worker's last checkpoint, and how many of them it had copied. */
  lastLog: number;
  lastCheckpointed: number;
  /** Checkpoints the worker ran while the writer held its next commit, so that the WAL could restart. */
  catchUps: number;
  lastError?: string;
}

export class Checkpointer {
  private readonly worker: Worker;
  private exited = false;
  readonly stats: CheckpointerStats = { runs: 0, lastLog: 0, lastCheckpointed: 0, catchUps: 0 };
  private catchingUp: { done: Promise<void>; resolve: () => void } | undefined;

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
    private readonly catchUpTimeoutMs = 1000,
  ) {
    connection.pragma('wal_autocheckpoint = 0');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path, intervalMs, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    });
    this.worker.on(
      'message',
      (m: { log?: number; checkpointed?: number; error?: string; caughtUp?: boolean } | string) => {
        if (typeof m !== 'object') return;
        if (m.caughtUp) {
          if (m.error) this.stats.lastError = m.error;
          else this.stats.catchUps += 1;
          // The next write restarts the WAL: nothing to ask for until the worker reports again.
          this.stats.lastLog = 0;
          this.catchingUp?.resolve();
        } else if (m.error) this.stats.lastError = m.error;
        else {
          this.stats.runs += 1;
          this.stats.lastLog = m.log ?? 0;
          this.stats.lastCheckpointed = m.checkpointed ?? 0;
        }
      },
    );
    // A worker that fails to start (or dies) leaves the server running; without checkpoints the WAL
    // only grows, so the connection goes back to checkpointing itself.
    this.worker.on('error', (e) => {
      this.stats.lastError = e.message;
      connection.pragma('wal_autocheckpoint = 1000');
    });
    this.worker.once('exit', () => {
      this.exited = true;
      this.catchingUp?.resolve();
    });
    this.worker.unref();
  }

  /**
   * Called by the writer after a commit. When the WAL is large and the worker has copied all it saw,
   * asks the worker to copy what was committed since and returns a promise the writer waits for
   * before its next commit (so that the checkpoint reaches the end of the WAL and the next write
   * restarts it); otherwise undefined. A worker that does not answer within `catchUpTimeoutMs` does
   * not hold the writes any longer, and is not asked again before its next report: the WAL then
   * restarts at a later catch-up.
   */
  afterCommit(): Promise<void> | undefined {
    if (this.catchingUp) return this.catchingUp.done;
    const { lastLog, lastCheckpointed } = this.stats;
    if (this.exited || lastLog < this.restartFrames || lastCheckpointed < lastLog) return undefined;
    let resolve!: () => void;
    const done = new Promise<void>((r) => {
      resolve = r;
    });
    const timer = setTimeout(() => {
      // Not again until the worker reports: a slow worker must not hold every commit.
      this.stats.lastLog = 0;
      resolve();
    }, this.catchUpTimeoutMs);
    this.catchingUp = { done, resolve };
    void done.then(() => {
      clearTimeout(timer);
      this.catchingUp = undefined;
    });
    this.worker.postMessage('catch-up');
    return done;
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
