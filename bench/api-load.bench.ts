// Load (issue 9): CRF saves with audit through the real HTTP API on SQLite, 32 concurrent clients
// (autocannon on loopback), next to the physical limit measured in the same run: single-row
// transactions with synchronous=FULL on the same database file.
// The load generator runs in a child process (this same file, started with MSCT_API_LOAD_CLIENT):
// in the server's process it would share the server's event loop and count its own CPU time
// against the server. The machine's cores are still shared, so the figure stays conservative.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { msctSleTrial } from '@msct/core/protocol';
import { buildApp, configFromEnv } from '@msct/server';
import { migrateToLatest, openDatabase } from '@msct/store';
import autocannon from 'autocannon';
import SQLite from 'better-sqlite3';
import { ApiClient, createTestTrial, TEST_PASSWORD } from '../packages/server/src/testing/test-server.js';
import type { BenchResult } from './types.js';

const CONNECTIONS = 32;
const DURATION_S = Number(process.env.MSCT_BENCH_SECONDS ?? 10);
const ITEMS_PER_FORM = 20;

interface LoadJob {
  baseUrl: string;
  cookie: string;
  csrf: string;
  visits: string[];
}
interface LoadOutcome {
  ok2xx: number;
  non2xx: number;
  p50: number;
  p99: number;
  /** The load generator's own CPU time (user + system, µs). */
  cpuMicros: number;
}

/** The child's side: drive the saves with autocannon and report the counts and latencies. */
async function driveLoad({ baseUrl, cookie, csrf, visits }: LoadJob): Promise<LoadOutcome> {
  let seq = 0;
  const cpuBefore = process.cpuUsage();
  const free = await autocannon({
    url: baseUrl,
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
    requests: [
      {
        method: 'PUT',
        setupRequest: (req) => {
          const n = seq++;
          return {
            ...req,
            // A CRF page holds a bounded number of items: every 20 saves a visit moves on to a new
            // form, so a save's cost does not grow with the run (one ever-growing form made each save
            // read and return hundreds of items by the end).
            path: `/api/visits/${visits[n % CONNECTIONS]}/forms/notes_${Math.floor(n / (CONNECTIONS * ITEMS_PER_FORM))}`,
            body: JSON.stringify({ items: [{ itemCode: `note_${n}`, value: `observation ${n}` }] }),
          };
        },
      },
    ],
  });
  const cpu = process.cpuUsage(cpuBefore);
  return {
    ok2xx: free['2xx'],
    non2xx: free.non2xx,
    p50: free.latency.p50,
    p99: free.latency.p99,
    cpuMicros: cpu.user + cpu.system,
  };
}

if (process.env.MSCT_API_LOAD_CLIENT && process.send) {
  process.once('message', (job: LoadJob) => {
    void driveLoad(job).then((outcome) => process.send!(outcome, () => process.exit(0)));
  });
}

