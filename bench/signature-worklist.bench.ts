// The investigator's worklist "awaiting my signature" on the 40-patient demo trial (issue 21: the
// worklists answer in < 300 ms for the demo; a bench, not a timed test). The demo is loaded into a
// fresh SQLite file through the store; its loader signs every form, so for the worst case every form
// is set back to complete (straight in the table, past the repositories: seeding only) — every form
// of the trial then awaits a signature. Over the real HTTP server on loopback: GET
// /signature-worklist as a study-wide investigator and as the administrator, median of 9 after one
// warm-up, with the response size; and the one-ceremony signing of one visit (POST /signatures).
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
  const dir = mkdtempSync(join(tmpdir(), 'msct-bench-sign-'));
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
    for (const [username, role] of [
      ['bench-investigator', 'investigator'],
      ['bench-admin', 'admin'],
    ] as const) {
      const u = await createUser(db, system, {
        username,
        displayName: username,
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
      const forms = Number(
        (
          await db.kysely
            .selectFrom('form_instances')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
      for (const who of ['bench-investigator', 'bench-admin']) {
        const client = new ApiClient(base);
        await client.login(who);
        const path = `/api/studies/${demo.studyId}/signature-worklist`;
        let bytes = 0;
        const times: number[] = [];
        for (let i = 0; i < 10; i++) {
          const t0 = performance.now();
          const res = await client.request<string>('GET', path);
          const t = performance.now() - t0;
          if (res.status !== 200) throw new Error(`worklist: ${res.status}`);
          bytes = JSON.stringify(res.body).length;
          if (i > 0) times.push(t);
        }
        const ms = Math.round(median(times) * 10) / 10;
        results.push({
          name: `GET /signature-worklist as ${who.replace('bench-', '')} (demo, ${forms} forms awaiting; ${Math.round(bytes / 1024)} KB; median of 9)`,
          value: ms,
          unit: 'ms',
          target: '< 300 ms',
          ok: ms < 300,
        });
      }
      // One ceremony: the forms of the first visit awaiting, signed with one password.
      const client = new ApiClient(base);
      await client.login('bench-investigator');
      const w = await client.get<{
        awaiting: {
          subjectId: string;
          visits: { visitId: string; forms: { formId: string; version: number }[] }[];
        }[];
      }>(`/api/studies/${demo.studyId}/signature-worklist`);
      const s = w.body.awaiting[0]!;
      const v = s.visits[0]!;
      const t0 = performance.now();
      const signed = await client.post(`/api/subjects/${s.subjectId}/signatures`, {
        visitId: v.visitId,
        forms: v.forms.map((f) => ({ formId: f.formId, version: f.version })),
        password: TEST_PASSWORD,
      });
      const t = Math.round((performance.now() - t0) * 10) / 10;
      if (signed.status !== 200) throw new Error(`sign: ${signed.status}`);
      results.push({
        name: `POST /signatures: one visit (${v.forms.length} forms) signed in one ceremony (incl. argon2id password check)`,
        value: t,
        unit: 'ms',
      });
    } finally {
      await app.close();
    }
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
