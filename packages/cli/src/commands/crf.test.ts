// `msct crf` in process on a real SQLite database (issue #22): the blank CRFs of a study defined as
// data, printed to PDF by headless Chromium or written as HTML; an unknown study or an ad-hoc study
// (no definition) is refused with exit 1 and a message.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msctSleTrial } from '@msct/core/protocol';
import { createTestTrial } from '@msct/server/testing';
import { createStudy, getStudy } from '@msct/store';
import { createTestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crfCommand } from './crf.js';

const out = mkdtempSync(join(tmpdir(), 'msct-crf-'));
const codes = { defined: '', adHoc: '' };
let drop: () => Promise<void>;
const saved = process.env.MSCT_DATABASE_URL;

beforeAll(async () => {
  const t = await createTestDatabase('sqlite');
  codes.defined = (
    await getStudy(t.db, (await createTestTrial(t.db, { definition: msctSleTrial })).studyId)
  ).code;
  codes.adHoc = (
    await createStudy(t.db, { id: null, name: 'test' }, { code: 'ADHOC', title: 'Ad hoc', definition: {} })
  ).code;
  process.env.MSCT_DATABASE_URL = t.url;
  drop = t.drop;
}, 30_000);
afterAll(async () => {
  if (saved === undefined) delete process.env.MSCT_DATABASE_URL;
  else process.env.MSCT_DATABASE_URL = saved;
  await drop?.();
  rmSync(out, { recursive: true, force: true });
});

describe('msct crf', () => {
  it('writes the blank CRFs as HTML, a page per form of the definition', async () => {
    const file = join(out, 'crfs.html');
    expect(await crfCommand({ study: codes.defined, out: file })).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html.match(/<section class="page"/g)).toHaveLength(msctSleTrial.forms!.length);
    expect(html).toContain('Blank case report forms');
  });

  it('prints them to PDF (one page or more per form)', async () => {
    const file = join(out, 'crfs.pdf');
    expect(await crfCommand({ study: codes.defined, out: file })).toBe(0);
    const pdf = readFileSync(file);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect((pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length).toBeGreaterThanOrEqual(
      msctSleTrial.forms!.length,
    );
  });

  it('refuses an unknown study, an ad-hoc study and an unknown format with exit 1', async () => {
    expect(await crfCommand({ study: 'NOPE', out: join(out, 'x.pdf') })).toBe(1);
    expect(await crfCommand({ study: codes.adHoc, out: join(out, 'y.pdf') })).toBe(1);
    expect(await crfCommand({ study: codes.defined, out: join(out, 'z.doc'), format: 'docx' })).toBe(1);
  });
});
