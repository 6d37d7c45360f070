import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  backupDatabase,
  createStudy,
  createUser,
  listStudies,
  openDatabase,
  restoreDatabase,
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
