// Issue 21: "the worklists answer in < 300 ms for the 40-patient demo (bench, not a timed test)".
// The demo trial (seed 2014) is loaded into a fresh SQLite file through the store, then served by the
// real HTTP server on loopback. Worst cases: every form set back to complete and unsigned (straight in
// the table, past the repositories: seeding only), so the investigator's worklist lists every form;
// nothing source verified, so the monitor's worklist lists every form the SDV plan (100 %) needs.
// Each worklist as a study-wide user of its role, median of 9 after one warm-up, with its size:
// monitor (GET /worklist), investigator (GET /signature-worklist), safety (GET /adverse-events, the
// study's AE/SAE listing with its clocks), and the administrator's ready-to-lock report.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, configFromEnv } from '@msct/server';
import { assignRole, createUser, migrateToLatest, openDatabase } from '@msct/store';
import { loadDemoTrial } from '../packages/cli/src/demo/load-demo.js';
import { hashPassword } from '../packages/server/src/auth/password.js';
import { ApiClient, TEST_PASSWORD } from '../packages/server/src/testing/test-server.js';
import type { BenchResult } from './types.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export default async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'msct-bench-worklists-'));
  const url = `sqlite:${join(dir, 'msct.sqlite')}`;
  const db = openDatabase(url);
  const results: BenchResult[] = [];
  try {
    const m = await migrateToLatest(db);
    if (m.error) throw new Error(m.error);
    const demo = await loadDemoTrial(db, { seed: 2014 });
    await db.kysely
      .updateTable('form_instances')
      .set({ status: 'complete', signed_by: null, signed_at: null, signature_meaning: null })
      .execute();
    const system = { id: null, name: 'bench' };
    const passwordHash = await hashPassword(TEST_PASSWORD);
    const roles = ['monitor', 'investigator', 'safety', 'admin'] as const;
    for (const role of roles) {
      const u = await createUser(db, system, {
        username: `bench-${role}`,
        displayName: `bench ${role}`,
        passwordHash,
        mustChangePassword: false,
      });
      await assignRole(db, system, {
        userId: u.id,
        role,
        studyId: role === 'admin' ? null : demo.studyId,
        siteId: null,
      });
    }
    const count = async (table: 'form_instances' | 'adverse_events') =>
      Number(
        (
          await db.kysely
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const [forms, aes] = [await count('form_instances'), await count('adverse_events')];
    const app = await buildApp({ db, config: { ...configFromEnv({}), databaseUrl: url, port: 0 } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const address = app.server.address();
      if (!address || typeof address === 'string') throw new Error('no TCP address');
      const base = `http://127.0.0.1:${address.port}`;
      const s = `/api/studies/${demo.studyId}`;
      const cases: [role: (typeof roles)[number], what: string, path: string][] = [
        ['monitor', `monitor's worklist, ${forms} forms unverified`, `${s}/worklist`],
        [
          'investigator',
          `investigator's worklist, ${forms} forms awaiting a signature`,
          `${s}/signature-worklist`,
        ],
        ['safety', `safety's AE/SAE listing, ${aes} AEs with their clocks`, `${s}/adverse-events`],
        ['admin', 'ready-to-lock report of the study', `${s}/lock-readiness`],
      ];
      for (const [role, what, path] of cases) {
        const client = new ApiClient(base);
        await client.login(`bench-${role}`);
        let bytes = 0;
        const times: number[] = [];
        for (let i = 0; i < 10; i++) {
          const t0 = performance.now();
          const res = await client.request<unknown>('GET', path);
          const t = performance.now() - t0;
          if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
          bytes = JSON.stringify(res.body).length;
          if (i > 0) times.push(t);
        }
        const ms = Math.round(median(times) * 10) / 10;
        results.push({
          name: `GET ${path.replace(s, '/studies/:id')} — ${what} (demo, ${Math.round(bytes / 1024)} KB; median of 9)`,
          value: ms,
          unit: 'ms',
          target: '< 300 ms',
          ok: ms < 300,
        });
      }
    } finally {
      await app.close();
    }
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