function loadInChildProcess(job: LoadJob): Promise<LoadOutcome> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, MSCT_API_LOAD_CLIENT: '1' },
    });
    child.once('message', (m) => resolve(m as LoadOutcome));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the load generator exited with ${code}`));
    });
    child.send(job);
  });
}

function rawInsertRate(path: string, seconds: number): number {
  // Its own connection with a fsync at each commit: openDatabase's connections commit with
  // synchronous=NORMAL and sync off the event loop (wal-sync.ts), which is what the API is measured on.
  const db = new SQLite(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('create table if not exists bench_raw (id integer primary key, v text)');
  const insert = db.prepare('insert into bench_raw (v) values (?)');
  const tx = db.transaction((v: string) => insert.run(v));
  const end = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < end) {
    tx(`value-${n}`);
    n++;
  }
  db.exec('drop table bench_raw');
  db.close();
  return n / seconds;
}

export default async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'msct-bench-'));
  const path = join(dir, 'msct.sqlite');
  // As `msct start` opens it: WAL checkpoints in a worker thread (store/src/checkpointer.ts).
  const db = openDatabase(`sqlite:${path}`, { backgroundCheckpoints: true });
  await migrateToLatest(db);
  const trial = await createTestTrial(db, { definition: msctSleTrial });
  const app = await buildApp({
    db,
    config: { ...configFromEnv({}), databaseUrl: `sqlite:${path}`, loginRateLimitPerMinute: 10_000 },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  try {
    // One subject and visit per client, so the clients contend for the database, not for one row.
    const client = new ApiClient(baseUrl);
    await client.login('coordinator', TEST_PASSWORD);
    const login = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'coordinator', password: TEST_PASSWORD }),
    });
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
    const visits: string[] = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      const s = await client.post<{ id: string }>(`/api/studies/${trial.studyId}/subjects`, {
        siteId: trial.siteA,
      });
      visits.push(
        (
          await client.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
            visitCode: 'M1',
            visitDate: '2013-02-09',
          })
        ).body.id,
      );
    }
    const cpuBefore = process.cpuUsage();
    const eluBefore = performance.eventLoopUtilization();
    const syncsBefore = { n: db.walSync!.syncs, ms: db.walSync!.syncMillis };
    const load = await loadInChildProcess({ baseUrl, cookie, csrf, visits });
    const cpu = process.cpuUsage(cpuBefore);
    const elu = performance.eventLoopUtilization(eluBefore);
    const syncs = db.walSync!.syncs - syncsBefore.n;
    const syncMs = db.walSync!.syncMillis - syncsBefore.ms;
    const saves = load.ok2xx / DURATION_S;
    await app.close();
    await db.close();
    const raw = rawInsertRate(path, 5);
    const ratio = saves / raw;
    return [
      {
        name: 'raw fsync’d single-row transactions (same file, synchronous=FULL)',
        value: Math.round(raw),
        unit: 'tx/s',
      },
      {
        name: `API CRF saves with audit, ${CONNECTIONS} clients (2xx only; ${load.non2xx} non-2xx)`,
        value: Math.round(saves),
        unit: 'saves/s',
      },
      {
        name: 'API saves / raw rate',
        value: Math.round(ratio * 1000) / 10,
        unit: '%',
        target: '>= 50 %',
        ok: ratio >= 0.5,
      },
      { name: 'API save latency p50', value: load.p50, unit: 'ms' },
      // The server process's own CPU time per acknowledged save (user + system, fsync waits excluded):
      // steadier than the rates when other work shares the machine.
      {
        name: `server CPU per save (${Math.round(cpu.user / Math.max(1, load.ok2xx))} µs user + ${Math.round(cpu.system / Math.max(1, load.ok2xx))} µs system)`,
        value: Math.round((cpu.user + cpu.system) / Math.max(1, load.ok2xx)),
        unit: 'µs',
      },
      // How much of the run the server's event loop was busy: near 100 % means its one thread is the
      // limit, well under it means the saves wait for something else (disk, clients).
      { name: 'server event loop busy', value: Math.round(elu.utilization * 1000) / 10, unit: '%' },
      // Each acknowledgement waits for a WAL fsync (wal-sync.ts); one sync serves every save before it.
      {
        name: `WAL fsync time, mean (${syncs} syncs, ${Math.round((load.ok2xx / Math.max(1, syncs)) * 10) / 10} saves each)`,
        value: Math.round((syncMs / Math.max(1, syncs)) * 100) / 100,
        unit: 'ms',
      },
      // The load generator shares the machine's two cores with the server: its CPU per save says how
      // much of the machine it takes.
      {
        name: 'load generator CPU per save',
        value: Math.round(load.cpuMicros / Math.max(1, load.ok2xx)),
        unit: 'µs',
      },
      {
        name: 'API save latency p99',
        value: load.p99,
        unit: 'ms',
        target: '< 50 ms',
        ok: load.p99 < 50,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
