// Data exchange at scale (issue 7): import 1 000 000 item values from a long CSV (generated to a
// temp file) into SQLite, checked and written in one transaction with every value audited (target:
// well under a minute, peak RSS < 300 MB), then export the study as ODM 1.3.2 with its audit trail,
// then import that ODM file into a fresh, empty SQLite database. Each of the three timed steps runs
// in a child process of its own (this file again, see `child` below), so each RSS figure is that
// step's, not the bench process's heap of set-up and earlier steps.
import { execFile } from 'node:child_process';
import { copyFileSync, createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { exportOdm, importCsv, importOdm } from '@msct/exchange';
// The study and sites the exchange tests import into: the same set-up in the parent and the ODM child.
import { createEmptyStudy } from '@msct/exchange/testing';
import { CLASSIC_BILAG_FORM, LABS_FORM, SLEDAI2K_DESCRIPTOR_ITEMS } from '../packages/core/src/crf/index.js';
import {
  type Actor,
  createSubject,
  type Db,
  inTransaction,
  migrateToLatest,
  openDatabase,
  verifyAuditChain,
} from '../packages/store/src/index.js';
import type { BenchResult } from './types.js';

/** Set in a child process: which step it runs and on what (see `child` below). */
const CHILD_JOB = process.env.MSCT_BENCH_EXCHANGE_CHILD;
/** Dev aid: keep a copy of the exported ODM file there (to profile the import on its own). */
const KEEP_ODM = process.env.MSCT_BENCH_ODM_KEEP;

const VALUES = Number(process.env.MSCT_BENCH_EXCHANGE_VALUES ?? 1_000_000);
const VISITS = ['D0', 'M1', 'M3', 'M6', 'M9', 'M12'];

/**
 * One visit's values: every SLEDAI-2K descriptor, every BILAG system, every lab in its default unit
 * with the sample's date and time.
 */
function visitRows(subject: string, visit: string, n: number): string[] {
  const rows: string[] = [];
  SLEDAI2K_DESCRIPTOR_ITEMS.forEach((it, i) => {
    rows.push(`${subject},${visit},sledai2k,${it.code},${(n + i) % 7 === 0 ? 1 : 0},`);
  });
  for (const it of CLASSIC_BILAG_FORM.items)
    rows.push(`${subject},${visit},bilag,${it.code},${'ABCDE'[n % 5]},`);
  for (const it of LABS_FORM.items) {
    // The CS/NCS questions are asked only for a value outside its range (these values are in range).
    if (it.significanceOf) continue;
    if (it.type === 'boolean') rows.push(`${subject},${visit},labs,${it.code},0,`);
    else if (it.type === 'date') rows.push(`${subject},${visit},labs,${it.code},2026-01-05,`);
    else if (it.type === 'text') rows.push(`${subject},${visit},labs,${it.code},08:30,`);
    else if (it.type === 'integer') rows.push(`${subject},${visit},labs,${it.code},320,`);
    else rows.push(`${subject},${visit},labs,${it.code},${(it.min ?? 0) + 1},${it.units?.[0] ?? ''}`);
  }
  return rows;
}

export default async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'msct-bench-exchange-'));
  const dbFile = join(dir, 'msct.sqlite');
  try {
    const db = openDatabase(`sqlite:${dbFile}`);
    const system = { id: null, name: 'bench' };
    const setup = await (async () => {
      try {
        const m = await migrateToLatest(db);
        if (m.error) throw new Error(m.error);
        const perSubject = VISITS.length * visitRows('X', 'D0', 0).length;
        const subjects = Math.ceil(VALUES / perSubject);
        return await inTransaction(db, system, async (tx) => {
          const { studyId, actor } = await createEmptyStudy(tx);
          const site = await firstSiteId(tx, studyId);
          const codes: string[] = [];
          for (let i = 0; i < subjects; i++)
            codes.push((await createSubject(tx, system, { studyId, siteId: site }))!.subject_code);
          return { studyId, actor, codes };
        });
      } finally {
        await db.close();
      }
    })();

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

    const csvImport = await runChild({
      step: 'csv-import',
      db: dbFile,
      file: csv,
      studyId: setup.studyId,
      actor: setup.actor,
    });
    if (csvImport.values !== VALUES)
      throw new Error(`the CSV import wrote ${csvImport.values} of ${VALUES} values`);
    const xml = join(dir, 'export.xml');
    const odmExport = await runChild({ step: 'odm-export', db: dbFile, file: xml, studyId: setup.studyId });
    const check = openDatabase(`sqlite:${dbFile}`);
    try {
      if (!(await verifyAuditChain(check)).ok) throw new Error('audit chain broken after import');
    } finally {
      await check.close();
    }
    if (KEEP_ODM) copyFileSync(xml, KEEP_ODM);
    const odm = await runChild({ step: 'odm-import', db: join(dir, 'odm-target.sqlite'), file: xml });
    if (odm.values !== odmExport.values)
      throw new Error(`ODM import wrote ${odm.values} of ${odmExport.values} values`);
    const seconds = csvImport.ms / 1000;
    const odmBytes = statSync(xml).size;
    return [
      {
        name: `CSV import, ${VALUES.toLocaleString('en-US')} values (${(statSync(csv).size / 1e6).toFixed(0)} MB, checked + audited, SQLite, child process)`,
        value: Math.round(seconds * 10) / 10,
        unit: 's',
        target: '< 60 s',
        ok: seconds < 60,
      },
      { name: 'CSV import throughput', value: Math.round(VALUES / seconds), unit: 'values/s' },
      {
        name: `CSV import peak RSS (whole child process; ${Math.round(csvImport.rssBefore / 1e6)} MB when it started)`,
        value: Math.round(csvImport.peak / 1e6),
        unit: 'MB',
        target: '< 300 MB',
        ok: csvImport.peak < 300e6,
      },
      {
        name: `ODM export, ${odmExport.values.toLocaleString('en-US')} values with audit records (${(odmBytes / 1e6).toFixed(0)} MB, child process)`,
        value: Math.round(odmExport.ms / 100) / 10,
        unit: 's',
      },
      {
        name: 'ODM export throughput (values with their audit records)',
        value: Math.round(odmExport.values / (odmExport.ms / 1000)),
        unit: 'values/s',
        target: '≥ 50 000 values/s',
        ok: odmExport.values / (odmExport.ms / 1000) >= 50_000,
      },
      {
        name: `ODM export peak RSS (whole child process; ${Math.round(odmExport.rssBefore / 1e6)} MB when it started)`,
        value: Math.round(odmExport.peak / 1e6),
        unit: 'MB',
        // Issue #23: "< 200 MB peak RSS on 1 000 000 values".
        target: '< 200 MB',
        ok: odmExport.peak < 200e6,
      },
      {
        name: `ODM import of that file into an empty SQLite database, ${odm.values.toLocaleString('en-US')} values (${(odmBytes / 1e6).toFixed(0)} MB, checked + audited, child process)`,
        value: Math.round(odm.ms / 100) / 10,
        unit: 's',
        target: '< 60 s',
        ok: odm.ms < 60_000,
      },
      { name: 'ODM import throughput', value: Math.round(odm.values / (odm.ms / 1000)), unit: 'values/s' },
      {
        name: `ODM import peak RSS (whole child process; ${Math.round(odm.rssBefore / 1e6)} MB when it started)`,
        value: Math.round(odm.peak / 1e6),
        unit: 'MB',
        target: '< 300 MB',
        ok: odm.peak < 300e6,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type ChildJob =
  | { step: 'csv-import'; db: string; file: string; studyId: string; actor: Actor }
  | { step: 'odm-export'; db: string; file: string; studyId: string }
  | { step: 'odm-import'; db: string; file: string };

interface StepFigures {
  /** Item values imported or exported. */
  values: number;
  ms: number;
  rssBefore: number;
  peak: number;
}

async function firstSiteId(tx: Db, studyId: string): Promise<string> {
  const site = await tx.kysely
    .selectFrom('sites')
    .select('id')
    .where('study_id', '=', studyId)
    .orderBy('code')
    .executeTakeFirstOrThrow();
  return site.id;
}

/** Runs this file again in a child process (same node flags, so tsx) for one timed step. */
function runChild(job: ChildJob): Promise<StepFigures> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...process.execArgv, new URL(import.meta.url).pathname],
      { env: { ...process.env, MSCT_BENCH_EXCHANGE_CHILD: JSON.stringify(job) }, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`${job.step} child failed: ${err.message}\n${stderr}`));
        const last = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(last) as StepFigures);
        } catch {
          reject(new Error(`${job.step} child printed no figures: ${stdout}\n${stderr}`));
        }
      },
    );
  });
}

