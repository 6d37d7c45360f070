// Reads pages of a SQLite file in a worker thread (issue 16): while the main thread derives the
// subjects of one page, the worker runs the queries of the next ones on its own connection, so the
// SQLite work (about half of `msct analyze` at 20 000 patients) runs on the second core.
//
// The worker only runs the SQL it is given (compiled by Kysely on the main thread: the same queries,
// parameters and row objects as Kysely's own better-sqlite3 driver gives) on a read-only connection,
// one request at a time, and answers with the rows. A caller asks for a few pages ahead at most, so
// memory holds those pages, whatever the trial size. Like the paged read on the main connection,
// each query sees the data committed when it runs (WAL readers never block the writer).
// The worker's code is a string (eval worker), as in checkpointer.ts, so that it runs the same under
// tsx, vitest and plain node.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.path, { readonly: true, fileMustExist: true });
  parentPort.postMessage({ ready: true });
} catch (e) {
  parentPort.postMessage({ ready: false, error: String((e && e.message) || e) });
}
const statements = new Map();
parentPort.on('message', (m) => {
  if (m === 'stop') {
    if (db) db.close();
    process.exit(0);
  }
  try {
    const rows = m.queries.map((q) => {
      let s = statements.get(q.sql);
      if (!s) {
        s = db.prepare(q.sql);
        statements.set(q.sql, s);
      }
      return s.all(...q.parameters);
    });
    parentPort.postMessage({ id: m.id, rows });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.message) || e) });
  }
});
`;

export interface PageQuery {
  sql: string;
  parameters: readonly unknown[];
}

interface Pending {
  resolve: (rows: unknown[][]) => void;
  reject: (e: Error) => void;
}

export class SqlitePageReader {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;
  /** Resolves true once the worker has opened the file, false if it could not. */
  readonly ready: Promise<boolean>;

  constructor(path: string) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    });
    let setReady!: (ok: boolean) => void;
    this.ready = new Promise((r) => {
      setReady = r;
    });
    this.worker.on('message', (m: { ready?: boolean; id?: number; rows?: unknown[][]; error?: string }) => {
      if (m.ready !== undefined) {
        if (!m.ready) this.fail(new Error(`the page reader could not open ${path}: ${m.error}`));
        setReady(m.ready);
        return;
      }
      const p = this.pending.get(m.id!);
      if (!p) return;
      this.pending.delete(m.id!);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.rows!);
    });
    this.worker.on('error', (e) => {
      this.fail(e);
      setReady(false);
    });
    this.worker.once('exit', () => {
      this.fail(new Error('the page reader stopped'));
      setReady(false);
    });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }

  /** The rows of each query, in order. */
  read(queries: readonly PageQuery[]): Promise<unknown[][]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, queries });
    });
  }

  async close(): Promise<void> {
    if (this.failure) return;
    const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
    this.worker.postMessage('stop');
    await exited;
  }
}
