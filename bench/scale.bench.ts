// Trials of thousands (issue 16): builds 1 000 / 5 000 / 20 000-patient trials through msct's own
// write path (the demo loader: one audited transaction per patient, every form signed by the site
// investigator; patients beyond 40 are further generated cohorts, `msct demo --patients N`), on
// SQLite and PostgreSQL, then times each derived-results path in a child process of its own, so each
// peak RSS is that step's: `msct analyze` JSON, `msct analyze` HTML (with charts), `msct adjudicate`,
// and the server's /endpoints and /analysis, first and cached.
//
// Sizes and databases: MSCT_SCALE_SIZES (default 1000,5000,20000), MSCT_SCALE_DIALECTS (default
// sqlite,postgres). Built databases are kept for the next run (MSCT_SCALE_DIR, default
// /tmp/msct-scale; PostgreSQL databases msct_scale_<N>): building 20 000 patients takes minutes.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { loadDemoTrial } from '../packages/cli/src/demo/load-demo.js';
import { DEMO_STUDY_CODE } from '../packages/core/src/demo/index.js';
import {
  assignRole,
  createUser,
  findStudyByCode,
  findUserByUsername,
  migrateToLatest,
  openDatabase,
} from '../packages/store/src/index.js';
import { TEST_PG_ADMIN_URL } from '../packages/store/src/testing/databases.js';
import type { BenchResult } from './types.js';

const BENCH_ADMIN = 'scale.bench.admin';
const BENCH_ADMIN_PASSWORD = 'scale-bench-reads-as-admin-2026';

const SEED = 2014;
type Step = 'analyze-json' | 'analyze-html' | 'adjudicate' | 'server';
interface Job {
  step: Step;
  url: string;
}
interface Figures {
  ms: number;
  /** CPU time (user + system) of the step's process over the step: steadier than wall time on a shared machine. */
  cpuMs: number;
  peakMb: number;
  extra?: Record<string, number>;
}

const CHILD = process.env.MSCT_BENCH_SCALE_CHILD;
if (CHILD) {
  const job = JSON.parse(CHILD) as Job;
  process.env.MSCT_DATABASE_URL = job.url;
  const out = await runStep(job);
  process.stdout.write(`\n${JSON.stringify(out)}\n`);
  process.exit(0);
}

/** CPU milliseconds (user + system) since `from`. */
function cpuSince(from: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(from);
  return (c.user + c.system) / 1000;
}

