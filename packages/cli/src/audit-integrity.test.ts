// Issue 17 (findings 7 and 8) through the msct command, as an operator runs it: `audit verify`
// proves the data and reports every row the trail does not explain; an exported head (`audit head`)
// catches a chain rewritten from scratch; `restore` refuses while a real `msct start` server holds
// the database, on SQLite and on PostgreSQL.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  type Actor,
  auditEventHash,
  createSite,
  createStudy,
  createSubject,
  createUser,
  createVisit,
  type Db,
  listStudies,
  migrateToLatest,
  openDatabase,
  saveItems,
} from '@msct/store';
import { freshDatabaseUrl, TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'msct-integrity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function msct(url: string, args: string[]) {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: REPO,
      env: { ...process.env, MSCT_DATABASE_URL: url, MSCT_DEMO: '0' },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A small trial written through the repositories (so every row has its audit events). */
async function seed(db: Db) {
  const system: Actor = { id: null, name: 'system' };
  const u = await createUser(db, system, { username: 'coord', displayName: 'C', passwordHash: 'x' });
  const actor: Actor = { id: u.id, name: 'coord' };
  const study = await createStudy(db, system, { code: 'INT', title: 'Integrity', definition: {} });
  const site = await createSite(db, system, { studyId: study.id, code: 'S1', name: 'Site 1' });
  const subject = await createSubject(db, actor, {
    studyId: study.id,
    siteId: site.id,
    sex: 'F',
    birthDate: '1975-03-02',
  });
  const visit = await createVisit(db, actor, {
    subjectId: subject.id,
    visitCode: 'M1',
    visitDate: '2012-01-01',
  });
  const saved = await saveItems(db, actor, {
    visitId: visit.id,
    formCode: 'LAB',
    items: [{ itemCode: 'CREAT', value: '88', unit: 'umol/L' }],
  });
  return { subjectId: subject.id, itemId: saved.items[0]!.id };
}

async function freshSeeded(dialect: 'sqlite' | 'postgres') {
  const fresh = await freshDatabaseUrl(dialect);
  const db = openDatabase(fresh.url);
  await migrateToLatest(db);
  const ids = await seed(db);
  return { ...fresh, db, ids };
}

describe('msct audit verify proves the data (SQLite)', () => {
  it('reports an edited item value and an edited birth date by table, record and field, and exits 1', async () => {
    const t = await freshSeeded('sqlite');
    try {
      const ok = await msct(t.url, ['audit', 'verify']);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/data: all \d+ audited rows explained by the trail/);
      await t.db.kysely
        .updateTable('item_values')
        .set({ value: '60' })
        .where('id', '=', t.ids.itemId)
        .execute();
      await t.db.kysely
        .updateTable('subjects')
        .set({ birth_date: '1985-03-02' })
        .where('id', '=', t.ids.subjectId)
        .execute();
      const bad = await msct(t.url, ['audit', 'verify']);
      expect(bad.code).toBe(1);
      // Before issue 17 this said "audit chain intact" and exited 0.
      expect(bad.stdout).toContain('audit chain intact');
      expect(bad.stdout).toMatch(
        new RegExp(`FINDING item_values ${t.ids.itemId} value \\[event \\d+\\].*"88 umol/L".*"60 umol/L"`),
      );
      expect(bad.stdout).toMatch(
        new RegExp(
          `FINDING subjects ${t.ids.subjectId} birth_date \\[event \\d+\\].*"1975-03-02".*"1985-03-02"`,
        ),
      );
      const json = await msct(t.url, ['audit', 'verify', '--json']);
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout) as {
        ok: boolean;
        data: { findings: { table: string; field: string }[] };
      };
      expect(report.ok).toBe(false);
      expect(report.data.findings.map((f) => `${f.table}.${f.field}`).sort()).toEqual([
        'item_values.value',
        'subjects.birth_date',
      ]);
    } finally {
      await t.db.close();
      await t.drop();
    }
  }, 60_000);

  it('an exported head catches a chain rewritten consistently from an early event on', async () => {
    const t = await freshSeeded('sqlite');
    try {
      const anchorFile = join(dir, 'anchor.json');
      const head = await msct(t.url, ['audit', 'head', '--out', anchorFile]);
      expect(head.code).toBe(0);
      expect(statSync(anchorFile).mode & 0o777).toBe(0o600);
      expect((await msct(t.url, ['audit', 'verify', '--anchor', anchorFile])).code).toBe(0);
      // Rewrite event 2 (who did it) and re-hash every later event and the head: the chain alone
      // verifies again, and nothing the data check compares changed.
      const events = await t.db.kysely.selectFrom('audit_events').selectAll().orderBy('seq').execute();
      let prev = events[0]!.hash;
      for (const e of events.slice(1)) {
        const row = {
          ...e,
          seq: Number(e.seq),
          actor_name: e.seq === 2 ? 'someone else' : e.actor_name,
          prev_hash: prev,
        };
        row.hash = auditEventHash(row);
        await t.db.kysely
          .updateTable('audit_events')
          .set({ actor_name: row.actor_name, prev_hash: row.prev_hash, hash: row.hash })
          .where('seq', '=', row.seq)
          .execute();
        prev = row.hash;
      }
      await t.db.kysely.updateTable('audit_head').set({ hash: prev }).execute();
      expect((await msct(t.url, ['audit', 'verify'])).code).toBe(0);
      const anchored = await msct(t.url, ['audit', 'verify', '--anchor', anchorFile]);
      expect(anchored.code).toBe(1);
      expect(anchored.stderr).toMatch(/anchor .* FAILED: event \d+ has hash .* the chain was rewritten/);
    } finally {
      await t.db.close();
      await t.drop();
    }
  }, 60_000);
});