/** Times `work` and samples the process's RSS every 50 ms while it runs. */
async function measured(work: () => Promise<number>): Promise<StepFigures> {
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const t0 = performance.now();
  try {
    const values = await work();
    return { values, ms: performance.now() - t0, rssBefore, peak: Math.max(peak, process.memoryUsage().rss) };
  } finally {
    clearInterval(timer);
  }
}

/** A child's one step. */
async function child(job: ChildJob): Promise<StepFigures> {
  const db = openDatabase(`sqlite:${job.db}`);
  try {
    if (job.step === 'csv-import') {
      return await measured(async () => {
        const r = await importCsv(db, job.studyId, job.file, { format: 'long', actor: job.actor });
        if (!r.written)
          throw new Error(`the CSV import refused the file: ${JSON.stringify(r.problems.slice(0, 3))}`);
        return r.entered;
      });
    }
    if (job.step === 'odm-export') {
      return await measured(async () => {
        const out = createWriteStream(job.file);
        const x = await exportOdm(db, job.studyId, out);
        out.end();
        await finished(out);
        return x.itemValues;
      });
    }
    // ODM import: a fresh database with the bench's study definition and site, then the timed import.
    const m = await migrateToLatest(db);
    if (m.error) throw new Error(m.error);
    const { studyId, actor } = await inTransaction(db, { id: null, name: 'bench' }, createEmptyStudy);
    return await measured(async () => {
      const r = await importOdm(db, studyId, () => createReadStream(job.file), { actor });
      if (!r.written)
        throw new Error(`ODM import refused the file: ${JSON.stringify(r.problems.slice(0, 3))}`);
      return r.entered;
    });
  } finally {
    await db.close();
  }
}

if (CHILD_JOB) process.stdout.write(`${JSON.stringify(await child(JSON.parse(CHILD_JOB) as ChildJob))}\n`);
