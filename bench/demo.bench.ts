// The demo trial (issue 8): generation time (target < 5 s), derivation + adjudication of the 40
// patients, and the load through the store into a fresh SQLite file (passwords hashed, one
// transaction per patient, every item audited). Median of 5 generations; one load.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDemoTrial } from '../packages/cli/src/demo/load-demo.js';
import { demoCohortSummary, demoDataset, generateDemoTrial } from '../packages/core/src/demo/index.js';
import { migrateToLatest, openDatabase } from '../packages/store/src/index.js';
import type { BenchResult } from './types.js';

const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;

export default async function run(): Promise<BenchResult[]> {
  generateDemoTrial({ seed: 1 }); // warm-up
  const times: number[] = [];
  let plan = generateDemoTrial({ seed: 2014 });
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    plan = generateDemoTrial({ seed: 2014 + i });
    times.push(ms(t0));
  }
  const generation = times.sort((a, b) => a - b)[2]!;

  let t0 = performance.now();
  const summary = demoCohortSummary(demoDataset(plan));
  const derive = ms(t0);
  if (summary.mcr + summary.pcr + summary.nr !== 40)
    throw new Error('demo cohort did not adjudicate 40 patients');

  const dir = mkdtempSync(join(tmpdir(), 'msct-bench-demo-'));
  const db = openDatabase(`sqlite:${join(dir, 'msct.sqlite')}`);
  let load: number;
  let items = 0;
  try {
    const m = await migrateToLatest(db);
    if (m.error) throw new Error(m.error);
    t0 = performance.now();
    const r = await loadDemoTrial(db, { seed: 2014 });
    load = ms(t0);
    items = r.counts.items;
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    {
      name: 'demo trial generation (40 patients, item level; median of 5)',
      value: generation,
      unit: 'ms',
      target: '< 5 000 ms',
      ok: generation < 5000,
    },
    { name: 'demo trial derive + adjudicate (40 patients)', value: derive, unit: 'ms' },
    {
      name: `demo trial load into SQLite (${items} items, audited, 23 password hashes)`,
      value: load,
      unit: 'ms',
    },
  ];
}
