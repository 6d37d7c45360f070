// `msct analyze` in process on a real SQLite database: files written per format, study selection.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestTrial } from '@msct/server/testing';
import { getStudy } from '@msct/store';
import { createTestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCommand, parseFormats } from './analyze.js';

const out = mkdtempSync(join(tmpdir(), 'msct-analyze-'));
let code = '';
let drop: () => Promise<void>;
const saved = process.env.MSCT_DATABASE_URL;

beforeAll(async () => {
  const t = await createTestDatabase('sqlite');
  const trial = await createTestTrial(t.db);
  code = (await getStudy(t.db, trial.studyId)).code;
  process.env.MSCT_DATABASE_URL = t.url;
  drop = t.drop;
}, 30_000);
afterAll(async () => {
  if (saved === undefined) delete process.env.MSCT_DATABASE_URL;
  else process.env.MSCT_DATABASE_URL = saved;
  await drop?.();
  rmSync(out, { recursive: true, force: true });
});

describe('msct analyze', () => {
  it('parses --format and refuses unknown formats', () => {
    expect(parseFormats(undefined)).toEqual(['html', 'json', 'csv']);
    expect(parseFormats('pdf, html,pdf')).toEqual(['pdf', 'html']);
    expect(() => parseFormats('html,docx')).toThrow(/unknown docx/);
  });

  it('writes report.html, results.json, one CSV per table and report.pdf', async () => {
    const files = await analyzeCommand({ study: code, out, format: 'html,json,csv,pdf' });
    for (const f of ['report.html', 'results.json', 'response.csv', 'change_from_baseline.csv', 'report.pdf'])
      expect(files).toContain(join(out, f));
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      study: { code: string };
      software: { version: string; commit: string | null; contentHash: string };
    };
    expect(json.study.code).toBe(code);
    // Issue #18 item 11: the software identity right after the data snapshot, and in the header.
    expect(Object.keys(json).slice(0, 3)).toEqual(['study', 'snapshot', 'software']);
    expect(json.software.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(json.software.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain(`Analysis report — ${code}`);
    expect(html).toContain(`<code>${json.software.commit}</code>`);
    expect(html).toContain(`<code>${json.software.contentHash}</code>`);
    expect(readFileSync(join(out, 'report.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
  }, 60_000);

  it('names the study it cannot find', async () => {
    await expect(analyzeCommand({ study: 'NOPE', out })).rejects.toThrow(/no study with code "NOPE"/);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });
});
