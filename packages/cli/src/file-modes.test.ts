// Issue 17: the files msct writes hold patient data or secrets, and were created world-readable.
// The data directory is 0700; the SQLite database and its -wal/-shm, `msct backup` files (SQLite and
// pg_dump) and the initial admin password file are 0600.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openDatabase } from '@msct/store';
import { createTestDatabase, TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { bootstrap } from './bootstrap.js';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const mode = (file: string) => statSync(file).mode & 0o777;

describe('file modes (issue 17)', () => {
  // A parent with the usual umask-022 permissions, so nothing below inherits privacy from it.
  const root = mkdtempSync(join(tmpdir(), 'msct-modes-'));
  chmodSync(root, 0o755);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a new SQLite database: directory 0700, file, -wal and -shm 0600, under the usual umask', async () => {
    const dir = join(root, 'data');
    const file = join(dir, 'msct.sqlite');
    const old = process.umask(0o022);
    try {
      const db = openDatabase(`sqlite:${file}`);
      try {
        await bootstrap(db, { MSCT_ADMIN_USERNAME: 'admin' }, dir);
        expect(existsSync(`${file}-wal`)).toBe(true);
        expect(mode(dir)).toBe(0o700);
        expect(mode(file)).toBe(0o600);
        expect(mode(`${file}-wal`)).toBe(0o600);
        expect(mode(`${file}-shm`)).toBe(0o600);
        expect(mode(join(dir, 'initial-admin-password.txt'))).toBe(0o600);
      } finally {
        await db.close();
      }
    } finally {
      process.umask(old);
    }
  });

  it('an existing world-readable database file is narrowed to 0600 when opened', async () => {
    const file = join(root, 'old.sqlite');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    const db = openDatabase(`sqlite:${file}`);
    await db.close();
    expect(mode(file)).toBe(0o600);
  });

  for (const dialect of TEST_DIALECTS) {
    it(`msct backup writes a 0600 file on ${dialect}`, async () => {
      const t = await createTestDatabase(dialect);
      try {
        const db = openDatabase(t.url);
        await bootstrap(db, { MSCT_ADMIN_PASSWORD: 'a-long-enough-passphrase-17' }, root);
        await db.close();
        const out = join(root, `backups-${dialect}`, `msct.${dialect === 'sqlite' ? 'sqlite' : 'pgdump'}`);
        await run(TSX, [MAIN, 'backup', out], {
          env: { ...process.env, MSCT_DATABASE_URL: t.url },
        });
        expect(mode(out)).toBe(0o600);
        expect(mode(join(root, `backups-${dialect}`))).toBe(0o700);
      } finally {
        await t.drop();
      }
    }, 60_000);
  }
});
