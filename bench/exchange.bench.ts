// Data exchange at scale (issue 7): import 1 000 000 item values from a long CSV (generated to a
// temp file) into SQLite, checked and written in one transaction with every value audited (target:
// well under a minute, peak RSS < 300 MB), then export the study as ODM 1.3.2 with its audit trail,
// then import that ODM file into a fresh, empty SQLite database (in a child process, so the figure is
// the import's own and not the bench process's heap of tsx, set-up and the CSV import).
import { execFile } from 'node:child_process';
import { copyFileSync, createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { CLASSIC_BILAG_FORM, LABS_FORM, SLEDAI2K_FORM } from '../packages/core/src/crf/index.js';
import { msctSleTrial } from '../packages/core/src/protocol/index.js';
import { exportOdm, importCsv, importOdm } from '../packages/server/src/exchange/index.js';
import {
  createSite,
  createStudy,
  createSubject,
  createUser,
  inTransaction,
  migrateToLatest,
  openDatabase,
  verifyAuditChain,
} from '../packages/store/src/index.js';
import type { BenchResult } from './types.js';

/** Set in the child process that imports the exported ODM file (see odmImportChild below). */
const CHILD_FILE = process.env.MSCT_BENCH_ODM_IMPORT_FILE;
/** Dev aid: keep a copy of the exported ODM file there (to profile the import on its own). */
const KEEP_ODM = process.env.MSCT_BENCH_ODM_KEEP;

const VALUES = Number(process.env.MSCT_BENCH_EXCHANGE_VALUES ?? 1_000_000);
const VISITS = ['D0', 'M1', 'M3', 'M6', 'M9', 'M12'];

/** One visit's values: every SLEDAI-2K descriptor, every BILAG system, every lab in its default unit. */
function visitRows(subject: string, visit: string, n: number): string[] {
  const rows: string[] = [];
  SLEDAI2K_FORM.items.forEach((it, i) => {
    rows.push(`${subject},${visit},sledai2k,${it.code},${(n + i) % 7 === 0 ? 1 : 0},`);
  });
  for (const it of CLASSIC_BILAG_FORM.items)
    rows.push(`${subject},${visit},bilag,${it.code},${'ABCDE'[n % 5]},`);
  for (const it of LABS_FORM.items) {
    if (it.type === 'boolean') rows.push(`${subject},${visit},labs,${it.code},0,`);
    else if (it.type === 'integer') rows.push(`${subject},${visit},labs,${it.code},320,`);
    else rows.push(`${subject},${visit},labs,${it.code},${(it.min ?? 0) + 1},${it.units?.[0] ?? ''}`);
  }
  return rows;
}

export default async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'msct-bench-exchange-'));
  const db = openDatabase(`sqlite:${join(dir, 'msct.sqlite')}`);
  try {
    const m = await migrateToLatest(db);
    if (m.error) throw new Error(m.error);
    const system = { id: null, name: 'bench' };
    const perSubject = VISITS.length * visitRows('X', 'D0', 0).length;
    const subjects = Math.ceil(VALUES / perSubject);
    const setup = await inTransaction(db, system, async (tx) => {
      const study = await createStudy(tx, system, {
        code: 'BENCH',
        title: 'bench',
        definition: msctSleTrial,
      });
      const site = await createSite(tx, system, { studyId: study.id, code: 'S1', name: 'Site 1' });
      const user = await createUser(tx, system, {
        username: 'importer',
        displayName: 'Importer',
        passwordHash: 'x',
      });
      const codes: string[] = [];
      for (let i = 0; i < subjects; i++)
        codes.push((await createSubject(tx, system, { studyId: study.id, siteId: site.id })).subject_code);
      return { studyId: study.id, actor: { id: user.id, name: user.username }, codes };
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

    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    let t0 = performance.now();
    const r = await importCsv(db, setup.studyId, csv, { format: 'long', actor: setup.actor });
    const importMs = performance.now() - t0;
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (!r.written || r.entered !== VALUES)
      throw new Error(`import wrote ${r.entered} of ${VALUES}: ${JSON.stringify(r.problems.slice(0, 3))}`);

    const xml = join(dir, 'export.xml');
    const xout = createWriteStream(xml);
    const exportRssBefore = process.memoryUsage().rss;
    let exportPeak = exportRssBefore;
    const exportTimer = setInterval(() => {
      exportPeak = Math.max(exportPeak, process.memoryUsage().rss);
    }, 50);
    t0 = performance.now();
    const x = await exportOdm(db, setup.studyId, xout);
    xout.end();
    await finished(xout);
    const exportMs = performance.now() - t0;
    clearInterval(exportTimer);
    exportPeak = Math.max(exportPeak, process.memoryUsage().rss);
    const chain = await verifyAuditChain(db);
    if (!chain.ok) throw new Error('audit chain broken after import');
    if (KEEP_ODM) copyFileSync(xml, KEEP_ODM);
    const odm = await runOdmImportChild(xml, join(dir, 'odm-target.sqlite'));
    if (odm.entered !== x.itemValues)
      throw new Error(`ODM import wrote ${odm.entered} of ${x.itemValues} values`);
    const seconds = importMs / 1000;
    return [
      {
        name: `CSV import, ${VALUES.toLocaleString('en-US')} values (${(statSync(csv).size / 1e6).toFixed(0)} MB, checked + audited, SQLite)`,
        value: Math.round(seconds * 10) / 10,
        unit: 's',
        target: '< 60 s',
        ok: seconds < 60,
      },
      { name: 'CSV import throughput', value: Math.round(VALUES / seconds), unit: 'values/s' },
      {
        name: 'CSV import peak RSS (whole bench process)',
        value: Math.round(peak / 1e6),
        unit: 'MB',
        target: '< 300 MB',
        ok: peak < 300e6,
      },
      {
        name: `ODM export, ${x.itemValues.toLocaleString('en-US')} values with audit records (${(x.bytes / 1e6).toFixed(0)} MB)`,
        value: Math.round(exportMs / 100) / 10,
        unit: 's',
      },
      {
        // Sampled every 50 ms during the export only; the process already holds the import's heap.
        name: `ODM export peak RSS (whole bench process; ${Math.round(exportRssBefore / 1e6)} MB when it started)`,
        value: Math.round(exportPeak / 1e6),
        unit: 'MB',
        target: '< 300 MB',
        ok: exportPeak < 300e6,
      },
      {
        name: `ODM import of that file into an empty SQLite database, ${odm.entered.toLocaleString('en-US')} values (${(x.bytes / 1e6).toFixed(0)} MB, checked + audited, child process)`,
        value: Math.round(odm.ms / 100) / 10,
        unit: 's',
        target: '< 60 s',
        ok: odm.ms < 60_000,
      },
      { name: 'ODM import throughput', value: Math.round(odm.entered / (odm.ms / 1000)), unit: 'values/s' },
      {
        name: `ODM import peak RSS (whole child process; ${Math.round(odm.rssBefore / 1e6)} MB when it started)`,
        value: Math.round(odm.peak / 1e6),
        unit: 'MB',
        target: '< 300 MB',
        ok: odm.peak < 300e6,
      },
    ];
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface OdmImportFigures {
  entered: number;
  ms: number;
  rssBefore: number;
  peak: number;
}

/** Runs this file again in a child process (same node flags, so tsx) to import `file` into `target`. */
function runOdmImportChild(file: string, target: string): Promise<OdmImportFigures> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...process.execArgv, new URL(import.meta.url).pathname],
      {
        env: { ...process.env, MSCT_BENCH_ODM_IMPORT_FILE: file, MSCT_BENCH_ODM_TARGET: target },
        maxBuffer: 1 << 20,
      },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`ODM import child failed: ${err.message}\n${stderr}`));
        const last = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(last) as OdmImportFigures);
        } catch {
          reject(new Error(`ODM import child printed no figures: ${stdout}\n${stderr}`));
        }
      },
    );
  });
}

