// The study home at scale (issue 16: "study home at 5 000 patients: first paint of counts and the
// first grid page < 1 s; server memory per request bounded"). Builds a trial of MSCT_BENCH_SUBJECTS
// subjects (default 5 000) over four sites in the proportions the issue measured (1 983 / 995 / 988 /
// 1 034 of 5 000), each enrolled subject with day 0 in the last two years, its visits up to today
// (9 in 10 recorded, each with the definition's forms, most signed) and a query for one in ten. The
// rows go straight into the tables (these routes read subjects, sites, visits, form_instances and
// queries only; item values and audit events do not enter their queries). Then, over the real HTTP
// server on loopback, on SQLite and on PostgreSQL: GET /subject-counts and the first grid page
// (GET /record-status, 50 subjects with their visits), median of 9 after one warm-up, with response
// size; and, with a web build present, Chromium's time from navigation
// to the counts and the first grid page on screen.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { msctSleTrial } from '@msct/core/protocol';
import { buildApp, configFromEnv } from '@msct/server';
import { createSite, createStudy, type Db, type Dialect, migrateToLatest, openDatabase } from '@msct/store';
import { freshDatabaseUrl } from '@msct/store/testing';
import { sql } from 'kysely';
import { chromium } from 'playwright-core';
import { mulberry32 as rng } from '../packages/core/src/demo/prng.js';
import { ApiClient, createTestTrial } from '../packages/server/src/testing/test-server.js';
// Seeding only: the rows go straight into the tables, past the repositories (see above).
import { insertRows } from '../packages/store/src/bulk.js';
import { newId } from '../packages/store/src/ids.js';
import type { BenchResult } from './types.js';

const N = Number(process.env.MSCT_BENCH_SUBJECTS ?? 5000);
const SITES: [string, number][] = [
  ['NJ-DT', 1983],
  ['NJ-JP', 995],
  ['YZ-SB', 988],
  ['ZJ-JU', 1034],
];
const webRoot = fileURLToPath(new URL('../packages/web/dist', import.meta.url));

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const DAY = 86_400_000;

export async function build(db: Db): Promise<{ studyId: string }> {
  const system = { id: null, name: 'bench' };
  const study = await createStudy(db, system, {
    code: `SCALE${Math.random().toString(36).slice(2, 6)}`,
    title: 'Study home at scale',
    definition: msctSleTrial,
  });
  // The test trial's users (admin, a site-A coordinator, …) give the bench its logins.
  const trial = await createTestTrial(db, { definition: msctSleTrial });
  const userId = trial.users.admin!.id;
  await db.kysely
    .updateTable('role_assignments')
    .set({ study_id: study.id })
    .where('study_id', '=', trial.studyId)
    .execute();
  const sites: string[] = [];
  for (const [code] of SITES)
    sites.push((await createSite(db, system, { studyId: study.id, code, name: `Centre ${code}` })).id);
  const rand = rng(16);
  const now = Date.now();
  const formsAt = (code: string) => (msctSleTrial.forms ?? []).filter((f) => f.visitCodes.includes(code));
  const subjects: Record<string, unknown>[] = [];
  const visits: Record<string, unknown>[] = [];
  const forms: Record<string, unknown>[] = [];
  const queries: Record<string, unknown>[] = [];
  const stamp = new Date().toISOString();
  let k = 0;
  for (const [si, [code, share]] of SITES.entries()) {
    const n = Math.round((share / 5000) * N);
    for (let i = 1; i <= n; i++) {
      const r = rand();
      const status = r < 0.1 ? 'screening' : r < 0.13 ? 'withdrawn' : r < 0.15 ? 'died' : 'enrolled';
      const day0 = status === 'screening' ? null : now - Math.floor(10 + rand() * 710) * DAY;
      const id = newId();
      subjects.push({
        id,
        study_id: study.id,
        site_id: sites[si]!,
        subject_code: `${code}-${String(i).padStart(4, '0')}`,
        pseudonym: `P${Math.floor(rand() * 0xffffffffff)
          .toString(16)
          .toUpperCase()
          .padStart(10, '0')}`,
        status,
        sex: rand() < 0.9 ? 'female' : 'male',
        birth_date: iso(now - (20 + rand() * 40) * 365 * DAY),
        enrolled_at: day0 === null ? null : iso(day0),
        day0_date: day0 === null ? null : iso(day0),
        created_at: stamp,
        version: 1,
      });
      k++;
      if (day0 !== null)
        for (const v of msctSleTrial.visits ?? []) {
          const date = day0 + v.targetDay * DAY;
          if (date > now || rand() < 0.1) continue;
          const visitId = newId();
          visits.push({
            id: visitId,
            subject_id: id,
            visit_code: v.code,
            cycle: 1,
            visit_date: iso(date),
            status: 'open',
            created_at: stamp,
            version: 1,
          });
          const signed = date < now - 60 * DAY;
          for (const f of formsAt(v.code))
            forms.push({
              id: newId(),
              visit_id: visitId,
              subject_id: id,
              form_code: f.id,
              status: signed ? 'signed' : 'complete',
              signed_by: signed ? userId : null,
              signed_at: signed ? stamp : null,
              created_at: stamp,
              version: 1,
            });
        }
      if (k % 10 === 0)
        queries.push({
          id: newId(),
          subject_id: id,
          entity_type: 'subject',
          entity_id: id,
          field: null,
          status: rand() < 0.5 ? 'open' : 'closed',
          text: 'please check',
          raised_by: userId,
          raised_at: stamp,
          closed_by: null,
          closed_at: null,
          version: 1,
        });
    }
  }
  await db.kysely.transaction().execute(async (tx) => {
    await insertRows(tx, db.sqlite, 'subjects', subjects as never);
    await insertRows(tx, db.sqlite, 'visits', visits as never);
    await insertRows(tx, db.sqlite, 'form_instances', forms as never);
    await insertRows(tx, db.sqlite, 'queries', queries as never);
  });
  if (db.dialect === 'postgres') await sql`analyze`.execute(db.kysely);
  process.stdout.write(
    `  (${db.dialect}: ${subjects.length} subjects, ${visits.length} visits, ${forms.length} forms, ${queries.length} queries)\n`,
  );
  return { studyId: study.id };
}

