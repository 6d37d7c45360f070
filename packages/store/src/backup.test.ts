import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  backupDatabase,
  createStudy,
  createUser,
  listStudies,
  lockDatabase,
  openDatabase,
  restoreDatabase,
  verifyBackupFile,
} from './index.js';
import { createTestDatabase, freshDatabaseUrl, TEST_DIALECTS } from './testing/databases.js';

const dir = mkdtempSync(join(tmpdir(), 'msct-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

for (const dialect of TEST_DIALECTS) {
  describe(`backup and restore on ${dialect}`, () => {
    it('round-trips every row and a verified audit chain into an empty database, and refuses to overwrite', async () => {
      const source = await createTestDatabase(dialect);
      const target = await freshDatabaseUrl(dialect);
      try {
        await createUser(
          source.db,
          { id: null, name: 'test' },
          { username: 'u1', displayName: 'U', passwordHash: 'x' },
        );
        await createStudy(
          source.db,
          { id: null, name: 'test' },
          { code: 'B1', title: 'Backup', definition: { a: 1 } },
        );
        const file = join(dir, `${dialect}.backup`);
        const report = await backupDatabase(source.db, file);
        expect(report.bytes).toBeGreaterThan(0);
        await expect(backupDatabase(source.db, file)).rejects.toThrow(/exists/);
        const restored = await restoreDatabase(target.url, file);
        expect(restored.auditEvents).toBe(2);
        const db = openDatabase(target.url);
        expect((await listStudies(db)).map((s) => s.code)).toEqual(['B1']);
        await db.close();
        await expect(restoreDatabase(target.url, file)).rejects.toThrow(/--force/);
        expect((await restoreDatabase(target.url, file, { force: true })).auditEvents).toBe(2);
      } finally {
        await source.drop();
        await target.drop();
      }
    });
  });
}

for (const dialect of TEST_DIALECTS) {
  describe(`backup verification and restore safety on ${dialect} (issue 17)`, () => {
    it('a backup whose data the trail does not explain is reported, and a --force restore of it replaces nothing', async () => {
      const source = await createTestDatabase(dialect);
      const target = await createTestDatabase(dialect);
      try {
        const actor = { id: null, name: 'test' };
        await createStudy(target.db, actor, { code: 'KEEP', title: 'Target data', definition: {} });
        const study = await createStudy(source.db, actor, { code: 'SRC', title: 'Source', definition: {} });
        // Changed around the trail, then backed up: the backup itself must not verify.
        await source.db.kysely
          .updateTable('studies')
          .set({ title: 'Forged' })
          .where('id', '=', study.id)
          .execute();
        const file = join(dir, `${dialect}-forged.backup`);
        await expect(backupDatabase(source.db, file)).rejects.toThrow(
          /does not verify[\s\S]*studies .* title/,
        );
        const check = await verifyBackupFile(file, {
          pgUrl: dialect === 'postgres' ? target.url : undefined,
        });
        expect(check.ok).toBe(false);
        expect(check.data.findings).toEqual([
          expect.objectContaining({
            table: 'studies',
            recordId: study.id,
            field: 'title',
            actual: 'Forged',
            expected: 'Source',
          }),
        ]);
        await expect(restoreDatabase(target.url, file, { force: true })).rejects.toThrow(
          /nothing was replaced/,
        );
        expect((await listStudies(target.db)).map((s) => s.code)).toEqual(['KEEP']);
      } finally {
        await source.drop();
        await target.drop();
      }
    });

    it('a PostgreSQL or SQLite backup with a broken chain is refused before it replaces anything', async () => {
      const source = await createTestDatabase(dialect);
      const target = await createTestDatabase(dialect);
      try {
        const actor = { id: null, name: 'test' };
        await createStudy(target.db, actor, { code: 'KEEP', title: 'Target data', definition: {} });
        await createStudy(source.db, actor, { code: 'SRC', title: 'Source', definition: {} });
        await createUser(source.db, actor, { username: 'u1', displayName: 'U', passwordHash: 'x' });
        await source.db.kysely
          .updateTable('audit_events')
          .set({ actor_name: 'mallory' })
          .where('seq', '=', 1)
          .execute();
        const file = join(dir, `${dialect}-broken.backup`);
        await expect(backupDatabase(source.db, file)).rejects.toThrow(/audit chain broken at event 1/);
        await expect(restoreDatabase(target.url, file, { force: true })).rejects.toThrow(
          /nothing was replaced/,
        );
        expect((await listStudies(target.db)).map((s) => s.code)).toEqual(['KEEP']);
      } finally {
        await source.drop();
        await target.drop();
      }
    });

    it('a restore is refused while a server holds the database, and runs once it has let go', async () => {
      const source = await createTestDatabase(dialect);
      const target = await createTestDatabase(dialect);
      try {
        await createStudy(
          source.db,
          { id: null, name: 'test' },
          { code: 'SRC', title: 'Source', definition: {} },
        );
        const file = join(dir, `${dialect}-locked.backup`);
        await backupDatabase(source.db, file);
        const server = await lockDatabase(target.url, 'server');
        await expect(restoreDatabase(target.url, file, { force: true })).rejects.toThrow(
          /stop the server first/,
        );
        // A second server may share the database; a restore may not start while either holds it.
        const second = await lockDatabase(target.url, 'server').catch((e: Error) => e);
        if (dialect === 'postgres') {
          expect(second).not.toBeInstanceOf(Error);
          await (second as Awaited<ReturnType<typeof lockDatabase>>).release();
        } else expect(String(second)).toMatch(/held by an msct server \(pid \d+/);
        await server.release();
        expect((await restoreDatabase(target.url, file, { force: true })).auditEvents).toBe(1);
        // And while a restore runs, a server cannot start.
        const restoring = await lockDatabase(target.url, 'restore');
        await expect(lockDatabase(target.url, 'server')).rejects.toThrow(/held by a restore/);
        await restoring.release();
      } finally {
        await source.drop();
        await target.drop();
      }
    });
  });
}

describe('the server lock on PostgreSQL survives a lost session', () => {
  it.skipIf(!TEST_DIALECTS.includes('postgres'))(
    'takes the lock again when its session is cut, and reports the loss when a restore got it first',
    async () => {
      const target = await createTestDatabase('postgres');
      const lost: Error[] = [];
      const server = await lockDatabase(target.url, 'server', { onLost: (e) => lost.push(e) });
      const cut = async () => {
        const c = new pg.Client({ connectionString: target.url });
        await c.connect();
        await c.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name like 'msct server%'",
        );
        await c.end();
      };
      try {
        await cut();
        // Re-taken within a moment: a restore is still refused.
        await new Promise((r) => setTimeout(r, 500));
        await expect(lockDatabase(target.url, 'restore')).rejects.toThrow(/stop the server first/);
        expect(lost).toEqual([]);
        // A restore waiting for the database gets it the moment the server's session ends, before
        // the server can open a new one: the server is told it lost it.
        const restoreLock = new pg.Client({ connectionString: target.url });
        await restoreLock.connect();
        const waiting = restoreLock.query('select pg_advisory_lock($1, $2)', [0x6d736374, 1]);
        await new Promise((r) => setTimeout(r, 200));
        await cut();
        await waiting;
        for (let i = 0; i < 100 && lost.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
        await restoreLock.end();
        expect(lost).toHaveLength(1);
        expect(lost[0]!.message).toMatch(/held by a restore/);
      } finally {
        await server.release();
        await target.drop();
      }
    },
  );
});
