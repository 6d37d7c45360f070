// `msct audit verify` at scale (issue 17): a SQLite database holding 1 000 000 item values (imported
// from a long CSV, every value audited), then the full verification (hash chain + every audited row
// replayed against the trail) in a child process of its own, timed, with its peak RSS: it reads in
// pages, so memory must not grow with the database. MSCT_BENCH_VERIFY_VALUES changes the size.
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { importCsv } from '@msct/exchange';
import { createEmptyStudy } from '@msct/exchange/testing';
import { LABS_FORM, SLEDAI2K_FORM } from '../packages/core/src/crf/index.js';
import {
  createSubject,
  inTransaction,
  migrateToLatest,
  openDatabase,
  verifyDatabase,
} from '../packages/store/src/index.js';
import type { BenchResult } from './types.js';

const CHILD = process.env.MSCT_BENCH_VERIFY_CHILD;
const VALUES = Number(process.env.MSCT_BENCH_VERIFY_VALUES ?? 1_000_000);
const VISITS = ['D0', 'M1', 'M3', 'M6', 'M9', 'M12'];

function visitRows(subject: string, visit: string, n: number): string[] {
  const rows = SLEDAI2K_FORM.items.map(
    (it, i) => `${subject},${visit},sledai2k,${it.code},${(n + i) % 7 === 0 ? 1 : 0},`,
  );
  for (const it of LABS_FORM.items) {
    if (it.type === 'boolean') rows.push(`${subject},${visit},labs,${it.code},0,`);
    else if (it.type === 'integer') rows.push(`${subject},${visit},labs,${it.code},320,`);
    else rows.push(`${subject},${visit},labs,${it.code},${(it.min ?? 0) + 1},${it.units?.[0] ?? ''}`);
  }
  return rows;
}

interface Figures {
  ms: number;
  rows: number;
  events: number;
  ok: boolean;
  rssBefore: number;
  peak: number;
}

export default async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'msct-bench-verify-'));
  const file = join(dir, 'msct.sqlite');
  try {
    const db = openDatabase(`sqlite:${file}`);
    try {
      const m = await migrateToLatest(db);
      if (m.error) throw new Error(m.error);
      const perSubject = VISITS.length * visitRows('X', 'D0', 0).length;
      const subjects = Math.ceil(VALUES / perSubject);
      const setup = await inTransaction(db, { id: null, name: 'bench' }, async (tx) => {
        const { studyId, actor } = await createEmptyStudy(tx);
        const site = await tx.kysely
          .selectFrom('sites')
          .select('id')
          .where('study_id', '=', studyId)
          .orderBy('code')
          .executeTakeFirstOrThrow();
        const codes: string[] = [];
        for (let i = 0; i < subjects; i++)
          codes.push(
            (await createSubject(tx, { id: null, name: 'bench' }, { studyId, siteId: site.id })).subject_code,
          );
        return { studyId, actor, codes };
      });
      const csv = join(dir, 'values.csv');
      const out = createWriteStream(csv);
      out.write('subject,visit,form,item,value,unit\n');
      let written = 0;
      for (const [n, code] of setup.codes.entries())
        for (const visit of VISITS) {
          const rows = visitRows(code, visit, n).slice(0, VALUES - written);
          written += rows.length;
          if (rows.length && !out.write(`${rows.join('\n')}\n`))
            await new Promise<void>((r) => out.once('drain', () => r()));
        }
      out.end();
      await finished(out);
      const r = await importCsv(db, setup.studyId, csv, { format: 'long', actor: setup.actor });
      if (!r.written)
        throw new Error(`the CSV import refused the file: ${JSON.stringify(r.problems.slice(0, 3))}`);
    } finally {
      await db.close();
    }
    const f = await new Promise<Figures>((resolve, reject) =>
      execFile(
        process.execPath,
        [...process.execArgv, new URL(import.meta.url).pathname],
        { env: { ...process.env, MSCT_BENCH_VERIFY_CHILD: file }, maxBuffer: 1 << 20 },
        (err, stdout, stderr) => {
          if (err) return reject(new Error(`verify child failed: ${err.message}\n${stderr}`));
          resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as Figures);
        },
      ),
    );
    if (!f.ok) throw new Error('the freshly imported database does not verify');
    return [
      {
        name: `audit verify (chain of ${f.events.toLocaleString('en-US')} events + ${f.rows.toLocaleString('en-US')} audited rows replayed, SQLite, child process)`,
        value: Math.round(f.ms / 100) / 10,
        unit: 's',
      },
      { name: 'audit verify throughput', value: Math.round(f.rows / (f.ms / 1000)), unit: 'rows/s' },
      {
        name: `audit verify peak RSS (whole child process; ${Math.round(f.rssBefore / 1e6)} MB when it started)`,
        value: Math.round(f.peak / 1e6),
        unit: 'MB',
        target: '< 300 MB',
        ok: f.peak < 300e6,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function child(file: string): Promise<Figures> {
  const db = openDatabase(`sqlite:${file}`);
  try {
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const t0 = performance.now();
    const r = await verifyDatabase(db);
    const ms = performance.now() - t0;
    clearInterval(timer);
    return {
      ms,
      rows: Object.values(r.data.rowsChecked).reduce((a, b) => a + b, 0),
      events: r.chain.eventsChecked,
      ok: r.ok,
      rssBefore,
      peak: Math.max(peak, process.memoryUsage().rss),
    };
  } finally {
    await db.close();
  }
}

if (CHILD) process.stdout.write(`${JSON.stringify(await child(CHILD))}\n`);
