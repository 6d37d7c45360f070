// `msct study amend CODE --definition FILE [--reason TEXT] [--dry-run]` (issue #20) on a real SQLite
// database: the dry run prints the report (the narrowed range, the stored value it makes invalid) and
// stores nothing; an invalid file is refused with the lines of `msct study validate`; without a reason
// nothing is applied (exit 1); the real `msct` process applies it as version 2 (exit 0).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { msctSleTrial, type StudyDefinition } from '@msct/core/protocol';
import { createTestTrial } from '@msct/server/testing';
import {
  type Actor,
  createSubject,
  createVisit,
  type Db,
  getStudy,
  listDefinitionVersions,
  saveItems,
} from '@msct/store';
import { createTestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amendStudyFromFile, validateDefinitionFile } from './study.js';

const dir = mkdtempSync(join(tmpdir(), 'msct-amend-'));
const write = (name: string, content: unknown) => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(content, null, 2));
  return file;
};

function narrowedC3(): StudyDefinition {
  const d: StudyDefinition = JSON.parse(JSON.stringify(msctSleTrial));
  const labs = d.forms.find((f) => f.id === 'labs')!;
  labs.items = labs.items!.map((i) => (i.code === 'c3' ? { ...i, max: 3 } : i));
  return d;
}

let db: Db;
let url: string;
let drop: () => Promise<void>;
let code: string;
let studyId: string;
let admin: Actor;
let subjectCode: string;

beforeAll(async () => {
  const t = await createTestDatabase('sqlite');
  db = t.db;
  url = t.url;
  drop = t.drop;
  const trial = await createTestTrial(db, { definition: msctSleTrial });
  studyId = trial.studyId;
  code = (await getStudy(db, studyId)).code;
  admin = { id: trial.users.admin!.id, name: 'admin' };
  const coord = { id: trial.users.coordinator!.id, name: 'coordinator' };
  const subject = await createSubject(db, coord, { studyId, siteId: trial.siteA });
  subjectCode = subject.subject_code;
  const m3 = await createVisit(db, coord, {
    subjectId: subject.id,
    visitCode: 'M3',
    visitDate: '2024-04-10',
  });
  await saveItems(db, coord, {
    visitId: m3.id,
    formCode: 'labs',
    items: [{ itemCode: 'c3', value: '4.5', unit: 'g/L' }],
  });
}, 30_000);
afterAll(async () => {
  await drop?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('msct study amend', () => {
  it('--dry-run prints the report and stores nothing', async () => {
    const file = write('narrowed.json', narrowedC3());
    const r = await amendStudyFromFile(db, admin, code, { definition: file, dryRun: true });
    expect(r.exitCode).toBe(0);
    expect(r.lines).toEqual([
      `${code}: definition version 1 → 2 (dry run, nothing stored)`,
      'narrowed (1):',
      '  item labs.c3: range 0–5 → 0–3 g/L',
      'stored values checked: 1; becoming invalid: 1',
      `  ${subjectCode} M3 labs.c3 = 4.5 g/L: value-out-of-range: Complement C3: 4.5 is above the plausible maximum 3 g/L`,
    ]);
    expect(await listDefinitionVersions(db, studyId)).toHaveLength(1);
  });

  it('refuses an invalid definition with the lines of msct study validate, and a missing reason', async () => {
    const bad = narrowedC3() as unknown as { forms: { items?: { codeList?: string }[] }[] };
    bad.forms[4]!.items![7]!.codeList = 'yn2';
    const file = write('bad.json', bad);
    const r = await amendStudyFromFile(db, admin, code, { definition: file, reason: 'x' });
    expect(r).toEqual({ exitCode: 1, lines: (await validateDefinitionFile(file)).lines });
    expect(r.lines[1]).toBe(
      'forms[4].items[7].codeList: unknown code list "yn2" (bilag-classic-grade, end-of-study-status, lab_significance)',
    );
    const noReason = await amendStudyFromFile(db, admin, code, { definition: write('n.json', narrowedC3()) });
    expect(noReason.exitCode).toBe(1);
    expect(noReason.lines[0]).toContain('a reason is required');
    expect((await amendStudyFromFile(db, admin, 'NOPE', { definition: file, dryRun: true })).exitCode).toBe(
      1,
    );
    expect(await listDefinitionVersions(db, studyId)).toHaveLength(1);
  });

  it('runs as the msct command: applied as version 2 with the reason, exit 0', async () => {
    const file = write('apply.json', narrowedC3());
    const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
    const TSX = fileURLToPath(new URL('../../../../node_modules/.bin/tsx', import.meta.url));
    const r = await promisify(execFile)(
      TSX,
      [MAIN, 'study', 'amend', code, '--definition', file, '--reason', 'Amendment 1: C3 assay upper limit'],
      { env: { ...process.env, MSCT_DATABASE_URL: url } },
    ).then(
      (o) => ({ code: 0, stdout: o.stdout }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout + e.stderr,
      }),
    );
    expect(r.stdout).toContain(
      `${code}: definition version 2 stored (was 1), reason: Amendment 1: C3 assay upper limit`,
    );
    expect(r.code).toBe(0);
    const versions = await listDefinitionVersions(db, studyId);
    expect(versions.map((v) => [v.version, v.createdByName, v.reason])).toEqual([
      [1, 'test', null],
      [2, 'admin', 'Amendment 1: C3 assay upper limit'],
    ]);
  }, 60_000);
});
