// The msct command as a user runs it: a real process on a real SQLite file.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { migrationProvider, openDatabase } from '@msct/store';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'msct-cli-'));
const url = `sqlite:${join(dir, 'msct.sqlite')}`;
const env = { ...process.env, MSCT_DATABASE_URL: url, MSCT_DEMO: '0' };

async function msct(args: string[], extraEnv: Record<string, string> = {}) {
  try {
    const r = await run(TSX, [MAIN, ...args], { env: { ...env, ...extraEnv } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('msct CLI', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--help lists the commands', async () => {
    const r = await msct(['--help']);
    for (const c of ['start', 'migrate', 'user', 'audit']) expect(r.stdout).toContain(c);
  });

  it('is a bin of the workspace: `npx msct` (node_modules/.bin/msct after npm ci) runs it (issue #22)', async () => {
    const BIN = fileURLToPath(new URL('../../../node_modules/.bin/msct', import.meta.url));
    const r = await run(BIN, ['--help'], { env, cwd: tmpdir() });
    expect(r.stdout).toMatch(/^Usage: msct /);
    expect(r.stdout).toContain('analyze');
  });

  it('migrate creates the schema, then reports it up to date', async () => {
    expect((await msct(['migrate'])).stdout).toContain('applied: 001-initial');
    expect((await msct(['migrate'])).stdout).toContain('up to date');
  });

  it('migrate --revert reverts only the named most recent migration (issue #18: 003 is reversible)', async () => {
    // Every migration after 003 is reverted first, newest first, each named as the most recent one.
    const names = Object.keys(await migrationProvider.getMigrations()).sort();
    const latest = names.at(-1)!;
    const wrong = await msct(['migrate', '--revert', '001-initial']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain(`the most recent migration is ${latest}`);
    const toRevert = names.slice(names.indexOf('003-sledai-attribution')).reverse();
    for (const name of toRevert)
      expect((await msct(['migrate', '--revert', name])).stdout).toContain(`reverted: ${name}`);
    expect((await msct(['migrate'])).stdout).toContain(`applied: ${[...toRevert].reverse().join(', ')}`);
    // One CLI process per migration after 003, each a few seconds on a loaded machine.
  }, 240_000);

  it('user add refuses a weak password and creates a user with a good one', async () => {
    const weak = await msct(['user', 'add', 'dr.wang', '--role', 'admin'], { MSCT_NEW_PASSWORD: 'short' });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('at least 12 characters');
    const ok = await msct(['user', 'add', 'dr.wang', '--role', 'admin'], {
      MSCT_NEW_PASSWORD: 'a-long-enough-password',
    });
    expect(ok.stdout).toContain('created user dr.wang (admin)');
    const missingStudy = await msct(['user', 'add', 'nurse', '--role', 'coordinator'], {
      MSCT_NEW_PASSWORD: 'a-long-enough-password',
    });
    expect(missingStudy.stderr).toContain('--study is required');
  });

  it('audit verify passes on an intact chain and names the first broken link after tampering', async () => {
    const ok = await msct(['audit', 'verify']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/audit chain intact: \d+ events verified/);
    const db = openDatabase(url);
    await db.kysely.updateTable('audit_events').set({ actor_name: 'mallory' }).where('seq', '=', 2).execute();
    await db.close();
    const bad = await msct(['audit', 'verify']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('BROKEN at event 2');
  });

  it('start on an empty database creates the admin (password in an owner-only file), loads the demo trial, and serves; adjudicate then finds the published outcomes', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'msct-start-'));
    const child = spawn(TSX, [MAIN, 'start', '--port', '0'], {
      env: { ...process.env, MSCT_DATABASE_URL: `sqlite:${join(fresh, 'msct.sqlite')}` },
    });
    try {
      const out = await new Promise<string>((resolve, reject) => {
        let buf = '';
        const timer = setTimeout(() => reject(new Error(`start did not serve: ${buf}`)), 90_000);
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          if (buf.includes('serving')) {
            clearTimeout(timer);
            resolve(buf);
          }
        });
        child.stderr.on('data', (d: Buffer) => {
          buf += d.toString();
        });
      });
      const file = join(fresh, 'initial-admin-password.txt');
      expect(out).toContain(file);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8').trim().length).toBeGreaterThanOrEqual(20);
      const port = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1];
      const health = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(await health.json()).toMatchObject({ status: 'ok', database: 'sqlite' });
      expect(out).toContain('msct demo: loaded study MSCT-SLE');
      expect(out).toMatch(/coordinator/);
      const adj = await msct(['adjudicate'], { MSCT_DATABASE_URL: `sqlite:${join(fresh, 'msct.sqlite')}` });
      // trial.md "Published results": MCR 13, PCR 11 (so 16 NR) of 40 — derived from items by msct's rules.
      expect(adj.stdout).toMatch(/40 subjects: .*MCR 13/);
      expect(adj.stdout).toMatch(/PCR 11/);
      expect(adj.stdout).toMatch(/NR 16/);
    } finally {
      child.kill('SIGTERM');
      rmSync(fresh, { recursive: true, force: true });
    }
  }, 120_000);
});
