// `msct study create --format msct|redcap|odm [--dry-run]` and `msct study export-definition` on a
// real SQLite database (issue #20): the problems and the unmapped constructs are printed, a valid
// definition creates the study (audited), an invalid one creates nothing; the export reads back.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msctSleTrial } from '@msct/core/protocol';
import { convertOdmMetadata } from '@msct/exchange';
import { createTestTrial } from '@msct/server/testing';
import { findStudyByCode, listStudies } from '@msct/store';
import { createTestDatabase, type TestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudyFromFile, exportDefinition } from './study-definition.js';

const fixtures = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'exchange',
  'src',
  'testing',
  'fixtures',
  'definitions',
);
const hand = (f: string) => join(fixtures, 'hand-written', f);
const dir = mkdtempSync(join(tmpdir(), 'msct-study-create-'));
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase('sqlite');
  await createTestTrial(t.db, { definition: msctSleTrial });
}, 30_000);
afterAll(async () => {
  await t?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const redcap = {
  definition: hand('dictionary.csv'),
  format: 'redcap',
  events: hand('event.csv'),
  instrumentEvents: hand('instrument-event.csv'),
  frame: hand('frame.json'),
};

describe('msct study create', () => {
  it('dry run of a REDCap dictionary: valid, lists the unmapped constructs, creates nothing', async () => {
    const before = (await listStudies(t.db)).length;
    const r = await createStudyFromFile(t.db, { ...redcap, dryRun: true });
    expect(r.errors).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(r.lines[0]).toBe(`${hand('dictionary.csv')}: 14 construct(s) not mapped as in the source:`);
    // The dictionary's branching logic ([sex] = 'F') is mapped to showIf since session 8 (defn).
    expect(r.lines.some((l) => l.includes('pregnant'))).toBe(false);
    expect(r.lines.at(-1)).toBe(
      `${hand('dictionary.csv')}: valid study definition redcap-demo version 1 (2 visits, 2 forms, 12 items, 2 code lists); dry run, nothing created`,
    );
    expect((await listStudies(t.db)).length).toBe(before);
  });

  it('without a frame: every missing field by path, exit 1, nothing created', async () => {
    const r = await createStudyFromFile(t.db, { definition: hand('dictionary.csv'), format: 'redcap' });
    expect(r.exitCode).toBe(1);
    expect(r.errors[0]).toBe(
      `${hand('dictionary.csv')}: the definition has 11 problems (add what is missing to the study frame, --frame):`,
    );
    expect(r.errors).toContain('  centres: is required');
    expect(await findStudyByCode(t.db, 'redcap-demo')).toBeUndefined();
  });

  it('creates the study from the REDCap dictionary, then exports it as ODM that reads back the same forms', async () => {
    const r = await createStudyFromFile(t.db, { ...redcap, code: 'RC-DEMO' });
    expect(r.errors).toEqual([]);
    expect(r.lines.at(-1)).toBe(
      `created study RC-DEMO "Demo study converted from a REDCap data dictionary" from ${hand('dictionary.csv')} (2 visits, 2 forms, 12 items, 2 code lists)`,
    );
    const s = await findStudyByCode(t.db, 'RC-DEMO');
    const stored = JSON.parse(s!.definition_json);
    expect(stored.forms.map((f: { id: string }) => f.id)).toEqual(['screening', 'vitals']);
    const again = await createStudyFromFile(t.db, { ...redcap, code: 'RC-DEMO' });
    expect(again.errors).toEqual(['a study with code "RC-DEMO" already exists (give another with --code)']);

    const odm = await exportDefinition(t.db, 'RC-DEMO', 'odm');
    const { forms, codeLists, ...frame } = stored;
    const back = await convertOdmMetadata({ file: odm, frame });
    expect(back.definition.forms).toEqual(forms);
    expect(back.definition.codeLists).toEqual(codeLists);
    const csv = await exportDefinition(t.db, 'RC-DEMO', 'csv');
    expect(csv.split('\r\n').length).toBe(1 + 12 + 1);
    expect(await exportDefinition(t.db, 'RC-DEMO', 'html')).toContain(
      '<h2>Vitals <small>(vitals)</small></h2>',
    );
    await expect(exportDefinition(t.db, 'RC-DEMO', 'pdf')).rejects.toThrow(
      '--format must be one of odm, csv, html',
    );
  });

  it('creates a study from ODM metadata and from msct JSON; refuses an unknown format', async () => {
    const odm = await createStudyFromFile(t.db, {
      definition: join(fixtures, 'dag', 'project.xml'),
      format: 'odm',
      frame: hand('frame.json'),
      code: 'DAG',
    });
    // The frame's infusion visit is the REDCap dictionary's; the dag project has one event.
    expect(odm.errors).toContain(
      '  infusion.infusionVisitCodes[0]: unknown visit code "screening_arm_1" (event_1_arm_1, UNSCHEDULED)',
    );
    const file = join(dir, 'msct.json');
    writeFileSync(file, JSON.stringify(msctSleTrial));
    const msct = await createStudyFromFile(t.db, { definition: file, format: 'msct', code: 'SLE2' });
    expect(msct.lines).toEqual([
      `created study SLE2 "${msctSleTrial.title}" from ${file} (8 visits, 11 forms, 104 items, 3 code lists)`,
    ]);
    expect((await createStudyFromFile(t.db, { definition: file, format: 'xls' })).errors).toEqual([
      '--format must be one of msct, redcap, odm, got "xls"',
    ]);
    const notCsv = join(dir, 'bad.csv');
    writeFileSync(notCsv, 'a,b\n1,2\n');
    expect(
      (await createStudyFromFile(t.db, { definition: notCsv, format: 'redcap', frame: hand('frame.json') }))
        .errors,
    ).toEqual([
      `${notCsv}: the data dictionary's column 1 must be "variable / field name" (REDCap's layout), got "a"`,
    ]);
  });
});
