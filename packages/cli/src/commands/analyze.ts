// `msct analyze [--study CODE] [--out DIR] [--format html,json,csv,pdf]` (issue 5 "CLI"): loads the
// study's raw data, runs the analysis plan, and writes report.html, results.json, one CSV per table
// and report.pdf, with a progress bar on standard error.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  analyzeStudy,
  configFromEnv,
  renderPdf,
  renderReportHtml,
  reportHtmlChunks,
  resultsToCsv,
  softwareVersion,
  withSoftware,
} from '@msct/server';
import { findStudyByCode, listStudies, openDatabase, studyDefinition } from '@msct/store';
import cliProgress from 'cli-progress';
import { cliBlinding } from './blinding.js';
import { writePrettyJsonFile } from './json-file.js';

export const ANALYZE_FORMATS = ['html', 'json', 'csv', 'pdf'] as const;
export type AnalyzeFormat = (typeof ANALYZE_FORMATS)[number];

export interface AnalyzeCommandOptions {
  study?: string;
  out?: string;
  /** Comma-separated subset of html,json,csv,pdf (default html,json,csv). */
  format?: string;
  /**
   * For a role the study blinds (issue 24): the pooled results only, without the results by arm,
   * as GET /api/studies/{id}/analysis answers that role. Also on when MSCT_IMPORT_USER holds a
   * blinded role (commands/blinding.ts).
   */
  blinded?: boolean;
}

export function parseFormats(format: string | undefined): AnalyzeFormat[] {
  if (!format) return ['html', 'json', 'csv'];
  const parts = format
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = parts.filter((p) => !(ANALYZE_FORMATS as readonly string[]).includes(p));
  if (bad.length) throw new Error(`--format: unknown ${bad.join(', ')} (use ${ANALYZE_FORMATS.join(', ')})`);
  if (parts.length === 0) throw new Error(`--format: name at least one of ${ANALYZE_FORMATS.join(', ')}`);
  return [...new Set(parts as AnalyzeFormat[])];
}

/** Returns the files written (absolute paths). */
export async function analyzeCommand(opts: AnalyzeCommandOptions): Promise<string[]> {
  const formats = parseFormats(opts.format);
  const out = resolve(opts.out ?? './analysis');
  const db = openDatabase(configFromEnv().databaseUrl);
  const steps = 3 + formats.length;
  const bar = new cliProgress.SingleBar(
    { format: 'msct analyze [{bar}] {value}/{total} {step}', stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const written: string[] = [];
  try {
    let study: { id: string; code: string; definition_json: string };
    if (opts.study) {
      const s = await findStudyByCode(db, opts.study);
      if (!s) throw new Error(`--study: no study with code "${opts.study}"`);
      study = s;
    } else {
      const all = await listStudies(db);
      if (all.length === 0) throw new Error('the database holds no study');
      if (all.length > 1)
        throw new Error(
          `the database holds ${all.length} studies (${all.map((s) => s.code).join(', ')}): name one with --study CODE`,
        );
      study = all[0]!;
    }
    bar.start(steps, 0, { step: `reading and deriving ${study.code}` });
    // Subject by subject from the store: each one's items are scored and adjudicated, and only the
    // derived record is kept (issue 16).
    const blinding = await cliBlinding(
      db,
      study.id,
      (await studyDefinition(db, study.id)).definition,
      opts.blinded,
    );
    const analysed = withSoftware(
      await analyzeStudy(db, study.id, {}, (done) => {
        if (done % 500 === 0) bar.update({ step: `reading and deriving ${study.code}: ${done} subjects` });
      }),
    );
    // Blinded: the report, JSON and CSVs are all made from these results, so none has an arm.
    const { byArm: _byArm, ...pooled } = analysed;
    const results = blinding.blinded ? pooled : analysed;
    bar.increment(1, { step: `analysed ${results.populations.screened} subjects` });
    bar.increment(1, { step: 'rendering the report' });
    mkdirSync(out, { recursive: true });
    const write = (name: string, text: string) => {
      const file = join(out, name);
      writeFileSync(file, text);
      written.push(file);
    };
    const meta = { softwareVersion: softwareVersion(), generatedAt: new Date().toISOString() };
    bar.increment(1, { step: 'writing' });
    for (const f of formats) {
      if (f === 'html') {
        // Chunk by chunk: the document (13.6 MB at 20 000 patients) is never one string (issue 16).
        const file = join(out, 'report.html');
        const fd = openSync(file, 'w');
        try {
          for await (const chunk of reportHtmlChunks(results, meta)) writeSync(fd, chunk);
        } finally {
          closeSync(fd);
        }
        written.push(file);
      }
      if (f === 'json') {
        // Streamed: the same bytes as JSON.stringify(results, null, 2), never one 37 MB string (issue 16).
        const file = join(out, 'results.json');
        writePrettyJsonFile(file, results);
        written.push(file);
      }
      if (f === 'csv')
        for (const [name, text] of Object.entries(resultsToCsv(results))) write(`${name}.csv`, text);
      if (f === 'pdf') {
        bar.update({ step: 'printing the PDF in Chromium' });
        const file = join(out, 'report.pdf');
        await renderPdf(await renderReportHtml(results, meta), file);
        written.push(file);
      }
      bar.increment(1, { step: `${f} written` });
    }
    bar.stop();
    console.log(
      `msct: analysed ${results.populations.enrolled} enrolled of ${results.populations.screened} subjects in ${study.code} (snapshot ${results.snapshot.hash}); wrote ${written.length} files to ${out}${blinding.blinded && analysed.byArm ? ` — blinded (${blinding.because}): pooled results only, no results by arm` : ''}`,
    );
    return written;
  } finally {
    bar.stop();
    await db.close();
  }
}
