// `msct study validate FILE` (issue #20): exit 0 for a valid definition, 1 with every problem by
// path, the same lines as POST /api/studies answers in `problems`.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { msctSleTrial } from '@msct/core/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { validateDefinitionFile } from './study.js';

const dir = mkdtempSync(join(tmpdir(), 'msct-study-'));
const write = (name: string, content: unknown) => {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
};

describe('msct study validate', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts the built-in trial written as a file', async () => {
    const file = write('msct-sle.json', msctSleTrial);
    expect(await validateDefinitionFile(file)).toEqual({
      exitCode: 0,
      lines: [
        `${file}: valid study definition msct-sle version 1.0.0 (8 visits, 11 forms, 13 eligibility criteria)`,
      ],
    });
  });

  it('lists every problem by path and exits 1', async () => {
    const bad = JSON.parse(JSON.stringify(msctSleTrial));
    bad.forms[4].items[7].codeList = 'yn2';
    bad.visits[2].windowDays = -1;
    bad.title = ' ';
    const file = write('bad.json', bad);
    expect(await validateDefinitionFile(file)).toEqual({
      exitCode: 1,
      lines: [
        `${file}: 3 problems`,
        'title: must not be empty',
        'visits[2].windowDays: must be ≥ 0, got -1',
        'forms[4].items[7].codeList: unknown code list "yn2" (bilag-classic-grade, end-of-study-status, lab_significance)',
      ],
    });
  });

  it('names a file that is not JSON', async () => {
    const r = await validateDefinitionFile(write('broken.json', '{ "id": '));
    expect(r.exitCode).toBe(1);
    expect(r.lines[0]).toMatch(/broken\.json: is not JSON/);
  });

  it('runs as the msct command with its exit code', async () => {
    const bad = JSON.parse(JSON.stringify(msctSleTrial));
    bad.endpointRuleSetId = 'sri-4';
    const file = write('bad-rules.json', bad);
    const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
    const TSX = fileURLToPath(new URL('../../../../node_modules/.bin/tsx', import.meta.url));
    const r = await promisify(execFile)(TSX, [MAIN, 'study', 'validate', file]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('endpointRuleSetId: unknown endpoint rule set "sri-4" (msct-sle-bilag-2014)');
  });
});
