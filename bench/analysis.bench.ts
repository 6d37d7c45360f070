// The analysis statistics on a generated 100 000-patient × 6-visit data set, msct next to R
// (issue 5 acceptance: target msct ≤ 0.5 × R's time). Generated deterministically (mulberry32,
// fixed seed) directly as derived numbers: SLEDAI-2K (integers, many ties, ~5% missing per
// follow-up visit) and C3 (g/L, continuous) per visit, and an overall-survival time/event.
// Timed on both sides: per measure, describe() at every timepoint and of the changes, paired t and
// Wilcoxon signed-rank vs baseline at 5 follow-ups, Holm, Friedman on complete cases; then
// Kaplan–Meier with log-log CI and S(t) at the scheduled days. R reads the same data from a CSV
// (not timed) and runs bench/r/analysis.R; the best of 3 runs is reported on each side.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareWithBaseline, type MeasureMatrix } from '../packages/core/src/analysis/index.js';
import { mulberry32 } from '../packages/core/src/demo/prng.js';
import { kaplanMeier, survivalAt } from '../packages/core/src/stats/index.js';
import type { BenchResult } from './types.js';

const PATIENTS = 100_000;
const TIMEPOINTS = ['D0', 'M1', 'M3', 'M6', 'M9', 'M12'] as const;
const R_SCRIPT = fileURLToPath(new URL('./r/analysis.R', import.meta.url));

interface Data {
  sledai: MeasureMatrix;
  c3: MeasureMatrix;
  time: number[];
  event: boolean[];
}

function generate(): Data {
  const rnd = mulberry32(20140401);
  const sledai: (number | null)[][] = TIMEPOINTS.map(() => new Array(PATIENTS));
  const c3: (number | null)[][] = TIMEPOINTS.map(() => new Array(PATIENTS));
  const time: number[] = new Array(PATIENTS);
  const event: boolean[] = new Array(PATIENTS);
  for (let i = 0; i < PATIENTS; i++) {
    const base = 8 + Math.floor(rnd() * 12);
    const c3Base = 0.3 + rnd() * 0.5;
    for (let t = 0; t < TIMEPOINTS.length; t++) {
      const missing = t > 0 && rnd() < 0.05;
      const drop = Math.max(0, base - Math.floor(t * (1 + rnd() * 2)) + Math.floor(rnd() * 3));
      sledai[t]![i] = missing ? null : drop;
      c3[t]![i] = missing ? null : Math.round((c3Base + t * 0.05 + (rnd() - 0.5) * 0.2) * 1000) / 1000;
    }
    const death = -Math.log(1 - rnd()) * 4000;
    const censor = 30 + rnd() * 350;
    time[i] = Math.ceil(Math.min(death, censor));
    event[i] = death <= censor;
  }
  return {
    sledai: { timepoints: TIMEPOINTS, values: sledai },
    c3: { timepoints: TIMEPOINTS, values: c3 },
    time,
    event,
  };
}

function msctRun(d: Data, friedman = true): number {
  const s = compareWithBaseline(d.sledai, 'paired-t', { friedman });
  const c = compareWithBaseline(d.c3, 'paired-t', { friedman });
  const fit = kaplanMeier(d.time, d.event, { confType: 'log-log' });
  if (!fit.ok) throw new Error(fit.issue.message);
  const at = survivalAt(fit.value, [30, 91, 182, 273, 365]);
  if (!at.ok) throw new Error(at.issue.message);
  const p = s.timepoints[1]?.tTest;
  const w = c.timepoints[1]?.wilcoxon;
  return (p?.ok ? p.value.pValue : 0) + (w?.ok ? w.value.pValue : 0) + at.value[4]!.survival;
}

function toCsv(d: Data): string {
  const head = [
    ...TIMEPOINTS.map((t) => `sledai_${t}`),
    ...TIMEPOINTS.map((t) => `c3_${t}`),
    'time',
    'event',
  ];
  const lines = [head.join(',')];
  for (let i = 0; i < PATIENTS; i++) {
    const row: string[] = [];
    for (let t = 0; t < TIMEPOINTS.length; t++) row.push(String(d.sledai.values[t]![i] ?? 'NA'));
    for (let t = 0; t < TIMEPOINTS.length; t++) row.push(String(d.c3.values[t]![i] ?? 'NA'));
    row.push(String(d.time[i]), d.event[i] ? '1' : '0');
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}

const best = (f: () => void, runs = 3) => {
  let ms = Number.POSITIVE_INFINITY;
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    f();
    ms = Math.min(ms, performance.now() - t0);
  }
  return ms;
};

export default async function bench(): Promise<BenchResult[]> {
  const data = generate();
  msctRun(data); // warm-up (JIT)
  const msctMs = best(() => msctRun(data));
  const msctNoFriedmanMs = best(() => msctRun(data, false));
  const n = PATIENTS.toLocaleString('en-US');
  const results: BenchResult[] = [
    {
      name: `msct: descriptive + paired t + Wilcoxon + Holm + Friedman (2 measures) + KM, ${n} patients × 6 visits`,
      value: Math.round(msctMs),
      unit: 'ms',
    },
    { name: 'msct: the same without Friedman', value: Math.round(msctNoFriedmanMs), unit: 'ms' },
  ];
  const probe = spawnSync('Rscript', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    results.push({ name: 'R: unavailable (Rscript not found), no ratio', value: 0, unit: 'ms' });
    return results;
  }
  const dir = mkdtempSync(join(tmpdir(), 'msct-bench-'));
  try {
    const csv = join(dir, 'analysis.csv');
    writeFileSync(csv, toCsv(data));
    let rMs = Number.POSITIVE_INFINITY;
    let rNoFriedmanMs = Number.POSITIVE_INFINITY;
    for (let k = 0; k < 3; k++) {
      const r = spawnSync('Rscript', [R_SCRIPT, csv], { encoding: 'utf8' });
      const all = /seconds ([0-9.]+)/.exec(r.stdout ?? '');
      const part = /seconds-without-friedman ([0-9.]+)/.exec(r.stdout ?? '');
      if (r.status !== 0 || !all || !part) throw new Error(`Rscript failed: ${r.stderr}`);
      rMs = Math.min(rMs, Number(all[1]) * 1000);
      rNoFriedmanMs = Math.min(rNoFriedmanMs, Number(part[1]) * 1000);
    }
    const ratio = msctMs / rMs;
    const ratioNoFriedman = msctNoFriedmanMs / rNoFriedmanMs;
    results.push(
      {
        name: 'R: the same (mean/sd/quantile, t.test, wilcox.test, p.adjust, friedman.test, survfit)',
        value: Math.round(rMs),
        unit: 'ms',
      },
      { name: 'R: the same without friedman.test', value: Math.round(rNoFriedmanMs), unit: 'ms' },
      {
        name: 'msct / R time',
        value: Math.round(ratio * 1000) / 1000,
        unit: '×',
        target: '<= 0.5',
        ok: ratio <= 0.5,
      },
      {
        name: 'msct / R time without Friedman',
        value: Math.round(ratioNoFriedman * 1000) / 1000,
        unit: '×',
        target: '<= 0.5',
        ok: ratioNoFriedman <= 0.5,
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
