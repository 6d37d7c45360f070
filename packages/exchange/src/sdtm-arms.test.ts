// SDTM DM in a randomised study (issue 24): ARMCD/ARM as randomised, ACTARMCD/ACTARM as treated (the
// last correction), ARMNRS for subjects never randomised (SDTMIG v3.3 §5.2 DM, the version define.xml
// declares); a blinded export leaves the arm variables empty and the arm-revealing forms out, and says
// so in define.xml. Each expectation fails on the single-arm writer before this change (UCMSC for all).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { armRevealingOf } from '@msct/core/protocol';
import { randomisedLnTrial } from '@msct/core/testing';
import {
  correctAssignment,
  createSubject,
  createSubjectRecord,
  createVisit,
  randomiseSubject,
  saveItems,
} from '@msct/store';
import { createTestDatabase, type TestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAINS, dmArmVariables, SINGLE_ARM } from './sdtm-domains.js';
import { exportSdtm } from './sdtm-export.js';
import { createEmptyStudy, DEFINE_XML_XSD, xsdErrors } from './testing/test-study.js';

const ARMS = randomisedLnTrial.arms!;
const base = { arms: ARMS, correctedArm: undefined, treated: true, status: 'enrolled', blinded: false };

describe('dmArmVariables (SDTMIG v3.3 DM)', () => {
  it('single arm: UCMSC for every subject, actual only when treated', () => {
    expect(dmArmVariables({ ...base, arms: undefined, arm: undefined })).toEqual({
      ARMCD: SINGLE_ARM.id,
      ARM: SINGLE_ARM.label,
      ACTARMCD: SINGLE_ARM.id,
      ACTARM: SINGLE_ARM.label,
      ARMNRS: null,
    });
    expect(dmArmVariables({ ...base, arms: [], arm: undefined, treated: false })).toMatchObject({
      ARMCD: 'UCMSC',
      ACTARMCD: null,
      ARMNRS: 'ASSIGNED, NOT TREATED',
    });
  });
  it('randomised: arm as randomised, actual as corrected, null arms with their reason', () => {
    expect(dmArmVariables({ ...base, arm: 'control' })).toEqual({
      ARMCD: 'control',
      ARM: 'Standard care',
      ACTARMCD: 'control',
      ACTARM: 'Standard care',
      ARMNRS: null,
    });
    expect(dmArmVariables({ ...base, arm: 'control', correctedArm: 'msct' })).toEqual({
      ARMCD: 'control',
      ARM: 'Standard care',
      ACTARMCD: 'msct',
      ACTARM: 'Repeat MSCT + standard care',
      ARMNRS: null,
    });
    expect(dmArmVariables({ ...base, arm: 'msct', treated: false })).toEqual({
      ARMCD: 'msct',
      ARM: 'Repeat MSCT + standard care',
      ACTARMCD: null,
      ACTARM: null,
      ARMNRS: 'ASSIGNED, NOT TREATED',
    });
    const none = { ARMCD: null, ARM: null, ACTARMCD: null, ACTARM: null };
    expect(dmArmVariables({ ...base, arm: undefined })).toEqual({ ...none, ARMNRS: 'NOT ASSIGNED' });
    expect(dmArmVariables({ ...base, arm: undefined, status: 'screen_failed' })).toEqual({
      ...none,
      ARMNRS: 'SCREEN FAILURE',
    });
    expect(dmArmVariables({ ...base, arm: 'msct', blinded: true })).toEqual({ ...none, ARMNRS: null });
  });
});

/** dm.csv as rows by USUBJID (no cell of this test's DM needs quoting but ARMNRS, handled here). */
function dmRows(dir: string): Map<string, Record<string, string>> {
  const [head, ...lines] = readFileSync(join(dir, 'dm.csv'), 'utf8').split('\r\n').filter(Boolean);
  const split = (l: string) =>
    [...l.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].map((m) => m[1]!.replace(/^"|"$/g, '')).slice(0, -1);
  const names = split(head!);
  return new Map(
    lines.map((l) => {
      const cells = split(l);
      const r = Object.fromEntries(names.map((n, i) => [n, cells[i] ?? '']));
      return [r.USUBJID!, r];
    }),
  );
}

