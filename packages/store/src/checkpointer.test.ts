import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, writeTransaction } from './index.js';

describe('background WAL checkpoints (checkpointer.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'msct-ckpt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const system = { id: null, name: 'system' };

  it('under sustained writes the WAL is checkpointed and restarts instead of growing; the data is all there after reopening', async () => {
    const path = join(dir, 'c.sqlite');
    const db = openDatabase(`sqlite:${path}`, { backgroundCheckpoints: true });
    const sqlite = db.sqlite!;
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    await migrateToLatest(db);
    sqlite.exec('create table t (id integer primary key, v blob)');
    const insert = sqlite.prepare('insert into t (v) values (?)');
    const blob = Buffer.alloc(8 * 1024, 7);
    // Back-to-back writes through the writer for 1.5 s (no pauses for the worker to catch up), 8 at a
    // time; the WAL must end up holding a small part of what was written. On a loaded machine the
    // worker may not be scheduled within 1.5 s: writing goes on until it has caught up twice and the
    // WAL is below a third of what was written (at most 30 s; without checkpoints the WAL holds all of
    // it and the test fails), so the test asks what the checkpointer does, not how fast the machine is.
    let n = 0;
    const start = Date.now();
    const bounded = () =>
      db.checkpointer!.stats.catchUps >= 2 && statSync(`${path}-wal`).size < (n * blob.length) / 3;
    const writing = () => Date.now() - start < 1500 || (!bounded() && Date.now() - start < 30_000);
    while (writing()) {
      await Promise.all(
        Array.from({ length: 8 }, () =>
          writeTransaction(db, system, async (_tx, audit) => {
            insert.run(blob);
            await audit.record({ action: 'test.blob', entityType: 'test', entityId: String(n++) });
          }),
        ),
      );
    }
    const walBytes = statSync(`${path}-wal`).size;
    const stats = { ...db.checkpointer!.stats };
    await db.close();
    expect(stats.lastError).toBeUndefined();
    expect(stats.runs).toBeGreaterThan(0);
    expect(stats.catchUps).toBeGreaterThan(1);
    expect(walBytes).toBeLessThan((n * blob.length) / 3);
    const again = openDatabase(`sqlite:${path}`);
    expect(again.sqlite!.prepare('select count(*) from t').pluck().get()).toBe(n);
    expect(again.sqlite!.pragma('integrity_check', { simple: true })).toBe('ok');
    await again.close();
  }, 60_000);

  it('short jobs keep SQLite’s own checkpoints', async () => {
    const db = openDatabase(`sqlite:${join(dir, 'd.sqlite')}`);
    expect(db.sqlite!.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(db.checkpointer).toBeUndefined();
    await db.close();
  });
});
