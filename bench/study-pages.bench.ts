// The study pages' API calls on the 40-patient demo trial (issue 6: "no spinner over 300 ms for a
// 40-subject study"): each request the study home, the status grid and the analysis page make,
// timed over the real HTTP server on loopback (median of 9 after one warm-up).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, configFromEnv } from '@msct/server';
import { migrateToLatest, openDatabase } from '@msct/store';
import { loadDemoTrial } from '../packages/cli/src/demo/load-demo.js';
import { ApiClient } from '../packages/server/src/testing/test-server.js';
import type { BenchResult } from './types.js';

export default async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'msct-bench-pages-'));
  const url = `sqlite:${join(dir, 'msct.sqlite')}`;
  const db = openDatabase(url);
  await migrateToLatest(db);
  const demo = await loadDemoTrial(db, {});
  const app = await buildApp({ db, config: { ...configFromEnv({}), databaseUrl: url } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const client = new ApiClient(
    `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
  );
  try {
    const admin = demo.users.find((u) => u.role === 'admin')!;
    await client.login(admin.username, admin.password);
    // The demo's passwords are generated: the first login chooses a new one (issue 17).
    await client.changePassword(admin.password, 'bench-admin-own-phrase-2026');
    const s = demo.studyId;
    const calls: [string, string][] = [
      ['subject list', `/api/studies/${s}/subjects`],
      ['counts per site', `/api/studies/${s}/subject-counts`],
      ['record status grid (first page of 50)', `/api/studies/${s}/record-status?limit=50`],
      ['query list', `/api/studies/${s}/queries`],
      ['query list as CSV', `/api/studies/${s}/queries.csv`],
      // Nothing verified yet: every form of the 40 patients is on the SDV list (its largest answer).
      ["monitor's worklist (every form unverified)", `/api/studies/${s}/worklist`],
      ['endpoint verdicts of 40 subjects', `/api/studies/${s}/endpoints`],
      ['one patient page (scores, verdict, trace)', `/api/subjects/${demo.patients[0]!.subjectId}/endpoints`],
      ['full analysis R1–R12', `/api/studies/${s}/analysis`],
    ];
    const out: BenchResult[] = [];
    for (const [name, path] of calls) {
      const res = await client.get(path);
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
      const times: number[] = [];
      for (let i = 0; i < 9; i++) {
        const t = performance.now();
        await client.get(path);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const median = Math.round(times[4]! * 10) / 10;
      out.push({ name: `${name}, median`, value: median, unit: 'ms', target: '< 300 ms', ok: median < 300 });
    }
    return out;
  } finally {
    await app.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
