import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BILAG2004_SYSTEMS } from '@msct/core/instruments';
import { msctSleTrial } from '@msct/core/protocol';
import { saveItems } from '@msct/store';
import { createTestDatabase, type TestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bilag2004QsRows, exportSdtm } from './sdtm-export.js';
import { createTestStudy, type TestStudy } from './testing/test-study.js';

describe('SDTM-style export', () => {
  let t: TestDatabase;
  let study: TestStudy;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
    // The built-in trial with a BILAG-2004 form at D0 and M3: entry follows the definition (issue
    // #20), so the QS test below can enter it only where a definition collects it.
    study = await createTestStudy(t.db, 3, {
      ...msctSleTrial,
      forms: [...msctSleTrial.forms, { id: 'bilag2004', title: 'BILAG-2004', visitCodes: ['D0', 'M3'] }],
    });
    dir = mkdtempSync(join(tmpdir(), 'msct-sdtm-'));
  });
  afterAll(async () => {
    await t.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes DM, EX, AE, LB, QS, RS, DS and the variable listing', async () => {
    const out = join(dir, 'full');
    const r = await exportSdtm(t.db, study.studyId, out);
    expect(readdirSync(out).sort()).toEqual([
      'ae.csv',
      'define.csv',
      'dm.csv',
      'ds.csv',
      'ex.csv',
      'lb.csv',
      'qs.csv',
      'rs.csv',
    ]);
    expect(r.files.find((f) => f.name === 'dm.csv')?.rows).toBe(3);
    const lb = readFileSync(join(out, 'lb.csv'), 'utf8');
    expect(lb.split('\r\n')[0]).toBe(
      'STUDYID,DOMAIN,USUBJID,LBSEQ,LBTESTCD,LBTEST,LBORRES,LBORRESU,LBSTRESN,LBSTRESU,VISITNUM,VISIT,CYCLE,LBDTC,LBDY',
    );
    expect(lb).toContain(`MSCT-SLE,LB,MSCT-SLE-${study.subjectCodes[0]},`);
    expect(lb).toMatch(/,C3,Complement C3,0\.71,g\/L,0\.71,g\/L,5,M3,1,2024-04-10,91\r\n/);
    const qs = readFileSync(join(out, 'qs.csv'), 'utf8');
    expect(qs).toContain(',SLEDTOT,SLEDAI-2K total score,');
    expect(qs).toContain(',BILREN,BILAG renal grade,A,A,,,');
    const rs = readFileSync(join(out, 'rs.csv'), 'utf8');
    expect(rs).toContain(',OVRLRESP,Overall Response,');
    // The small fixture has no infusions: the verdict is not done, and says why.
    expect(rs).toContain(',NOT DONE,');
    expect(readFileSync(join(out, 'ds.csv'), 'utf8')).toContain(
      ',COMPLETED,DISPOSITION EVENT,2025-01-09,365',
    );
    expect(readFileSync(join(out, 'define.csv'), 'utf8')).toContain('LB,Laboratory Test Results,9,LBSTRESN,');
  });

  it('de-identifies: pseudonyms, study days only, no free text', async () => {
    const out = join(dir, 'deid');
    await exportSdtm(t.db, study.studyId, out, { pseudonymise: true, shiftDates: 'study-day' });
    const all = readdirSync(out)
      .filter((f) => f !== 'define.csv')
      .map((f) => readFileSync(join(out, f), 'utf8'))
      .join('\n');
    for (const code of study.subjectCodes) expect(all).not.toContain(code);
    expect(all).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(all).not.toContain('Dr ');
    expect(all).toMatch(/MSCT-SLE-P[0-9A-F]{10}/);
  });

  it('QS carries BILAG-2004: items, ever-involved, grades against the previous assessment, and the total', async () => {
    const visits = await t.db.kysely
      .selectFrom('visits')
      .innerJoin('subjects', 'subjects.id', 'visits.subject_id')
      .select(['visits.id', 'visits.visit_code'])
      .where('subjects.subject_code', '=', study.subjectCodes[0]!)
      .where('visits.visit_code', 'in', ['D0', 'M3'])
      .execute();
    const others = BILAG2004_SYSTEMS.filter((x) => x !== 'renal');
    for (const v of visits)
      await saveItems(t.db, study.actor, {
        visitId: v.id,
        formCode: 'bilag2004',
        items: [
          ...others.map((x) => ({ itemCode: `history_${x}`, value: '0' })),
          { itemCode: 'history_renal', value: '1' },
          { itemCode: 'creatinine', value: v.visit_code === 'D0' ? '121' : '140', unit: 'µmol/L' },
        ],
      });
    const out = join(dir, 'b04');
    await exportSdtm(t.db, study.studyId, out);
    const qs = readFileSync(join(out, 'qs.csv'), 'utf8')
      .split('\r\n')
      .filter((l) => l.includes('BILAG-2004'));
    const at = (visit: string, testcd: string) =>
      qs.find((l) => l.includes(`,${testcd},`) && l.includes(`,${visit},1,`));
    expect(at('M3', 'B04I086')).toContain(',86. Plasma/serum creatinine,140 µmol/L,140 µmol/L,,,');
    expect(at('D0', 'B04HREN')).toContain(',Renal: ever involved,1,1,1,,');
    // M3's creatinine is 115.7 % of D0's and > 130 µmol/L: renal B (instruments.md §2.2.3); D0 has no previous: D.
    expect(at('M3', 'B04GREN')).toContain(',BILAG-2004 renal grade,B,B,,Y,');
    expect(at('D0', 'B04GREN')).toContain(',BILAG-2004 renal grade,D,D,,Y,');
    // 12/8/1 numeric scheme: B = 8, the eight never-involved systems E = 0; D0's D = 0.
    expect(at('M3', 'B04TOT')).toContain(',8,8,8,Y,');
    expect(at('D0', 'B04TOT')).toContain(',0,0,0,Y,');
  });

  it('bilag2004QsRows has no grades when the assessment is incomplete, and keeps every test code ≤ 8 characters', () => {
    const rows = bilag2004QsRows({ creatinine: { value: '140', unit: 'µmol/L' } }, undefined);
    expect(rows.map((r) => r.testcd)).toEqual(['B04I086']);
    const full = bilag2004QsRows(
      Object.fromEntries(BILAG2004_SYSTEMS.map((x) => [`history_${x}`, { value: '1', unit: null }])),
      undefined,
    );
    expect(full.filter((r) => r.derived).map((r) => r.testcd)).toContain('B04TOT');
    for (const r of full) expect(r.testcd.length).toBeLessThanOrEqual(8);
  });
});
