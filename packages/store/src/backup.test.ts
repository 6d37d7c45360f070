import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
        await expect(lockDatabase(target.url, 'server')).rejects.toThrow(/held by a restore|held by an msct/);
        await restoring.release();
      } finally {
        await source.drop();
        await target.drop();
      }
    });
  });
}