async function startServer(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start', '--port', '0'], {
    cwd: REPO,
    env: {
      ...process.env,
      MSCT_DATABASE_URL: url,
      MSCT_ADMIN_PASSWORD: 'restore-lock-test-pw',
      MSCT_DEMO: '0',
    },
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/serving the API/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

for (const dialect of TEST_DIALECTS) {
  describe(`msct restore while a server runs (${dialect})`, () => {
    it('is refused with what to do, replaces nothing, and works once the server is stopped', async () => {
      const source = await freshSeeded(dialect);
      const target = await freshDatabaseUrl(dialect);
      let server: ChildProcess | undefined;
      try {
        const file = join(dir, `${dialect}-restore.backup`);
        const backup = await msct(source.url, ['backup', file]);
        expect(backup.stdout).toMatch(/audit chain of \d+ events and \d+ audited rows verified/);
        server = await startServer(target.url);
        const refused = await msct(target.url, ['restore', '--force', file]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(/in use by an msct server.*stop the server first/);
        // The server's database is untouched: still its own (empty) study list, still serving.
        const check = openDatabase(target.url);
        expect(await listStudies(check)).toEqual([]);
        await check.close();
        // Verifying the backup needs no lock: it runs while the server does.
        const verified = await msct(target.url, ['audit', 'verify', '--backup', file]);
        expect(verified.code).toBe(0);
        await stop(server);
        server = undefined;
        const restored = await msct(target.url, ['restore', '--force', file]);
        expect(restored.stdout).toMatch(/restored .*audited rows verified/);
        const after = openDatabase(target.url);
        expect((await listStudies(after)).map((s) => s.code)).toEqual(['INT']);
        await after.close();
      } finally {
        if (server) await stop(server);
        await source.db.close();
        await source.drop();
        await target.drop();
      }
    }, 120_000);
  });
}

describe('msct start on a fresh install (README quick start)', () => {
  it('creates the data directory (0700) with the lock and the database (0600) in it, and serves', async () => {
    // The quick start's default is ./data/msct.sqlite, a directory a fresh clone does not have: the
    // server lock is taken before the database is opened, so taking it must create the directory.
    const dataDir = join(dir, 'fresh-install', 'data');
    const server = await startServer(`sqlite:${join(dataDir, 'msct.sqlite')}`);
    try {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dataDir, 'msct.sqlite')).mode & 0o777).toBe(0o600);
      expect(statSync(join(dataDir, 'msct.sqlite.lock')).mode & 0o777).toBe(0o600);
    } finally {
      await stop(server);
    }
  }, 90_000);
});