async function runStep(job: Job): Promise<Figures> {
  const peak = () => Math.round(process.resourceUsage().maxRSS / 1024);
  if (job.step === 'analyze-json' || job.step === 'analyze-html') {
    const { analyzeCommand } = await import('../packages/cli/src/commands/analyze.js');
    const dir = mkdtempSync(join(tmpdir(), 'msct-scale-out-'));
    try {
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      await analyzeCommand({ out: dir, format: job.step === 'analyze-json' ? 'json' : 'html' });
      return { ms: performance.now() - t0, cpuMs: cpuSince(cpu), peakMb: peak() };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (job.step === 'adjudicate') {
    const { adjudicateCommand } = await import('../packages/cli/src/commands/adjudicate.js');
    // The verdict lines go to /dev/null (the parent reads only the last line of figures).
    const write = process.stdout.write.bind(process.stdout);
    let lines = 0;
    process.stdout.write = ((chunk: string | Uint8Array) => {
      lines += String(chunk).split('\n').length - 1;
      return true;
    }) as typeof process.stdout.write;
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    await adjudicateCommand({});
    const ms = performance.now() - t0;
    const cpuMs = cpuSince(cpu);
    process.stdout.write = write;
    return { ms, cpuMs, peakMb: peak(), extra: { lines } };
  }
  // The server: /endpoints and /analysis, first (derived) and again (cached).
  const { buildApp, configFromEnv, hashPassword } = await import('../packages/server/src/index.js');
  const { ApiClient } = await import('../packages/server/src/testing/test-server.js');
  const db = openDatabase(job.url);
  const app = await buildApp({ db, config: { ...configFromEnv({}), databaseUrl: job.url } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const client = new ApiClient(
    `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
  );
  try {
    // The demo's passwords are random per install: the bench reads as an admin of its own, made once
    // per database (no password change pending, so it can read at once).
    if (!(await findUserByUsername(db, BENCH_ADMIN))) {
      const system = { id: null, name: 'scale bench' };
      const u = await createUser(db, system, {
        username: BENCH_ADMIN,
        displayName: 'Scale bench',
        passwordHash: await hashPassword(BENCH_ADMIN_PASSWORD),
        mustChangePassword: false,
      });
      await assignRole(db, system, { userId: u.id, role: 'admin', studyId: null, siteId: null });
    }
    const login = await client.login(BENCH_ADMIN, BENCH_ADMIN_PASSWORD);
    if (login.status !== 200) throw new Error(`login answered ${login.status}`);
    const study = await findStudyByCode(db, DEMO_STUDY_CODE);
    const timed = async (path: string) => {
      const t0 = performance.now();
      const res = await client.get(path);
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
      return performance.now() - t0;
    };
    const extra: Record<string, number> = {};
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    extra.endpointsFirstMs = await timed(`/api/studies/${study!.id}/endpoints`);
    extra.endpointsCachedMs = await timed(`/api/studies/${study!.id}/endpoints`);
    extra.analysisFirstMs = await timed(`/api/studies/${study!.id}/analysis`);
    extra.analysisCachedMs = await timed(`/api/studies/${study!.id}/analysis`);
    return { ms: performance.now() - t0, cpuMs: cpuSince(cpu), peakMb: peak(), extra };
  } finally {
    await app.close();
    await db.close();
  }
}

function runChild(job: Job): Promise<Figures> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...process.execArgv, new URL(import.meta.url).pathname],
      {
        env: { ...process.env, MSCT_BENCH_SCALE_CHILD: JSON.stringify(job) },
        maxBuffer: 64 << 20,
      },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`${job.step} child failed: ${err.message}\n${stderr.slice(-2000)}`));
        const last = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(last) as Figures);
        } catch {
          reject(
            new Error(`${job.step} child printed no figures: ${stdout.slice(-2000)}\n${stderr.slice(-2000)}`),
          );
        }
      },
    );
  });
}

/** A database of the demo trial with `patients` patients, built once and kept. */
async function database(dialect: string, patients: number): Promise<{ url: string; builtMs: number | null }> {
  let url: string;
  if (dialect === 'sqlite') {
    const dir = process.env.MSCT_SCALE_DIR ?? '/tmp/msct-scale';
    mkdirSync(dir, { recursive: true });
    url = `sqlite:${join(dir, `demo-${SEED}-${patients}.sqlite`)}`;
  } else {
    const name = `msct_scale_${patients}`;
    const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
    await admin.connect();
    const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`create database ${name}`);
    await admin.end();
    const u = new URL(TEST_PG_ADMIN_URL);
    u.pathname = `/${name}`;
    url = u.toString();
  }
  const db = openDatabase(url);
  try {
    const m = await migrateToLatest(db);
    if (m.error) throw new Error(`migration failed: ${m.error}`);
    // Planner statistics as autovacuum would have them on a live database (a freshly bulk-built
    // PostgreSQL database has none: without them it hash-joins every item row for each page).
    const analyze = async () => {
      if (dialect === 'postgres') await sql`analyze`.execute(db.kysely);
    };
    if (await findStudyByCode(db, DEMO_STUDY_CODE)) {
      await analyze();
      return { url, builtMs: null };
    }
    const t0 = performance.now();
    await loadDemoTrial(db, {
      seed: SEED,
      patients,
      onPatient: (done, total) => {
        if (done % 1000 === 0)
          process.stderr.write(`  ${dialect} ${patients}: ${done}/${total} patients loaded\n`);
      },
    });
    const builtMs = performance.now() - t0;
    await analyze();
    return { url, builtMs };
  } finally {
    await db.close();
  }
}

export default async function run(): Promise<BenchResult[]> {
  const sizes = (process.env.MSCT_SCALE_SIZES ?? '1000,5000,20000').split(',').map(Number);
  const dialects = (process.env.MSCT_SCALE_DIALECTS ?? 'sqlite,postgres').split(',');
  const results: BenchResult[] = [];
  for (const dialect of dialects)
    for (const n of sizes) {
      const { url, builtMs } = await database(dialect, n);
      const tag = `${dialect} ${n.toLocaleString('en-US')} patients`;
      if (builtMs !== null)
        results.push({
          name: `${tag}: built through the demo loader`,
          value: Math.round(builtMs / 1000),
          unit: 's',
        });
      else if (!existsSync(url.replace(/^sqlite:/, '')) && dialect === 'sqlite')
        throw new Error(`no database at ${url}`);
      for (const step of ['analyze-json', 'analyze-html', 'adjudicate', 'server'] as const) {
        const f = await runChild({ step, url });
        if (step === 'server') {
          const e = f.extra!;
          const cachedOk = e.endpointsCachedMs! < 1000;
          results.push(
            { name: `${tag}: GET /endpoints, first`, value: Math.round(e.endpointsFirstMs!), unit: 'ms' },
            {
              name: `${tag}: GET /endpoints, cached`,
              value: Math.round(e.endpointsCachedMs!),
              unit: 'ms',
              ...(n <= 5000 ? { target: '< 1 000 ms (5 000 patients)', ok: cachedOk } : {}),
            },
            { name: `${tag}: GET /analysis, first`, value: Math.round(e.analysisFirstMs!), unit: 'ms' },
            {
              name: `${tag}: GET /analysis, cached`,
              value: Math.round(e.analysisCachedMs!),
              unit: 'ms',
              ...(n <= 5000 ? { target: '< 1 000 ms (5 000 patients)', ok: e.analysisCachedMs! < 1000 } : {}),
            },
            { name: `${tag}: server peak RSS over the four requests`, value: f.peakMb, unit: 'MB' },
            {
              name: `${tag}: server CPU time over the four requests`,
              value: Math.round(f.cpuMs / 100) / 10,
              unit: 's',
            },
          );
          continue;
        }
        const goal = step.startsWith('analyze') && n >= 20_000;
        results.push(
          {
            name: `${tag}: msct ${step.replace('-', ' ')}, time`,
            value: Math.round(f.ms / 100) / 10,
            unit: 's',
            ...(goal ? { target: '< 15 s', ok: f.ms < 15_000 } : {}),
          },
          {
            name: `${tag}: msct ${step.replace('-', ' ')}, CPU time`,
            value: Math.round(f.cpuMs / 100) / 10,
            unit: 's',
          },
          {
            name: `${tag}: msct ${step.replace('-', ' ')}, peak RSS`,
            value: f.peakMb,
            unit: 'MB',
            ...(goal ? { target: '< 600 MB', ok: f.peakMb < 600 } : {}),
          },
        );
      }
    }
  return results;
}