describe('SDTM export of a randomised study', () => {
  let t: TestDatabase;
  let dir: string;
  let studyId: string;
  const codes: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'msct-sdtm-arms-'));
    const s = await createEmptyStudy(t.db, randomisedLnTrial);
    studyId = s.studyId;
    const [site] = await t.db.kysely
      .selectFrom('sites')
      .select('id')
      .where('study_id', '=', studyId)
      .orderBy('code')
      .execute();
    const subject = async (key: string, status: 'enrolled' | 'screen_failed', day0Date: string | null) => {
      const x = await createSubject(t.db, s.actor, {
        studyId,
        siteId: site!.id,
        status,
        day0Date,
        sex: 'female',
      });
      codes[key] = `MSCT-SLE-${x.subject_code}`;
      return x;
    };
    let sequence = 0;
    const randomise = (subjectId: string, arm: string) =>
      randomiseSubject(t.db, s.actor, {
        studyId,
        siteId: site!.id,
        subjectId,
        method: 'blocks',
        allocate: () => ({ stratum: 'test', sequence: ++sequence, arm, levels: {} }),
      });
    const active = await subject('active', 'enrolled', '2026-01-10');
    await randomise(active.id, 'msct');
    const control = await subject('control', 'enrolled', '2026-01-11');
    await randomise(control.id, 'control');
    // Randomised to control, treated as msct: the correction says so; ARM stays as randomised.
    const corrected = await subject('corrected', 'enrolled', '2026-01-12');
    await randomise(corrected.id, 'control');
    await correctAssignment(t.db, s.actor, {
      subjectId: corrected.id,
      toArm: 'msct',
      reason: 'kit of the msct arm dispensed',
      arms: ARMS.map((a) => a.id),
    });
    await subject('unassigned', 'enrolled', '2026-01-13');
    await subject('failed', 'screen_failed', null);
    // The arm-revealing data of the active subject: the infusion form at day 0 and an infusion given.
    const d0 = await createVisit(t.db, s.actor, {
      subjectId: active.id,
      visitCode: 'D0',
      visitDate: '2026-01-10',
    });
    await saveItems(t.db, s.actor, {
      visitId: d0.id,
      formCode: 'infusion',
      items: [{ itemCode: 'cells_per_kg', value: '1000000' }],
    });
    await createSubjectRecord(t.db, s.actor, 'infusions', active.id, {
      cycle: 1,
      infusion_number: 1,
      planned_date: '2026-01-10',
      started_at: null,
      ended_at: null,
      product_lot: 'LOT-ARM-REVEALING',
      total_cells: 60e6,
      viability_pct: null,
      volume_ml: null,
      weight_kg: 60,
      vitals_json: null,
      reactions: null,
      status: 'given',
    });
  });
  afterAll(async () => {
    await t.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('DM: ARMCD/ARM as randomised, ACTARMCD/ACTARM as corrected, ARMNRS for the never randomised; define.xml valid', async () => {
    const out = join(dir, 'open');
    await exportSdtm(t.db, studyId, out);
    const dm = dmRows(out);
    const arm = (k: string) => {
      const r = dm.get(codes[k]!)!;
      return [r.ARMCD, r.ARM, r.ACTARMCD, r.ACTARM, r.ARMNRS];
    };
    expect(arm('active')).toEqual([
      'msct',
      'Repeat MSCT + standard care',
      'msct',
      'Repeat MSCT + standard care',
      '',
    ]);
    expect(arm('control')).toEqual(['control', 'Standard care', 'control', 'Standard care', '']);
    expect(arm('corrected')).toEqual(['control', 'Standard care', 'msct', 'Repeat MSCT + standard care', '']);
    expect(arm('unassigned')).toEqual(['', '', '', '', 'NOT ASSIGNED']);
    expect(arm('failed')).toEqual(['', '', '', '', 'SCREEN FAILURE']);
    // Every Req variable filled; ARMCD ≤ 20 characters (SDTMIG v3.3 DM).
    const spec = DOMAINS.find((d) => d.name === 'DM')!;
    for (const r of dm.values()) {
      for (const x of spec.variables.filter((v) => v.core === 'Req')) expect(r[x.name], x.name).not.toBe('');
      expect(r.ARMCD!.length).toBeLessThanOrEqual(20);
    }
    expect(readFileSync(join(out, 'ex.csv'), 'utf8')).toContain('LOT-ARM-REVEALING');
    const dmJson = JSON.parse(readFileSync(join(out, 'dm.json'), 'utf8'));
    expect(dmJson.records).toBe(5);
    const xml = readFileSync(join(out, 'define.xml'), 'utf8');
    expect(xml).toContain('<EnumeratedItem CodedValue="SCREEN FAILURE"/>');
    expect(xsdErrors(join(out, 'define.xml'), DEFINE_XML_XSD)).toBe('');
  });

  it('blinded: no arm in DM, no infusion record (EX, RFXSTDTC), define.xml says so and stays valid', async () => {
    const out = join(dir, 'blinded');
    await exportSdtm(t.db, studyId, out, { blind: armRevealingOf(randomisedLnTrial) });
    const files = ['dm.csv', 'dm.json', 'ex.csv', 'ex.json', 'define.xml', 'define.csv'].map((f) =>
      readFileSync(join(out, f), 'utf8'),
    );
    for (const text of files)
      expect(
        ['Repeat MSCT + standard care', 'Standard care', 'LOT-ARM-REVEALING'].find((x) => text.includes(x)) ??
          null,
      ).toBeNull();
    // The null reasons would tell randomised from not (define.xml's code list names them all).
    for (const text of files.slice(0, 2))
      expect(['NOT ASSIGNED', 'SCREEN FAILURE'].find((x) => text.includes(x)) ?? null).toBeNull();
    const dm = dmRows(out);
    for (const r of dm.values())
      expect([r.ARMCD, r.ARM, r.ACTARMCD, r.ACTARM, r.ARMNRS, r.RFXSTDTC]).toEqual(['', '', '', '', '', '']);
    expect(dm.size).toBe(5);
    const xml = readFileSync(join(out, 'define.xml'), 'utf8');
    expect(xml).toContain(
      'Blinded export: no treatment arm; the forms infusion, the infusion records left out',
    );
    expect(xml).toContain(
      '<ItemDef OID="IT.DM.ARMCD" Name="ARMCD" SASFieldName="ARMCD" DataType="text" Length="1" def:CommentOID="COM.BLINDED">',
    );
    expect(xsdErrors(join(out, 'define.xml'), DEFINE_XML_XSD)).toBe('');
    expect(readFileSync(join(out, 'define.csv'), 'utf8')).toContain(
      'DM,Demographics,15,ARMCD,Planned Arm Code,Char,Assigned,empty: blinded export',
    );
  });
});