async function timeGet(client: ApiClient, path: string) {
  const first = await client.get(path);
  if (first.status !== 200) throw new Error(`${path} answered ${first.status}`);
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 9; i++) {
    const t = performance.now();
    const res = await client.request('GET', path);
    times.push(performance.now() - t);
    bytes = JSON.stringify(res.body).length;
  }
  times.sort((a, b) => a - b);
  return { median: Math.round(times[4]! * 10) / 10, bytes };
}

async function runOn(dialect: Dialect): Promise<BenchResult[]> {
  const fresh = await freshDatabaseUrl(dialect);
  const db = openDatabase(fresh.url);
  const out: BenchResult[] = [];
  try {
    const m = await migrateToLatest(db);
    if (m.error) throw new Error(m.error);
    const { studyId } = await build(db);
    const web = existsSync(`${webRoot}/index.html`);
    const app = await buildApp({
      db,
      config: {
        ...configFromEnv({}),
        databaseUrl: fresh.url,
        loginRateLimitPerMinute: 1000,
        ...(web ? { webRoot } : {}),
      },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const client = new ApiClient(base);
      await client.login('monitor');
      const today = new Date().toISOString().slice(0, 10);
      for (const [name, path] of [
        ['counts per site (every subject)', `/api/studies/${studyId}/subject-counts?today=${today}`],
        ['first grid page (50 subjects with visits)', `/api/studies/${studyId}/record-status?limit=50`],
        [
          'grid page 60 of 100, sorted by status',
          `/api/studies/${studyId}/record-status?limit=50&offset=2950&sort=status`,
        ],
      ] as const) {
        const r = await timeGet(client, path);
        out.push({
          name: `${dialect} ${N}: ${name}, median`,
          value: r.median,
          unit: 'ms',
          target: '< 1 000 ms',
          ok: r.median < 1000,
        });
        out.push({
          name: `${dialect} ${N}: ${name}, response`,
          value: Math.round(r.bytes / 100) / 10,
          unit: 'kB',
        });
      }
      if (web) {
        const browser = await chromium.launch({
          executablePath: '/usr/bin/chromium',
          headless: true,
          args: ['--no-sandbox', '--disable-gpu'],
        });
        try {
          const page = await browser.newPage({ baseURL: base });
          await page.goto('/');
          await page.getByLabel('Username').fill('monitor');
          await page.getByLabel('Password').fill('correct-horse-battery-staple');
          await page.getByRole('button', { name: 'Log in' }).click();
          await page.getByRole('heading', { name: 'Studies' }).waitFor();
          const times: number[] = [];
          for (let i = 0; i < 5; i++) {
            const t = performance.now();
            await page.goto(`/studies/${studyId}`);
            await page.locator('table[aria-label="Counts per site"] tfoot').waitFor({ timeout: 30_000 });
            await page
              .getByRole('navigation', { name: 'Record status pages', exact: true })
              .getByText(/Showing 1–50 of/)
              .waitFor({ timeout: 30_000 });
            await page
              .locator('table[aria-label="Record status"] tbody tr')
              .nth(49)
              .waitFor({ timeout: 30_000 });
            times.push(performance.now() - t);
          }
          times.sort((a, b) => a - b);
          const median = Math.round(times[2]!);
          out.push({
            name: `${dialect} ${N}: Chromium, navigation to counts and first grid page, median of 5`,
            value: median,
            unit: 'ms',
            target: '< 1 000 ms',
            ok: median < 1000,
          });
        } finally {
          await browser.close();
        }
      }
    } finally {
      await app.close();
    }
  } finally {
    await db.close();
    await fresh.drop();
  }
  return out;
}

export default async function run(): Promise<BenchResult[]> {
  const dialects = (process.env.MSCT_BENCH_DIALECTS?.split(',') as Dialect[] | undefined) ?? [
    'sqlite',
    'postgres',
  ];
  const out: BenchResult[] = [];
  for (const d of dialects) out.push(...(await runOn(d)));
  return out;
}