/** The child: a fresh database with the bench's study definition and site, then the timed import. */
async function odmImportChild(file: string, target: string): Promise<OdmImportFigures> {
  const db = openDatabase(`sqlite:${target}`);
  try {
    const m = await migrateToLatest(db);
    if (m.error) throw new Error(m.error);
    const system = { id: null, name: 'bench' };
    const { studyId, actor } = await inTransaction(db, system, async (tx) => {
      const study = await createStudy(tx, system, {
        code: 'BENCH',
        title: 'bench',
        definition: msctSleTrial,
      });
      await createSite(tx, system, { studyId: study.id, code: 'S1', name: 'Site 1' });
      const user = await createUser(tx, system, {
        username: 'importer',
        displayName: 'Importer',
        passwordHash: 'x',
      });
      return { studyId: study.id, actor: { id: user.id, name: user.username } };
    });
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const t0 = performance.now();
    const r = await importOdm(db, studyId, () => createReadStream(file), { actor });
    const ms = performance.now() - t0;
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (!r.written) throw new Error(`ODM import refused the file: ${JSON.stringify(r.problems.slice(0, 3))}`);
    return { entered: r.entered, ms, rssBefore, peak };
  } finally {
    await db.close();
  }
}

if (CHILD_FILE) {
  const figures = await odmImportChild(
    CHILD_FILE,
    process.env.MSCT_BENCH_ODM_TARGET ?? `${CHILD_FILE}.sqlite`,
  );
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}
