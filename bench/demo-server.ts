// The setup the worklist benches share (issue 21: "the worklists answer in < 300 ms for the 40-patient
// demo"): the demo trial (seed 2014) loaded into a fresh SQLite file through the store, every form
// set back to complete and unsigned (straight in the table, past the repositories: seeding only — the
// demo's loader signs every form, and the worst case is every form awaiting a signature and nothing
// source verified), one study-wide user per role asked for (the administrator system-wide), served
// by the real HTTP server on loopback. Not a bench itself (bench/run.ts runs `*.bench.ts` only).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, configFromEnv } from '@msct/server';
import { assignRole, createUser, type Db, migrateToLatest, openDatabase } from '@msct/store';
import { loadDemoTrial } from '../packages/cli/src/demo/load-demo.js';
import { hashPassword } from '../packages/server/src/auth/password.js';
import { ApiClient, TEST_PASSWORD } from '../packages/server/src/testing/test-server.js';

export type BenchRole = 'monitor' | 'investigator' | 'safety' | 'admin';

export interface DemoServer {
  db: Db;
  studyId: string;
  /** A client logged in as the bench's user of that role (`bench-<role>`). */
  login(role: BenchRole): Promise<ApiClient>;
  /** Rows of a table of the loaded demo. */
  count(table: 'form_instances' | 'adverse_events'): Promise<number>;
}

/** Runs `work` against the demo served with every form unsigned; removes the database after. */
export async function withUnsignedDemo<T>(
  roles: readonly BenchRole[],
  work: (demo: DemoServer) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'msct-bench-demo-'));
  const url = `sqlite:${join(dir, 'msct.sqlite')}`;
  const db = openDatabase(url);
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
    const app = await buildApp({ db, config: { ...configFromEnv({}), databaseUrl: url, port: 0 } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const address = app.server.address();
      if (!address || typeof address === 'string') throw new Error('no TCP address');
      const base = `http://127.0.0.1:${address.port}`;
      return await work({
        db,
        studyId: demo.studyId,
        async login(role) {
          const client = new ApiClient(base);
          await client.login(`bench-${role}`);
          return client;
        },
        async count(table) {
          const row = await db.kysely
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow();
          return Number(row.n);
        },
      });
    } finally {
      await app.close();
    }
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** GET `path` ten times: the median of the last nine (ms, one decimal) and the answer's JSON size. */
export async function timeGet(client: ApiClient, path: string): Promise<{ ms: number; bytes: number }> {
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
  const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
  return { ms: Math.round(median * 10) / 10, bytes };
}
